"""The evaluation runner: items x targets x samples -> records, resumable, cached, concurrent.

Two modes, both recorded per item and target:

- ``instructed`` (the paper's protocol): for each t the question carries the confidence-target
  instruction (t = 0: the best-guess instruction); the model's own answers and abstentions are
  graded (:mod:`halluc.eval.answer`).
- ``policy``: one generation pass with the t = 0 prompt, a confidence per answer, recalibrated
  on held-out folds, and an answer iff answering beats abstaining at t, for every t from the
  same pass (:mod:`halluc.eval.policy`).

This module only orchestrates: what is still to do, in what order, and what is written when.
State lives in the run folder, locked while the run writes to it: ``records.jsonl``
(instructed records as they complete, policy records once the pass is complete and calibrated)
and ``policy_pass.jsonl``. Model responses go through a content-addressed cache
(:mod:`halluc.eval.client`). Killed at any moment (even by SIGKILL) and run again with the same
output folder, a run redoes only what is missing and ends with the same records and summary as
an uninterrupted one, given a deterministic backend: greedy decoding and fixed seeds; for
llama.cpp also one slot (``--parallel 1``), since with several slots an answer can depend on
which requests shared its batch. (Responses already in the cache are reused whatever the
settings.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, Unpack

from halluc.calibration.held_out import CalibrationReport
from halluc.data.items import Item
from halluc.eval.answer import ask_and_grade, instructed_record
from halluc.eval.cache import ResponseCache
from halluc.eval.client import Client
from halluc.eval.policy import (
    POLICY_PASS,
    PolicyPass,
    calibrate_passes,
    policy_pass,
    policy_records,
    read_policy_passes,
    save_policy_pass,
)
from halluc.eval.prompts import question_prompt
from halluc.eval.settings import (
    MODES,
    RESUME_KEYS,
    EvalSettings,
    check_items,
    check_saved_config,
    eval_config,
)
from halluc.eval.summary import CALIBRATOR, STATS, EvalResult, summarize_run
from halluc.grading import Grader, MatchGrader
from halluc.log.jsonl import write_json_atomic
from halluc.log.outcomes import Mode
from halluc.log.runs import RunFolder
from halluc.models.base import Backend
from halluc.scoring.metrics import MetricSettings

ProgressCallback = Callable[[int], None]

__all__ = [
    "CALIBRATOR",
    "MODES",
    "POLICY_PASS",
    "RESUME_KEYS",
    "STATS",
    "EvalOptions",
    "EvalSettings",
    "Runner",
    "evaluate",
    "question_prompt",
    "run_evaluation",
]


@dataclass
class Runner:
    items: Sequence[Item]
    backend: Backend
    run: RunFolder
    settings: EvalSettings
    grader: Grader
    cache: ResponseCache | None = None
    concurrency: int | None = None
    progress: ProgressCallback | None = None
    on_start: Callable[[int], None] | None = None
    stats: dict[str, float] = field(default_factory=dict)

    def _uses(self, mode: Mode) -> bool:
        return str(mode) in self.settings.modes

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress(1)

    async def _instructed(self, client: Client, item: Item, t: float) -> None:
        answer = await ask_and_grade(client, self.grader, item, t, self.settings.max_tokens)
        self.run.append([instructed_record(answer, self.backend.model, self.grader)])
        self._tick()

    async def _policy_item(self, client: Client, item: Item, done: dict[str, PolicyPass]) -> None:
        result = await policy_pass(client, self.grader, item, self.settings)
        save_policy_pass(self.run.path, result)
        done[item.id] = result
        self._tick()

    def pending(self) -> tuple[list[tuple[Item, float]], list[Item], dict[str, PolicyPass]]:
        """Instructed (item, t) pairs without a record, items without a policy pass, and the
        policy passes already done."""
        done = self.run.completed_keys()
        model = self.backend.model
        instructed = [
            (it, t)
            for it in self.items
            for t in self.settings.targets
            if self._uses(Mode.INSTRUCTED) and (model, it.id, t, str(Mode.INSTRUCTED)) not in done
        ]
        passes = read_policy_passes(self.run.path) if self._uses(Mode.POLICY) else {}
        policy = [it for it in self.items if self._uses(Mode.POLICY) and it.id not in passes]
        return instructed, policy, passes

    async def _close_async_clients(self) -> None:
        """Close HTTP clients bound to this event loop (the evaluated model's, the judge's)."""
        judge = getattr(getattr(self.grader, "judge", None), "backend", None)
        seen: set[int] = set()
        for backend in (self.backend, judge):
            aclose = getattr(backend, "aclose", None)
            if aclose is not None and id(backend) not in seen:
                seen.add(id(backend))
                await aclose()

    async def run_async(self) -> CalibrationReport | None:
        """Generate what is missing, then (policy mode) calibrate and write the policy records."""
        start = time.perf_counter()
        client = Client(self.backend, self.cache, self.concurrency)
        instructed, policy, passes = self.pending()
        if self.on_start is not None:
            self.on_start(len(instructed) + len(policy))
        # per item, so that instructed t=0 and the policy pass (the same request) meet in flight
        by_item: dict[str, list[Awaitable[None]]] = {it.id: [] for it in self.items}
        for it, t in instructed:
            by_item[it.id].append(self._instructed(client, it, t))
        for it in policy:
            by_item[it.id].append(self._policy_item(client, it, passes))
        try:
            await asyncio.gather(*(job for group in by_item.values() for job in group))
        finally:
            await self._close_async_clients()
        report = self._finish_policy(passes) if self._uses(Mode.POLICY) else None
        self.stats.update(
            {
                "seconds": time.perf_counter() - start,
                "generation_units": float(len(instructed) + len(policy)),
                "backend_queries": float(client.queries),
                "cache_hits": float(self.cache.hits if self.cache else 0),
            }
        )
        return report

    def _finish_policy(self, passes: dict[str, PolicyPass]) -> CalibrationReport:
        calibrated, report = calibrate_passes(self.items, passes, self.settings)
        if report.fitted is not None:
            write_json_atomic(self.run.path / CALIBRATOR, report.fitted.to_dict())
        done = self.run.completed_keys()
        records = policy_records(
            self.items, passes, calibrated, self.settings, self.backend.model, self.grader, done
        )
        self.run.append(records)
        return report


def run_evaluation(
    items: Sequence[Item],
    backend: Backend,
    out: str | Path,
    settings: EvalSettings | None = None,
    *,
    grader: Grader | None = None,
    cache: ResponseCache | None = None,
    concurrency: int | None = None,
    dataset: str = "items",
    metrics: MetricSettings | None = None,
    progress: ProgressCallback | None = None,
    on_start: Callable[[int], None] | None = None,
) -> EvalResult:
    """Run (or resume) an evaluation into the folder ``out``; write ``summary.json`` (scored
    with ``metrics``) and ``stats.json`` once, at the end, and return what it found."""
    s = settings or EvalSettings()
    g = grader or MatchGrader()
    check_items(items)
    config = eval_config(items, backend, s, g, dataset)
    with RunFolder.create(
        out, config, resume_keys=RESUME_KEYS, check_config=check_saved_config
    ) as run:
        runner = Runner(items, backend, run, s, g, cache, concurrency, progress, on_start)
        calibration = asyncio.run(runner.run_async())
        scores = summarize_run(run, s.targets, calibration, metrics)
        stats = {**runner.stats, "n_records": float(len(run.records()))}
        write_json_atomic(run.path / STATS, stats)
    return EvalResult(run, scores, calibration)


class EvalOptions(TypedDict, total=False):
    """The keyword options of :func:`evaluate` (those of :func:`run_evaluation`)."""

    grader: Grader | None
    cache: ResponseCache | None
    concurrency: int | None
    dataset: str
    metrics: MetricSettings | None
    progress: ProgressCallback | None
    on_start: Callable[[int], None] | None


def evaluate(
    items: Sequence[Item],
    backend: Backend,
    out: str | Path,
    settings: EvalSettings | None = None,
    **options: Unpack[EvalOptions],
) -> RunFolder:
    """Run (or resume) an evaluation into the folder ``out`` and write its summary.

    The options are :func:`run_evaluation`'s: ``grader`` (default: string match), ``cache``,
    ``concurrency``, ``dataset`` (its name in ``config.json``), ``metrics`` (the
    :class:`~halluc.scoring.metrics.MetricSettings` of ``summary.json``), ``progress`` and
    ``on_start``. Returns the :class:`~halluc.log.runs.RunFolder`; its ``summary()`` holds the
    table and, with the policy mode, the calibration report (read it with
    :func:`~halluc.eval.summary.read_calibration`). :func:`run_evaluation` returns the typed
    results instead.
    """
    return run_evaluation(items, backend, out, settings, **options).run

"""The evaluation runner: items x targets x samples -> records, resumable, cached, concurrent.

Two modes, both recorded per item and target:

- ``instructed`` (the paper's protocol): for each t the question carries the confidence-target
  instruction (t = 0: the best-guess instruction); the model's own answers and abstentions are
  graded.
- ``policy``: one generation pass with the t = 0 prompt; halluc estimates a confidence per
  answer (:mod:`halluc.eval.confidence`), recalibrates it on held-out folds
  (:mod:`halluc.calibration.recalibration`), and answers iff the calibrated confidence exceeds
  t, for every t from the same pass. ``answer_outcome`` keeps the grade of the answer the
  policy withheld.

State lives in the run folder: ``records.jsonl`` (instructed records as they complete, policy
records once the pass is complete and calibrated) and ``policy_pass.jsonl`` (one line per item
of the policy pass). Model responses go through a content-addressed cache. Killed at any moment
(even by SIGKILL) and run again with the same output folder, a run redoes only what is missing
and ends with the same records and summary as an uninterrupted one, given a deterministic
backend: greedy decoding and fixed seeds; for llama.cpp also one slot (``--parallel 1``), since
with several slots an answer can depend on which requests shared its batch. (Responses already
in the cache are reused whatever the settings.)
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from halluc.calibration.recalibration import CalibrationMethod, Calibrator, auroc, brier, cross_fit
from halluc.data.items import Item, items_digest
from halluc.errors import InputError
from halluc.eval.cache import CachedBackend, ResponseCache
from halluc.eval.confidence import (
    VERBALIZED_PROMPT,
    ConfidenceMethod,
    consistency_confidence,
    parse_verbalized,
    token_confidence,
)
from halluc.eval.prompts import INSTRUCTION_VERSION, confidence_instruction, prompt_hash
from halluc.grading import Grade, Grader, MatchGrader
from halluc.log.jsonl import append_lines, iter_jsonl, repair_tail, write_json_atomic
from halluc.log.outcomes import Mode, Outcome, parse_outcome
from halluc.log.records import Record
from halluc.log.runs import RunFolder, package_versions
from halluc.models.base import Backend, ChatRequest, ChatResponse
from halluc.scoring.metrics import DEFAULT_TARGETS, MetricSettings
from halluc.scoring.report import ScoreReport, score_report
from halluc.scoring.rules import check_target

MODES = ("instructed", "policy")
POLICY_PASS = "policy_pass.jsonl"
STATS = "stats.json"
CALIBRATOR = "calibrator.json"
PROMPT_VERSION = "question-instruction-answer/1"
RUNNER_VERSION = "1"

ProgressCallback = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class EvalSettings:
    """Everything about a run that changes its records (saved in ``config.json``)."""

    targets: tuple[float, ...] = DEFAULT_TARGETS
    modes: tuple[str, ...] = MODES
    confidence: ConfidenceMethod = ConfidenceMethod.TOKEN_MEAN
    samples: int = 0
    sample_temperature: float = 1.0
    recalibration: CalibrationMethod = CalibrationMethod.ISOTONIC
    folds: int = 5
    max_tokens: int = 32
    seed: int = 0
    calibrator: dict[str, Any] | None = None
    """A fitted calibrator (``Calibrator.to_dict()``) to apply instead of cross-fitting."""

    def __post_init__(self) -> None:
        if not self.targets:
            raise InputError("no targets given", field="--targets")
        for t in self.targets:
            try:
                check_target(t)
            except ValueError:
                raise InputError(
                    f"each target must satisfy 0 <= t < 1, got {t}", field="--targets"
                ) from None
        if not self.modes:
            raise InputError("no modes given", field="--modes")
        for m in self.modes:
            if m not in MODES:
                raise InputError(f"unknown mode {m!r} (known: {', '.join(MODES)})", field="--modes")
        if self.samples < 0:
            raise InputError(f"must be >= 0, got {self.samples}", field="--samples")
        if (
            self.confidence is ConfidenceMethod.CONSISTENCY
            and "policy" in self.modes
            and self.samples < 2
        ):
            raise InputError(
                "the consistency method needs --samples of at least 2", field="--samples"
            )
        if self.folds < 2:
            raise InputError(f"must be at least 2, got {self.folds}", field="--folds")
        if self.max_tokens < 1:
            raise InputError(f"must be at least 1, got {self.max_tokens}", field="--max-tokens")
        if not 0.0 <= self.sample_temperature <= 2.0:
            raise InputError("must be in [0, 2]", field="--sample-temperature")

    def as_dict(self) -> dict[str, Any]:
        return {
            "targets": list(self.targets),
            "modes": list(self.modes),
            "confidence": str(self.confidence),
            "samples": self.samples,
            "sample_temperature": self.sample_temperature,
            "recalibration": str(self.recalibration),
            "folds": self.folds,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
            "calibrator": self.calibrator,
        }


def question_prompt(question: str, t: float) -> str:
    """The user message for target t: the question, then the paper's instruction.

    ``Question: ...`` / ``Answer:`` framing keeps small models' answers short (measured on
    SmolLM2-135M: an explicit "answer in a few words" request was echoed back instead).
    """
    return f"Question: {question}\n{confidence_instruction(t)}\nAnswer:"


@dataclass(slots=True)
class PolicyPass:
    """The policy mode's one generation pass for one item."""

    item_id: str
    response: str | None
    samples: list[str]
    answer_outcome: Outcome
    raw_confidence: float | None
    prompt_hash: str
    error: str | None = None
    detail: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "response": self.response,
            "samples": self.samples,
            "answer_outcome": str(self.answer_outcome),
            "raw_confidence": self.raw_confidence,
            "prompt_hash": self.prompt_hash,
            "error": self.error,
            "detail": self.detail,
            "timings": self.timings,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PolicyPass:
        rc = d.get("raw_confidence")
        return cls(
            item_id=str(d["item_id"]),
            response=d.get("response"),
            samples=[str(s) for s in d.get("samples") or []],
            answer_outcome=parse_outcome(d["answer_outcome"]),
            raw_confidence=None if rc is None else float(rc),
            prompt_hash=str(d.get("prompt_hash") or ""),
            error=d.get("error"),
            detail=d.get("detail"),
            timings={str(k): float(v) for k, v in (d.get("timings") or {}).items()},
        )


class InflightDedup:
    """Identical concurrent requests share one call (e.g. instructed t=0 and the policy pass)."""

    def __init__(self, backend: CachedBackend) -> None:
        self.backend = backend
        self._inflight: dict[str, asyncio.Future[ChatResponse]] = {}

    async def complete(self, request: ChatRequest) -> ChatResponse:
        key = request.cache_key("")
        fut = self._inflight.get(key)
        if fut is not None:
            return await asyncio.shield(fut)
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self._inflight[key] = fut
        try:
            result = await self.backend.complete(request)
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # mark retrieved
            raise
        finally:
            self._inflight.pop(key, None)
        fut.set_result(result)
        return result


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
    _client: InflightDedup = field(init=False)
    stats: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._cached = CachedBackend(self.backend, self.cache)
        self._client = InflightDedup(self._cached)

    # -- requests ---------------------------------------------------------------------------

    def answer_request(self, item: Item, t: float) -> ChatRequest:
        return ChatRequest(
            messages=({"role": "user", "content": question_prompt(item.question, t)},),
            max_tokens=self.settings.max_tokens,
            temperature=0.0,
            logprobs=True,  # cheap; instructed records keep the token confidence too
            item_id=item.id,
        )

    async def _ask(self, request: ChatRequest) -> ChatResponse:
        return await self._client.complete(request)

    async def _grade(self, item: Item, response: ChatResponse) -> Grade:
        if not response.ok:
            return Grade(Outcome.ERROR, error=response.error or "no completion")
        return await self.grader.grade(item, response.texts[0])

    def _base_metadata(self, item: Item, response: ChatResponse) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "question": item.question,
            "answers": list(item.answers[:5]),
            **item.metadata,
        }
        if response.usage:
            meta["usage"] = response.usage
        if response.token_logprobs:
            meta["token_confidence"] = token_confidence(
                response.token_logprobs[0], ConfidenceMethod.TOKEN_MEAN
            )
        meta["attempts"] = response.attempts
        meta["cached"] = response.cached
        return meta

    # -- instructed mode --------------------------------------------------------------------

    async def _instructed(self, item: Item, t: float) -> None:
        request = self.answer_request(item, t)
        response = await self._ask(request)
        grade = await self._grade(item, response)
        text = response.texts[0] if response.texts else None
        record = Record(
            item_id=item.id,
            model=self.backend.model,
            outcome=grade.outcome,
            target=t,
            mode=Mode.INSTRUCTED,
            prompt_hash=prompt_hash(request.identity()["messages"]),
            response=text,
            grader=self.grader.name,
            grader_version=self.grader.version,
            error=grade.error,
            metadata={**self._base_metadata(item, response), "grade_detail": grade.detail},
            timings=dict(response.timings),
        )
        self.run.append([record])
        self._tick()

    # -- policy mode ------------------------------------------------------------------------

    async def _policy_pass(self, item: Item) -> PolicyPass:
        s = self.settings
        request = self.answer_request(item, 0.0)
        phash = prompt_hash(request.identity()["messages"])
        response = await self._ask(request)
        grade = await self._grade(item, response)
        text = response.texts[0] if response.texts else None
        timings = dict(response.timings)
        samples: list[str] = []
        raw: float | None = None
        error = grade.error
        if grade.outcome is not Outcome.ERROR and text is not None:
            method = s.confidence
            if method.needs_logprobs:
                raw = token_confidence(
                    response.token_logprobs[0] if response.token_logprobs else [], method
                )
                if raw is None:
                    error = "the backend returned no token log-probabilities"
            elif method is ConfidenceMethod.CONSISTENCY:
                sreq = ChatRequest(
                    messages=request.messages,
                    max_tokens=s.max_tokens,
                    temperature=s.sample_temperature,
                    n=s.samples,
                    seed=s.seed,
                    item_id=item.id,
                )
                sresp = await self._ask(sreq)
                timings["samples"] = sresp.timings.get("total", 0.0)
                if sresp.ok:
                    samples = list(sresp.texts)
                    raw = consistency_confidence(text, samples, item.question)
                else:
                    error = f"sampling failed: {sresp.error}"
            else:
                vreq = ChatRequest(
                    messages=(
                        *request.messages,
                        {"role": "assistant", "content": text},
                        {"role": "user", "content": VERBALIZED_PROMPT},
                    ),
                    max_tokens=12,
                    temperature=0.0,
                    item_id=item.id,
                )
                vresp = await self._ask(vreq)
                timings["verbalized"] = vresp.timings.get("total", 0.0)
                if vresp.ok:
                    samples = [vresp.texts[0]]
                    raw = parse_verbalized(vresp.texts[0])
                    if raw is None:
                        error = f"no probability in the reply {vresp.texts[0][:60]!r}"
                else:
                    error = f"verbalized confidence failed: {vresp.error}"
        return PolicyPass(
            item_id=item.id,
            response=text,
            samples=samples,
            answer_outcome=grade.outcome,
            raw_confidence=raw,
            prompt_hash=phash,
            error=error,
            detail=grade.detail,
            timings=timings,
        )

    async def _policy_item(self, item: Item, done: dict[str, PolicyPass]) -> None:
        result = await self._policy_pass(item)
        append_lines(self.run.path / POLICY_PASS, [result.to_dict()])
        done[item.id] = result
        self._tick()

    def _read_policy_pass(self) -> dict[str, PolicyPass]:
        path = self.run.path / POLICY_PASS
        if not path.exists():
            return {}
        repair_tail(path)
        return {
            str(v["item_id"]): PolicyPass.from_dict(v)
            for _, v in iter_jsonl(path, tolerate_partial_tail=True)
        }

    def calibrate(self, passes: dict[str, PolicyPass]) -> tuple[dict[str, float], dict[str, Any]]:
        """Held-out calibrated confidence per item, and a report of the calibration."""
        s = self.settings
        ids = [it.id for it in self.items if it.id in passes]
        raw = np.array(
            [np.nan if passes[i].raw_confidence is None else passes[i].raw_confidence for i in ids],
            dtype=np.float64,
        )
        label = np.array(
            [
                1.0
                if passes[i].answer_outcome is Outcome.CORRECT
                else 0.0
                if passes[i].answer_outcome is Outcome.INCORRECT
                else np.nan
                for i in ids
            ]
        )
        report: dict[str, Any] = {
            "confidence": str(s.confidence),
            "recalibration": str(s.recalibration),
        }
        if s.calibrator is not None:
            cal = Calibrator.from_dict(s.calibrator)
            calibrated = np.where(np.isfinite(raw), cal.predict(np.nan_to_num(raw)), np.nan)
            report["fit"] = "given calibrator"
            report["calibrator"] = cal.to_dict()
        elif s.recalibration is CalibrationMethod.NONE:
            calibrated = np.clip(raw, 0.0, 1.0)
            report["fit"] = "none (raw scores)"
        else:
            cf = cross_fit(ids, raw, label, s.recalibration, folds=s.folds, seed=s.seed)
            calibrated = cf.calibrated
            report["fit"] = f"{s.folds}-fold cross-fitting (each item scored by the other folds)"
            report["folds"] = [None if c is None else c.to_dict() for c in cf.calibrators]
            report["calibrator"] = None if cf.full is None else cf.full.to_dict()
            if cf.full is not None:
                write_json_atomic(self.run.path / CALIBRATOR, cf.full.to_dict())
        mask = np.isfinite(label) & np.isfinite(raw)
        report["n_labelled"] = int(mask.sum())
        report["n_correct"] = int(np.nansum(label[mask]))
        if mask.any():
            report["auroc_raw"] = auroc(raw[mask], label[mask] > 0.5)
            report["brier_raw"] = brier(np.clip(raw[mask], 0, 1), label[mask])
            report["brier_calibrated"] = brier(calibrated[mask], label[mask])
            report["auroc_calibrated"] = auroc(calibrated[mask], label[mask] > 0.5)
        values = {
            i: float(c) for i, c in zip(ids, calibrated.tolist(), strict=True) if math.isfinite(c)
        }
        return values, report

    def policy_records(
        self, passes: dict[str, PolicyPass], calibrated: dict[str, float], done: set[Any]
    ) -> list[Record]:
        s = self.settings
        method = f"{s.confidence}+{'given' if s.calibrator else s.recalibration}"
        out = []
        for item in self.items:
            p = passes.get(item.id)
            if p is None:
                continue
            conf = calibrated.get(item.id)
            for t in s.targets:
                key = (self.backend.model, item.id, t, "policy")
                if key in done:
                    continue
                error = p.error
                if p.answer_outcome is Outcome.ERROR:
                    outcome = Outcome.ERROR
                elif conf is None:
                    outcome = Outcome.ERROR
                    error = error or "no confidence"
                elif p.answer_outcome is Outcome.ABSTAINED:
                    outcome = Outcome.ABSTAINED
                elif conf > t:
                    outcome = p.answer_outcome
                else:
                    outcome = Outcome.ABSTAINED
                out.append(
                    Record(
                        item_id=item.id,
                        model=self.backend.model,
                        outcome=outcome,
                        target=t,
                        mode=Mode.POLICY,
                        prompt_hash=p.prompt_hash,
                        response=p.response,
                        samples=p.samples,
                        confidence=conf,
                        confidence_method=method,
                        answer_outcome=p.answer_outcome,
                        grader=self.grader.name,
                        grader_version=self.grader.version,
                        error=error if outcome is Outcome.ERROR else None,
                        metadata={
                            "question": item.question,
                            "answers": list(item.answers[:5]),
                            **item.metadata,
                            "raw_confidence": p.raw_confidence,
                            "grade_detail": p.detail,
                        },
                        timings=p.timings,
                    )
                )
        return out

    # -- the whole run ----------------------------------------------------------------------

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress(1)

    def pending(self) -> tuple[list[tuple[Item, float]], list[Item], dict[str, PolicyPass]]:
        done = self.run.completed_keys()
        model = self.backend.model
        instructed = [
            (it, t)
            for it in self.items
            for t in self.settings.targets
            if "instructed" in self.settings.modes and (model, it.id, t, "instructed") not in done
        ]
        passes = self._read_policy_pass() if "policy" in self.settings.modes else {}
        policy = [
            it for it in self.items if "policy" in self.settings.modes and it.id not in passes
        ]
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

    async def run_async(self) -> dict[str, Any]:
        start = time.perf_counter()
        self._cached.limiter = asyncio.Semaphore(self.concurrency or self.backend.max_concurrency)
        instructed, policy, passes = self.pending()
        if self.on_start is not None:
            self.on_start(len(instructed) + len(policy))
        # per item, so that instructed t=0 and the policy pass (the same request) meet in flight
        by_item: dict[str, list[Awaitable[None]]] = {it.id: [] for it in self.items}
        for it, t in instructed:
            by_item[it.id].append(self._instructed(it, t))
        for it in policy:
            by_item[it.id].append(self._policy_item(it, passes))
        jobs = [job for group in by_item.values() for job in group]
        try:
            await asyncio.gather(*jobs)
        finally:
            await self._close_async_clients()
        report: dict[str, Any] = {}
        if "policy" in self.settings.modes:
            calibrated, report = self.calibrate(passes)
            done = self.run.completed_keys()
            self.run.append(self.policy_records(passes, calibrated, done))
        elapsed = time.perf_counter() - start
        self.stats.update(
            {
                "seconds": elapsed,
                "generation_units": float(len(instructed) + len(policy)),
                "backend_queries": float(self._cached.queries),
                "cache_hits": float(self.cache.hits if self.cache else 0),
            }
        )
        return report


def eval_config(
    items: Sequence[Item],
    backend: Backend,
    settings: EvalSettings,
    grader: Grader,
    dataset: str,
) -> dict[str, Any]:
    """What goes into ``config.json``."""
    return {
        "kind": "eval",
        "runner_version": RUNNER_VERSION,
        "model": backend.model,
        "backend": backend.describe(),
        "backend_fingerprint": backend.fingerprint,
        "dataset": dataset,
        "n_items": len(items),
        "items_digest": items_digest(items),
        "grader": grader.name,
        "grader_version": grader.version,
        "instruction_version": INSTRUCTION_VERSION,
        "prompt_version": PROMPT_VERSION,
        **settings.as_dict(),
        "versions": package_versions(("halluc", "numpy", "pandas", "xllamacpp", "openai")),
    }


RESUME_KEYS = (
    "model",
    "backend_fingerprint",
    "items_digest",
    "grader",
    "grader_version",
    "targets",
    "modes",
    "confidence",
    "samples",
    "sample_temperature",
    "recalibration",
    "folds",
    "max_tokens",
    "seed",
    "calibrator",
)


def summarize_run(
    run: RunFolder,
    targets: Sequence[float],
    calibration: dict[str, Any] | None = None,
    settings: MetricSettings | None = None,
) -> ScoreReport:
    """Score a run's records, and write ``summary.json`` (numbers plus their parameters)."""
    report = score_report(run.records(), targets, settings)
    summary = report.to_dict()
    if calibration:
        summary["calibration"] = calibration
    run.write_summary(summary)
    return report


def evaluate(
    items: Sequence[Item],
    backend: Backend,
    out: str | Path,
    settings: EvalSettings | None = None,
    *,
    grader: Grader | None = None,
    cache: ResponseCache | None = None,
    concurrency: int | None = None,
    dataset: str = "items",
    progress: ProgressCallback | None = None,
    on_start: Callable[[int], None] | None = None,
) -> RunFolder:
    """Run (or resume) an evaluation into the folder ``out`` and write its summary.

    Returns the :class:`~halluc.log.runs.RunFolder`; its ``summary()`` holds the table.
    """
    s = settings or EvalSettings()
    g = grader or MatchGrader()
    if not items:
        raise InputError("no items to evaluate", field="--dataset")
    ids = [it.id for it in items]
    if len(set(ids)) != len(ids):
        raise InputError("item ids must be unique", field="--dataset")
    config = eval_config(items, backend, s, g, dataset)
    run = RunFolder.create(out, config, resume_keys=RESUME_KEYS)
    runner = Runner(items, backend, run, s, g, cache, concurrency, progress, on_start)
    calibration = asyncio.run(runner.run_async())
    summarize_run(run, s.targets, calibration)
    stats = {**runner.stats, "n_records": float(len(run.records()))}
    write_json_atomic(run.path / STATS, stats)
    return run

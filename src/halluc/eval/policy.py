"""The ``policy`` mode: one pass per item, then an answer-or-abstain decision for every t.

The pass asks the question once with the t = 0 prompt, grades the answer and estimates a raw
confidence with the run's confidence method (:mod:`halluc.eval.confidence`); each pass is one
line of ``policy_pass.jsonl``, so a killed run keeps the passes it finished. Once every pass is
done, the raw confidences are recalibrated on held-out folds
(:func:`~halluc.calibration.held_out.held_out_calibration`) and each item gets one record per t:
its graded answer if :func:`~halluc.scoring.rules.should_answer` says answering beats
abstaining at that confidence, else ``abstained``. ``answer_outcome`` keeps the grade of the
answer the policy withheld.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from halluc.calibration.held_out import CalibrationReport, held_out_calibration
from halluc.data.items import Item
from halluc.eval.answer import ask_and_grade, item_metadata
from halluc.eval.client import Client
from halluc.eval.confidence import confidence_method
from halluc.eval.settings import EvalSettings
from halluc.grading import Grader
from halluc.log.jsonl import append_lines, iter_jsonl, repair_tail
from halluc.log.outcomes import Mode, Outcome, parse_outcome
from halluc.log.records import Record, RecordKey
from halluc.scoring.rules import confidence_target, should_answer

POLICY_PASS = "policy_pass.jsonl"


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

    @property
    def label(self) -> float:
        """1 for a correct answer, 0 for a wrong one, NaN for anything without a grade."""
        if self.answer_outcome is Outcome.CORRECT:
            return 1.0
        if self.answer_outcome is Outcome.INCORRECT:
            return 0.0
        return float("nan")

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
    def from_dict(cls, d: Mapping[str, Any]) -> PolicyPass:
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


async def policy_pass(
    client: Client, grader: Grader, item: Item, settings: EvalSettings
) -> PolicyPass:
    """Ask, grade, and (for a graded answer) estimate the raw confidence."""
    answer = await ask_and_grade(client, grader, item, 0.0, settings.max_tokens)
    text = answer.text
    timings = dict(answer.response.timings)
    samples: list[str] = []
    raw: float | None = None
    error = answer.grade.error
    if answer.grade.outcome is not Outcome.ERROR and text is not None:
        method = confidence_method(settings.confidence)
        request = method.follow_up(answer.request, text, settings.sampling)
        follow_up = None if request is None else await client.complete(request)
        if follow_up is not None and method.timing is not None:
            timings[method.timing] = follow_up.timings.get("total", 0.0)
        estimate = method.score(answer.response, follow_up, item.question)
        raw, samples = estimate.value, estimate.samples
        if estimate.error is not None:
            error = estimate.error
    return PolicyPass(
        item_id=item.id,
        response=text,
        samples=samples,
        answer_outcome=answer.grade.outcome,
        raw_confidence=raw,
        prompt_hash=answer.prompt_hash,
        error=error,
        detail=answer.grade.detail,
        timings=timings,
    )


def read_policy_passes(folder: Path) -> dict[str, PolicyPass]:
    """The passes a run folder holds (a half-written last line, from a kill, is cut off)."""
    path = folder / POLICY_PASS
    if not path.exists():
        return {}
    repair_tail(path)
    return {
        str(v["item_id"]): PolicyPass.from_dict(v)
        for _, v in iter_jsonl(path, tolerate_partial_tail=True)
    }


def save_policy_pass(folder: Path, result: PolicyPass) -> None:
    append_lines(folder / POLICY_PASS, [result.to_dict()])


def calibrate_passes(
    items: Sequence[Item], passes: Mapping[str, PolicyPass], settings: EvalSettings
) -> tuple[dict[str, float], CalibrationReport]:
    """Held-out calibrated confidence per item (items without one are left out), and the
    report of the calibration."""
    ids = [it.id for it in items if it.id in passes]
    raw = np.array(
        [np.nan if passes[i].raw_confidence is None else passes[i].raw_confidence for i in ids],
        dtype=np.float64,
    )
    labels = np.array([passes[i].label for i in ids], dtype=np.float64)
    fit = held_out_calibration(
        ids,
        raw,
        labels,
        confidence=str(settings.confidence),
        method=settings.recalibration,
        folds=settings.folds,
        seed=settings.seed,
        given=settings.given_calibrator,
    )
    values = {
        i: float(c) for i, c in zip(ids, fit.calibrated.tolist(), strict=True) if np.isfinite(c)
    }
    return values, fit.report


def policy_outcome(p: PolicyPass, confidence: float | None, t: float) -> tuple[Outcome, str | None]:
    """The outcome at target t, and the error if it is one: the decision rule, applied."""
    if p.answer_outcome is Outcome.ERROR:
        return Outcome.ERROR, p.error
    if confidence is None:
        return Outcome.ERROR, p.error or "no confidence"
    if p.answer_outcome is Outcome.ABSTAINED:
        return Outcome.ABSTAINED, None
    if should_answer(confidence, confidence_target(t)):
        return p.answer_outcome, None
    return Outcome.ABSTAINED, None


def policy_records(
    items: Sequence[Item],
    passes: Mapping[str, PolicyPass],
    calibrated: Mapping[str, float],
    settings: EvalSettings,
    model: str,
    grader: Grader,
    done: Collection[RecordKey],
) -> list[Record]:
    """One record per item with a pass and per target, except those already in ``done``."""
    out = []
    for item in items:
        p = passes.get(item.id)
        if p is None:
            continue
        conf = calibrated.get(item.id)
        for t in settings.targets:
            if (model, item.id, t, str(Mode.POLICY)) in done:
                continue
            outcome, error = policy_outcome(p, conf, t)
            out.append(
                Record(
                    item_id=item.id,
                    model=model,
                    outcome=outcome,
                    target=t,
                    mode=Mode.POLICY,
                    prompt_hash=p.prompt_hash,
                    response=p.response,
                    samples=p.samples,
                    confidence=conf,
                    confidence_method=settings.confidence_label,
                    answer_outcome=p.answer_outcome,
                    grader=grader.name,
                    grader_version=grader.version,
                    error=error if outcome is Outcome.ERROR else None,
                    metadata={
                        **item_metadata(item),
                        "raw_confidence": p.raw_confidence,
                        "grade_detail": p.detail,
                    },
                    timings=p.timings,
                )
            )
    return out

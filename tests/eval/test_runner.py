"""The runner: both modes, records, resume, cache, errors, confidence methods.

(A real run killed with SIGKILL at random points and resumed is in tests/cli/test_eval.py.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from halluc.calibration.recalibration import CalibrationMethod
from halluc.data import Item
from halluc.errors import InputError
from halluc.eval.cache import ResponseCache
from halluc.eval.confidence import VERBALIZED_PROMPT, ConfidenceMethod
from halluc.eval.prompts import question_prompt
from halluc.eval.runner import EvalSettings, evaluate
from halluc.eval.summary import read_calibration
from halluc.log.outcomes import Outcome
from halluc.log.records import read_records
from halluc.models.replay import ReplayBackend

TARGETS = (0.0, 0.5, 0.75, 0.9)


def _items(n: int = 6) -> list[Item]:
    return [Item(f"q{i}", f"Question number {i}?", (f"answer{i}",)) for i in range(n)]


def _table(items: list[Item], confs: list[float], right: list[bool]) -> dict[str, Any]:
    return {
        it.id: {
            "texts": [f"It is answer{i}." if ok else "It is something else."],
            "confidence": c,
        }
        for i, (it, c, ok) in enumerate(zip(items, confs, right, strict=True))
    }


def test_both_modes_records_and_policy_decisions(tmp_path: Path) -> None:
    items = _items()
    confs = [0.95, 0.8, 0.6, 0.4, 0.2, 0.99]
    right = [True, True, False, True, False, False]
    backend = ReplayBackend(_table(items, confs, right), model="replay")
    settings = EvalSettings(targets=TARGETS, recalibration=CalibrationMethod.NONE)
    run = evaluate(items, backend, tmp_path / "run", settings)
    records = read_records(run.records_path)
    assert len(records) == len(items) * len(TARGETS) * 2
    policy = {(r.item_id, r.target): r for r in records if r.mode == "policy"}
    for i, it in enumerate(items):
        for t in TARGETS:
            r = policy[(it.id, t)]
            assert r.answer_outcome is (Outcome.CORRECT if right[i] else Outcome.INCORRECT)
            assert r.confidence == pytest.approx(confs[i], rel=1e-9)
            assert r.confidence_method == "token-mean+none"
            expected = r.answer_outcome if confs[i] > t else Outcome.ABSTAINED
            assert r.outcome is expected
    instructed = [r for r in records if r.mode == "instructed"]
    assert {r.prompt_hash for r in instructed if r.item_id == "q0"} and all(
        r.grader == "match" and r.grader_version for r in records
    )
    summary = run.summary()
    assert summary is not None
    rows = {(r["mode"], r["target"]): r for r in summary["table"]}
    # always-answer baseline from the same pass: 3 right, 3 wrong
    assert rows[("policy", 0.5)]["always_answer_score"] == pytest.approx(0.0)
    # policy at t=0.5 answers q0, q1, q2, q5: 2 right, 2 wrong -> 0; at 0.9: q0 right, q5 wrong
    assert rows[("policy", 0.9)]["score"] == pytest.approx((1 - 9) / 6)


def test_resume_and_cache_never_requery(tmp_path: Path) -> None:
    items = _items()
    table = _table(items, [0.9] * 6, [True] * 6)
    cache = ResponseCache(tmp_path / "cache")
    backend = ReplayBackend(table)
    settings = EvalSettings(targets=(0.0, 0.5), recalibration=CalibrationMethod.NONE)
    run = evaluate(items, backend, tmp_path / "a", settings, cache=cache)
    calls = backend.calls
    assert calls == len(items) * 2  # t=0 and the policy pass share one request
    before = run.records_path.read_bytes()
    evaluate(items, backend, tmp_path / "a", settings, cache=None)  # resume: nothing to do
    assert backend.calls == calls and run.records_path.read_bytes() == before
    evaluate(items, backend, tmp_path / "b", settings, cache=cache)  # new folder, same cache
    assert backend.calls == calls
    with pytest.raises(InputError, match="different run"):
        evaluate(items, backend, tmp_path / "a", EvalSettings(targets=(0.0,)), cache=cache)


def test_failed_requests_are_error_outcomes(tmp_path: Path) -> None:
    items = _items(4)
    table = _table(items[:2], [0.9, 0.9], [True, False])  # no answers for q2, q3
    run = evaluate(items, ReplayBackend(table), tmp_path / "r", EvalSettings(targets=(0.0, 0.5)))
    by = {(r.item_id, r.mode, r.target): r for r in run.records()}
    for mode in ("instructed", "policy"):
        for t in (0.0, 0.5):
            assert by[("q2", mode, t)].outcome is Outcome.ERROR
            assert "no replay answer" in (by[("q2", mode, t)].error or "")
    summary = run.summary()
    assert summary is not None
    assert all(row["error"] == 2 for row in summary["table"])


def test_consistency_and_verbalized_confidence(tmp_path: Path) -> None:
    items = _items(2)
    sample_prompts = {question_prompt(it.question, 0.0): None for it in items}
    assert len(sample_prompts) == 2
    table: dict[str, Any] = {
        "q0": ["It is answer0.", "answer0", "answer0", "something", "answer0"],
        "q1": ["It is zebra.", "lion", "tiger", "zebra", "bear"],
    }
    settings = EvalSettings(
        targets=(0.5,),
        modes=("policy",),
        confidence=ConfidenceMethod.CONSISTENCY,
        samples=4,
        recalibration=CalibrationMethod.NONE,
    )
    run = evaluate(items, ReplayBackend(table), tmp_path / "c", settings)
    by = {r.item_id: r for r in run.records()}
    # greedy = first text; samples cycle through the list from its start (n=4)
    assert by["q0"].confidence == pytest.approx(3 / 4)
    assert by["q1"].confidence == pytest.approx(2 / 4)  # "It is zebra." and "zebra"
    assert len(by["q0"].samples) == 4
    assert by["q0"].outcome is Outcome.CORRECT and by["q1"].outcome is Outcome.ABSTAINED
    # verbalized: a follow-up question in the same conversation, parsed
    verbal = ReplayBackend({VERBALIZED_PROMPT: "0.7"}, default="It is answer0.")
    settings = EvalSettings(
        targets=(0.5, 0.75),
        modes=("policy",),
        confidence=ConfidenceMethod.VERBALIZED,
        recalibration=CalibrationMethod.NONE,
    )
    run = evaluate(items[:1], verbal, tmp_path / "v", settings)
    recs = {r.target: r for r in run.records()}
    assert recs[0.5].confidence == pytest.approx(0.7) and recs[0.5].outcome is Outcome.CORRECT
    assert recs[0.75].outcome is Outcome.ABSTAINED
    unparsable = ReplayBackend({VERBALIZED_PROMPT: "very sure"}, default="It is answer0.")
    run = evaluate(items[:1], unparsable, tmp_path / "u", settings)
    assert all(r.outcome is Outcome.ERROR for r in run.records())
    assert all(r.answer_outcome is Outcome.CORRECT for r in run.records())


def test_recalibrated_policy_beats_both_baselines(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 300
    items = [Item(f"i{k}", f"Q{k}?", (f"answer{k}",)) for k in range(n)]
    raw = rng.uniform(size=n)
    right = rng.uniform(size=n) < raw**3  # informative but badly calibrated raw scores
    backend = ReplayBackend(_table(items, list(raw), list(right)))
    settings = EvalSettings(targets=TARGETS, modes=("policy",), folds=5)
    run = evaluate(items, backend, tmp_path / "cal", settings)
    summary = run.summary()
    assert summary is not None
    cal = read_calibration(run)
    assert cal is not None and cal.n_labelled == n and cal.auroc_raw > 0.7
    assert cal.fitted is not None and (run.path / "calibrator.json").exists()
    for row in summary["table"]:
        if row["target"] >= 0.5:
            assert row["score"] >= max(row["always_answer_score"], 0.0)

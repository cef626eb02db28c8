"""Held-out recalibration of a run, and the typed report that survives a trip through JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from halluc.calibration.held_out import (
    GIVEN_FIT,
    RAW_FIT,
    CalibrationReport,
    held_out_calibration,
)
from halluc.calibration.metrics import auroc, brier_score
from halluc.calibration.recalibration import Calibrator


def _run(n: int = 120, seed: int = 0) -> tuple[list[str], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    raw = rng.uniform(size=n)
    labels = (rng.uniform(size=n) < raw**2).astype(float)
    labels[:7] = np.nan  # abstained or not graded: scored, never fitted on
    raw[7:10] = np.nan  # no confidence at all
    return [f"q{i}" for i in range(n)], raw, labels


def _through_json(report: CalibrationReport) -> CalibrationReport:
    return CalibrationReport.from_dict(json.loads(json.dumps(report.to_dict())))


@pytest.mark.parametrize("method", ["isotonic", "platt", "none"])
def test_report_round_trips_through_json(method: str) -> None:
    ids, raw, labels = _run()
    fit = held_out_calibration(ids, raw, labels, confidence="token-mean", method=method)
    again = _through_json(fit.report)
    assert again.to_dict() == fit.report.to_dict()
    assert again.render() == fit.report.render()
    assert (again.fitted is None) == (method == "none")


def test_scores_are_the_metrics_of_the_labelled_items() -> None:
    ids, raw, labels = _run()
    fit = held_out_calibration(ids, raw, labels, confidence="token-mean", method="isotonic")
    mask = np.isfinite(raw) & np.isfinite(labels)
    r = fit.report
    assert r.n_labelled == int(mask.sum()) and r.n_correct == int(labels[mask].sum())
    assert r.auroc_raw == auroc(raw[mask], labels[mask])
    assert r.brier_calibrated == brier_score(fit.calibrated[mask], labels[mask])
    assert np.isnan(fit.calibrated[7:10]).all() and np.isfinite(fit.calibrated[:7]).all()
    assert r.fit.startswith("5-fold cross-fitting") and r.folds is not None and len(r.folds) == 5


def test_a_given_calibrator_is_applied_not_refitted() -> None:
    ids, raw, labels = _run()
    given = Calibrator.fit(np.array([0.0, 0.5, 1.0]), np.array([0.0, 1.0, 1.0]), "isotonic")
    fit = held_out_calibration(
        ids, raw, labels, confidence="verbalized", method="platt", given=given
    )
    finite = np.isfinite(raw)
    assert fit.calibrated[finite].tolist() == given.predict(raw[finite]).tolist()
    assert fit.report.fit == GIVEN_FIT and fit.report.fitted is None
    assert _through_json(fit.report).calibrator == given


def test_without_labels_the_scores_are_left_out() -> None:
    ids = ["a", "b"]
    fit = held_out_calibration(
        ids, [0.2, 0.9], [np.nan, np.nan], confidence="token-mean", method="none"
    )
    d = fit.report.to_dict()
    assert fit.report.fit == RAW_FIT and d["n_labelled"] == 0 and "auroc_raw" not in d
    assert "–" in fit.report.render()
    one_class = held_out_calibration(ids, [0.2, 0.9], [1.0, 1.0], confidence="c", method="none")
    assert math.isnan(one_class.report.auroc_raw)
    assert math.isnan(_through_json(one_class.report).auroc_raw)


def test_reads_a_calibration_dict_written_before_the_typed_report() -> None:
    """The summary.json form of the untyped dict (main at bc78e1c) reads back unchanged."""
    old = {
        "confidence": "token-mean",
        "recalibration": "isotonic",
        "fit": "2-fold cross-fitting (each item scored by the other folds)",
        "folds": [None, {"method": "isotonic", "params": {"x": [0.1], "y": [1.0]}, "n": 1}],
        "calibrator": {
            "method": "isotonic",
            "params": {"x": [0.1, 0.9], "y": [0.0, 1.0]},
            "n": 2,
            "n_correct": 1,
        },
        "n_labelled": 2,
        "n_correct": 1,
        "auroc_raw": 1.0,
        "brier_raw": 0.01,
        "brier_calibrated": 0.0,
        "auroc_calibrated": 1.0,
    }
    report = CalibrationReport.from_dict(old)
    assert report.n_labelled == 2 and report.folds is not None and report.folds[0] is None
    assert report.fitted is not None and report.fitted.predict([0.5]).tolist() == [0.5]
    assert report.to_dict()["calibrator"] == old["calibrator"]
    assert list(report.to_dict()) == list(old)

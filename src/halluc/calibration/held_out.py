"""Held-out recalibration of one run's confidences, and the typed report of what it found.

:func:`held_out_calibration` turns raw confidences (one per item, NaN where there is none) and
labels (1 correct, 0 incorrect, NaN without a grade) into calibrated confidences, in one of three
ways: a calibrator given in advance, no recalibration (raw scores clipped to [0, 1]), or
cross-fitting (:func:`~halluc.calibration.recalibration.cross_fit`: every item is scored by a
calibrator that never saw its label). :class:`CalibrationReport` says which, with AUROC and
Brier of the raw and the calibrated scores on the labelled items; ``summary.json`` stores its
:meth:`~CalibrationReport.to_dict` and every reader gets it back through
:meth:`~CalibrationReport.from_dict`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from halluc.calibration.metrics import auroc, brier_score
from halluc.calibration.recalibration import CalibrationMethod, Calibrator, cross_fit

FloatArray = npt.NDArray[np.float64]
GIVEN_FIT = "given calibrator"
RAW_FIT = "none (raw scores)"
_SCORES = ("auroc_raw", "brier_raw", "brier_calibrated", "auroc_calibrated")


def cross_fit_description(folds: int) -> str:
    return f"{folds}-fold cross-fitting (each item scored by the other folds)"


@dataclass(frozen=True, slots=True)
class CalibrationReport:
    """How a run's policy confidences were recalibrated, and how well they rank and score.

    ``calibrator`` is the calibrator that was applied (given) or fitted on every labelled item
    (cross-fitting; ``None`` when no item was labelled); ``folds`` holds the per-fold
    calibrators of cross-fitting and is ``None`` otherwise. The four scores are NaN where
    undefined (AUROC without both kinds of answers) and are left out when no item is labelled.
    """

    confidence: str
    recalibration: str
    fit: str
    n_labelled: int
    n_correct: int
    auroc_raw: float = math.nan
    brier_raw: float = math.nan
    brier_calibrated: float = math.nan
    auroc_calibrated: float = math.nan
    calibrator: Calibrator | None = None
    folds: tuple[Calibrator | None, ...] | None = None

    @property
    def fitted(self) -> Calibrator | None:
        """The calibrator this run fitted on all its labelled items (to reuse on new data)."""
        return self.calibrator if self.folds is not None else None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "confidence": self.confidence,
            "recalibration": self.recalibration,
            "fit": self.fit,
        }
        if self.folds is not None:
            out["folds"] = [None if c is None else c.to_dict() for c in self.folds]
        if self.folds is not None or self.calibrator is not None:
            out["calibrator"] = None if self.calibrator is None else self.calibrator.to_dict()
        out["n_labelled"] = self.n_labelled
        out["n_correct"] = self.n_correct
        if self.n_labelled:
            out.update({key: getattr(self, key) for key in _SCORES})
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CalibrationReport:
        def calibrator(value: Any) -> Calibrator | None:
            return None if value is None else Calibrator.from_dict(value)

        def number(key: str) -> float:
            value = data.get(key)
            return math.nan if value is None else float(value)

        folds = data.get("folds")
        return cls(
            confidence=str(data["confidence"]),
            recalibration=str(data["recalibration"]),
            fit=str(data.get("fit", "")),
            n_labelled=int(data.get("n_labelled", 0)),
            n_correct=int(data.get("n_correct", 0)),
            **{key: number(key) for key in _SCORES},
            calibrator=calibrator(data.get("calibrator")),
            folds=None if folds is None else tuple(calibrator(c) for c in folds),
        )

    def render(self) -> str:
        """One line for a person: the method, the fit, and the four scores."""

        def f(value: float) -> str:
            return "–" if math.isnan(value) else f"{value:.3f}"

        return (
            f"Policy confidence: {self.confidence}, recalibrated: {self.recalibration} "
            f"({self.fit}); {self.n_labelled} graded answers, {self.n_correct} correct; "
            f"AUROC raw {f(self.auroc_raw)}, held-out calibrated {f(self.auroc_calibrated)}; "
            f"Brier raw {f(self.brier_raw)}, calibrated {f(self.brier_calibrated)}"
        )


@dataclass(frozen=True, slots=True)
class HeldOutCalibration:
    calibrated: FloatArray
    """One calibrated confidence per item, NaN where the item has no raw confidence."""
    report: CalibrationReport


def held_out_calibration(
    item_ids: Sequence[str],
    raw: npt.ArrayLike,
    labels: npt.ArrayLike,
    *,
    confidence: str,
    method: CalibrationMethod | str,
    folds: int = 5,
    seed: int = 0,
    given: Calibrator | None = None,
) -> HeldOutCalibration:
    """Calibrated confidences that never used an item's own label, and their report."""
    s = np.asarray(raw, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    m = CalibrationMethod(method)
    fold_calibrators: tuple[Calibrator | None, ...] | None = None
    calibrator = given
    if given is not None:
        calibrated = np.where(np.isfinite(s), given.predict(np.nan_to_num(s)), np.nan)
        fit = GIVEN_FIT
    elif m is CalibrationMethod.NONE:
        calibrated = np.clip(s, 0.0, 1.0)
        fit = RAW_FIT
    else:
        cf = cross_fit(item_ids, s, y, m, folds=folds, seed=seed)
        calibrated = cf.calibrated
        fit = cross_fit_description(folds)
        fold_calibrators = tuple(cf.calibrators)
        calibrator = cf.full
    mask = np.isfinite(y) & np.isfinite(s)
    scores: dict[str, float] = {}
    if mask.any():
        right = y[mask] > 0.5
        scores = {
            "auroc_raw": auroc(s[mask], right),
            "brier_raw": brier_score(np.clip(s[mask], 0.0, 1.0), right),
            "brier_calibrated": brier_score(calibrated[mask], right),
            "auroc_calibrated": auroc(calibrated[mask], right),
        }
    report = CalibrationReport(
        confidence=confidence,
        recalibration=str(m),
        fit=fit,
        n_labelled=int(mask.sum()),
        n_correct=int(np.nansum(y[mask])),
        **scores,
        calibrator=calibrator,
        folds=fold_calibrators,
    )
    return HeldOutCalibration(calibrated, report)

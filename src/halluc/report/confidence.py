"""Confidence scores against correctness, per model and confidence method.

The pairs come from records that carry a ``confidence``: the answer's grade is
``answer_outcome`` where present (policy mode: the grade before the policy abstained) and the
outcome otherwise. Only correct and incorrect answers have a correctness; abstentions and errors
are counted and left out. A policy-mode run holds one record per item *and t* with the same
answer and confidence, so identical (item, confidence, grade) triples are counted once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from halluc.calibration.metrics import (
    CalibrationSummary,
    ReliabilityCurve,
    RiskCoverage,
    aurc,
    auroc,
    calibration_summary,
    optimal_aurc,
    reliability_curve,
    risk_coverage_curve,
)
from halluc.log.outcomes import DEFAULT_MODE, Outcome
from halluc.log.records import Record
from halluc.scoring.leaderboard import entry_label
from halluc.scoring.metrics import as_frame

DEFAULT_BINS = 10


@dataclass(frozen=True)
class ConfidenceSet:
    """One (model, mode, confidence method): its pairs and every number about them."""

    entry: str
    model: str
    mode: str
    method: str
    confidence: npt.NDArray[np.float64]
    correct: npt.NDArray[np.bool_]
    n_left_out: int
    is_probability: bool
    summary: CalibrationSummary | None
    width: ReliabilityCurve | None
    mass: ReliabilityCurve | None
    risk: RiskCoverage
    aurc: float
    auroc: float

    @property
    def label(self) -> str:
        return f"{self.entry} · {self.method}"


def confidence_sets(
    data: pd.DataFrame | Iterable[Record], n_bins: int = DEFAULT_BINS
) -> list[ConfidenceSet]:
    """Every (model, mode, confidence method) that has confidences, with its metrics."""
    frame = as_frame(data)
    if "confidence" not in frame.columns or frame["confidence"].isna().all():
        return []
    frame = frame[frame["confidence"].notna()].copy()
    frame["mode"] = (
        frame["mode"].fillna(str(DEFAULT_MODE)) if "mode" in frame.columns else str(DEFAULT_MODE)
    )
    if "confidence_method" not in frame.columns:
        frame["confidence_method"] = None
    frame["confidence_method"] = frame["confidence_method"].fillna("unspecified").astype(str)
    grade = frame["outcome"].astype(str)
    if "answer_outcome" in frame.columns:
        has = frame["answer_outcome"].notna()
        grade = grade.where(~has, frame["answer_outcome"].astype(str))
    frame["grade"] = grade
    modes_per_model = frame.groupby("model")["mode"].nunique()
    out: list[ConfidenceSet] = []
    for (model, mode, method), part in frame.groupby(
        ["model", "mode", "confidence_method"], sort=True
    ):
        uniq = part.drop_duplicates(["item_id", "confidence", "grade"])
        graded = uniq["grade"].isin([str(Outcome.CORRECT), str(Outcome.INCORRECT)])
        c = uniq.loc[graded, "confidence"].to_numpy(dtype=np.float64)
        y = (uniq.loc[graded, "grade"] == str(Outcome.CORRECT)).to_numpy()
        is_prob = bool(c.size == 0 or (c.min() >= 0.0 and c.max() <= 1.0))
        out.append(
            ConfidenceSet(
                entry=entry_label(str(model), str(mode), int(modes_per_model.loc[str(model)])),
                model=str(model),
                mode=str(mode),
                method=str(method),
                confidence=c,
                correct=y,
                n_left_out=int((~graded).sum()),
                is_probability=is_prob,
                summary=calibration_summary(c, y, n_bins) if is_prob else None,
                width=reliability_curve(c, y, n_bins, "width") if is_prob else None,
                mass=reliability_curve(c, y, n_bins, "mass") if is_prob else None,
                risk=risk_coverage_curve(c, y),
                aurc=aurc(c, y),
                auroc=auroc(c, y),
            )
        )
    return out


def confidence_table(sets: list[ConfidenceSet]) -> pd.DataFrame:
    """One row per confidence set: n, accuracy, ECE (equal-width, equal-mass), MCE, Brier,
    AURC, e-AURC and AUROC (NaN where the scores are not probabilities)."""
    rows = []
    for s in sets:
        nan = float("nan")
        summ = s.summary
        rows.append(
            {
                "entry": s.entry,
                "method": s.method,
                "n": int(s.confidence.size),
                "left_out": s.n_left_out,
                "accuracy": float(s.correct.mean()) if s.correct.size else nan,
                "mean_confidence": summ.mean_confidence if summ else nan,
                "ece_width": summ.ece_width if summ else nan,
                "ece_mass": summ.ece_mass if summ else nan,
                "mce_width": summ.mce_width if summ else nan,
                "brier": summ.brier if summ else nan,
                "aurc": s.aurc,
                "excess_aurc": s.aurc - optimal_aurc(s.correct) if s.correct.size else nan,
                "auroc": s.auroc,
                "n_bins": summ.n_bins if summ else 0,
            }
        )
    return pd.DataFrame(rows)


__all__ = ["DEFAULT_BINS", "ConfidenceSet", "confidence_sets", "confidence_table"]

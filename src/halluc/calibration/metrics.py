"""How well confidence scores match correctness: ECE, Brier, AURC, AUROC, reliability and
risk–coverage. The one implementation of each in halluc.

The inputs are one confidence in [0, 1] per answered item and whether that answer was correct.
Abstentions and ``error`` outcomes have no correctness and are left out by the caller.

Binning conventions (they change the numbers, so they are fixed and documented):

* **equal-width** bins ``[k/B, (k+1)/B)`` for k < B-1 and ``[(B-1)/B, 1]`` for the last one:
  a confidence of exactly 1.0 falls in the last bin, 0.0 in the first. The bin index is
  ``floor(c * B)``, which puts verbalized confidences such as 0.3 or 0.7 in the bin they open
  (a ``searchsorted`` over ``linspace`` edges would misplace 0.3: that edge is
  0.30000000000000004).
* **equal-mass** bins: the items sorted by confidence (stable) and cut into ``min(B, n)``
  consecutive groups whose sizes differ by at most one (the first ``n % B`` groups get the
  extra item), as in ``numpy.array_split``. Tied confidences may straddle a cut.

ECE is ``sum_b n_b / n * |accuracy_b - mean_confidence_b|`` over non-empty bins; MCE is the
largest gap. AURC is the area under the risk–coverage curve (risk = share of wrong answers
among the items answered when only the most confident ones are kept); tied confidences are
handled exactly, as the expectation over a random order within the tie.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from halluc.scoring.intervals import wilson_interval

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
Strategy = Literal["width", "mass"]
STRATEGIES: tuple[Strategy, ...] = ("width", "mass")


def check_inputs(
    confidence: npt.ArrayLike, correct: npt.ArrayLike, *, require_probability: bool = True
) -> tuple[FloatArray, BoolArray]:
    """Validate and convert: equal lengths, finite confidences (in [0, 1] unless told not to)."""
    c = np.asarray(confidence, dtype=np.float64).reshape(-1)
    y_raw = np.asarray(correct).reshape(-1)
    if c.shape != y_raw.shape:
        raise ValueError(f"{c.size} confidences but {y_raw.size} correctness values")
    if y_raw.dtype != np.bool_ and y_raw.size and not np.isin(y_raw, (0, 1)).all():
        bad = int(np.flatnonzero(~np.isin(y_raw, (0, 1)))[0])
        raise ValueError(f"correctness must be 0/1 or bool; item {bad} is {y_raw[bad]!r}")
    y = y_raw.astype(np.bool_)
    finite = np.isfinite(c)
    if not finite.all():
        bad = int(np.flatnonzero(~finite)[0])
        raise ValueError(f"confidence of item {bad} is {c[bad]} (must be finite)")
    if require_probability and c.size:
        outside = (c < 0.0) | (c > 1.0)
        if outside.any():
            bad = int(np.flatnonzero(outside)[0])
            raise ValueError(f"confidence of item {bad} is {c[bad]} (must be in [0, 1])")
    return c, y


def check_bins(n_bins: int) -> int:
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ValueError(f"n_bins must be a positive integer, got {n_bins!r}")
    return int(n_bins)


def equal_width_bins(confidence: FloatArray, n_bins: int) -> IntArray:
    """Bin index of each confidence in ``n_bins`` equal-width bins (1.0 in the last bin)."""
    b = check_bins(n_bins)
    idx = np.floor(confidence * b).astype(np.int64)
    return np.clip(idx, 0, b - 1)


def equal_mass_bins(confidence: FloatArray, n_bins: int) -> IntArray:
    """Bin index of each confidence in ``min(n_bins, n)`` bins of (nearly) equal size."""
    b = min(check_bins(n_bins), confidence.size)
    out = np.zeros(confidence.size, dtype=np.int64)
    if confidence.size == 0:
        return out
    order = np.argsort(confidence, kind="stable")
    base, extra = divmod(confidence.size, b)
    sizes = np.full(b, base, dtype=np.int64)
    sizes[:extra] += 1
    out[order] = np.repeat(np.arange(b, dtype=np.int64), sizes)
    return out


@dataclass(frozen=True, slots=True)
class ReliabilityCurve:
    """Per-bin counts, mean confidence and accuracy (with a Wilson interval).

    Empty bins (possible with equal-width bins) have count 0 and ``nan`` statistics. For
    equal-width bins ``lo``/``hi`` are the bin edges; for equal-mass bins they are the smallest
    and largest confidence in the bin.
    """

    strategy: Strategy
    n_bins: int
    lo: FloatArray
    hi: FloatArray
    count: IntArray
    mean_confidence: FloatArray
    accuracy: FloatArray
    accuracy_lo: FloatArray
    accuracy_hi: FloatArray

    @property
    def n(self) -> int:
        return int(self.count.sum())

    @property
    def gaps(self) -> FloatArray:
        return np.asarray(np.abs(self.accuracy - self.mean_confidence), dtype=np.float64)

    def ece(self) -> float:
        """Expected calibration error: the count-weighted mean gap over non-empty bins."""
        n = self.n
        if n == 0:
            return math.nan
        used = self.count > 0
        return float(np.sum(self.count[used] * self.gaps[used]) / n)

    def mce(self) -> float:
        """Maximum calibration error: the largest gap over non-empty bins."""
        used = self.count > 0
        return float(self.gaps[used].max()) if used.any() else math.nan


def reliability_curve(
    confidence: npt.ArrayLike,
    correct: npt.ArrayLike,
    n_bins: int = 10,
    strategy: Strategy = "width",
    *,
    interval_level: float = 0.95,
) -> ReliabilityCurve:
    """The reliability diagram's data: accuracy against mean confidence per bin."""
    c, y = check_inputs(confidence, correct)
    b = check_bins(n_bins)
    if strategy == "width":
        ids = equal_width_bins(c, b)
        nb = b
        lo = np.arange(b, dtype=np.float64) / b
        hi = np.arange(1, b + 1, dtype=np.float64) / b
    elif strategy == "mass":
        ids = equal_mass_bins(c, b)
        nb = min(b, c.size)
        # Equal-mass bins are consecutive runs of the sorted confidences.
        sizes = np.bincount(ids, minlength=nb)
        ends = np.cumsum(sizes)
        cs = np.sort(c)
        lo = cs[ends - sizes] if nb else np.zeros(0)
        hi = cs[ends - 1] if nb else np.zeros(0)
    else:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    count = np.bincount(ids, minlength=nb).astype(np.int64)
    conf_sum = np.bincount(ids, weights=c, minlength=nb)
    hits = np.bincount(ids, weights=y.astype(np.float64), minlength=nb)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.where(count > 0, conf_sum / np.maximum(count, 1), np.nan)
        acc = np.where(count > 0, hits / np.maximum(count, 1), np.nan)
    acc_lo, acc_hi = wilson_interval(hits, count, interval_level)
    return ReliabilityCurve(
        strategy=strategy,
        n_bins=nb,
        lo=lo,
        hi=hi,
        count=count,
        mean_confidence=mean_conf,
        accuracy=acc,
        accuracy_lo=np.asarray(acc_lo, dtype=np.float64),
        accuracy_hi=np.asarray(acc_hi, dtype=np.float64),
    )


def expected_calibration_error(
    confidence: npt.ArrayLike,
    correct: npt.ArrayLike,
    n_bins: int = 10,
    strategy: Strategy = "width",
) -> float:
    """ECE with equal-width (``"width"``) or equal-mass (``"mass"``) bins."""
    return reliability_curve(confidence, correct, n_bins, strategy).ece()


def maximum_calibration_error(
    confidence: npt.ArrayLike,
    correct: npt.ArrayLike,
    n_bins: int = 10,
    strategy: Strategy = "width",
) -> float:
    return reliability_curve(confidence, correct, n_bins, strategy).mce()


def brier_score(confidence: npt.ArrayLike, correct: npt.ArrayLike) -> float:
    """Mean squared difference between confidence and correctness (0 is perfect)."""
    c, y = check_inputs(confidence, correct)
    if c.size == 0:
        return math.nan
    return float(np.mean((c - y.astype(np.float64)) ** 2))


@dataclass(frozen=True, slots=True)
class RiskCoverage:
    """Selective answering: keep the answers with confidence >= ``threshold``.

    One point per distinct confidence, from the most confident down: ``coverage`` is the share
    of answers kept, ``risk`` the share of wrong answers among them.
    """

    threshold: FloatArray
    coverage: FloatArray
    risk: FloatArray
    n: int


def _tie_groups(c: FloatArray, y: BoolArray) -> tuple[FloatArray, IntArray, IntArray]:
    """Distinct confidences (descending) with the number of items and of errors at each."""
    order = np.argsort(-c, kind="stable")
    cs = c[order]
    wrong = (~y[order]).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, cs[1:] != cs[:-1]])
    sizes = np.diff(np.r_[starts, cs.size])
    errors = np.add.reduceat(wrong, starts) if cs.size else np.zeros(0, dtype=np.int64)
    return cs[starts], sizes.astype(np.int64), errors.astype(np.int64)


def risk_coverage_curve(
    confidence: npt.ArrayLike, correct: npt.ArrayLike, *, require_probability: bool = False
) -> RiskCoverage:
    """The risk–coverage curve (any real-valued confidence score works: only its order counts)."""
    c, y = check_inputs(confidence, correct, require_probability=require_probability)
    if c.size == 0:
        empty = np.zeros(0, dtype=np.float64)
        return RiskCoverage(empty, empty, empty, 0)
    thresholds, sizes, errors = _tie_groups(c, y)
    kept = np.cumsum(sizes)
    risk = np.cumsum(errors) / kept
    return RiskCoverage(thresholds, kept / c.size, risk.astype(np.float64), int(c.size))


def aurc(
    confidence: npt.ArrayLike, correct: npt.ArrayLike, *, require_probability: bool = False
) -> float:
    """Area under the risk–coverage curve: the mean over k = 1..n of the risk among the k most
    confident answers. Within a tie the expected risk over a random order is used, so the value
    does not depend on how ties happen to be sorted."""
    c, y = check_inputs(confidence, correct, require_probability=require_probability)
    n = c.size
    if n == 0:
        return math.nan
    _, sizes, errors = _tie_groups(c, y)
    before_n = np.r_[0, np.cumsum(sizes)[:-1]]
    before_e = np.r_[0, np.cumsum(errors)[:-1]].astype(np.float64)
    group = np.repeat(np.arange(sizes.size), sizes)
    j = np.arange(1, n + 1) - before_n[group]  # position inside the tie, 1-based
    expected_errors = before_e[group] + j * errors[group] / sizes[group]
    return float(np.mean(expected_errors / np.arange(1, n + 1)))


def optimal_aurc(correct: npt.ArrayLike) -> float:
    """The AURC of a perfect ranking (every correct answer more confident than every wrong
    one): the floor that AURC cannot go below at this accuracy."""
    y = np.asarray(correct).astype(np.bool_).reshape(-1)
    n = y.size
    if n == 0:
        return math.nan
    n_right = int(y.sum())
    k = np.arange(1, n + 1)
    return float(np.mean(np.maximum(k - n_right, 0) / k))


def auroc(
    confidence: npt.ArrayLike, correct: npt.ArrayLike, *, require_probability: bool = False
) -> float:
    """Probability that a correct answer gets a higher confidence than a wrong one (ties count
    one half): how well the score separates right from wrong. ``nan`` without both kinds.

    scikit-learn's ``roc_auc_score`` (its trapezoids count a tie one half, as the
    Mann-Whitney statistic does)."""
    c, y = check_inputs(confidence, correct, require_probability=require_probability)
    if y.all() or not y.any():
        return math.nan
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, c))


@dataclass(frozen=True, slots=True)
class CalibrationSummary:
    n: int
    accuracy: float
    mean_confidence: float
    ece_width: float
    ece_mass: float
    mce_width: float
    brier: float
    aurc: float
    optimal_aurc: float
    auroc: float
    n_bins: int

    @property
    def excess_aurc(self) -> float:
        """AURC above the perfect ranking's (e-AURC)."""
        return self.aurc - self.optimal_aurc

    def as_dict(self) -> dict[str, float | int]:
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "mean_confidence": self.mean_confidence,
            "ece_width": self.ece_width,
            "ece_mass": self.ece_mass,
            "mce_width": self.mce_width,
            "brier": self.brier,
            "aurc": self.aurc,
            "excess_aurc": self.excess_aurc,
            "auroc": self.auroc,
            "n_bins": self.n_bins,
        }


def calibration_summary(
    confidence: npt.ArrayLike, correct: npt.ArrayLike, n_bins: int = 10
) -> CalibrationSummary:
    """Every calibration number of one confidence method at once."""
    c, y = check_inputs(confidence, correct)
    n = int(c.size)
    nan = math.nan
    width = reliability_curve(c, y, n_bins, "width")
    return CalibrationSummary(
        n=n,
        accuracy=float(y.mean()) if n else nan,
        mean_confidence=float(c.mean()) if n else nan,
        ece_width=width.ece(),
        ece_mass=expected_calibration_error(c, y, n_bins, "mass"),
        mce_width=width.mce(),
        brier=brier_score(c, y),
        aurc=aurc(c, y),
        optimal_aurc=optimal_aurc(y),
        auroc=auroc(c, y),
        n_bins=check_bins(n_bins),
    )


__all__ = [
    "STRATEGIES",
    "CalibrationSummary",
    "ReliabilityCurve",
    "RiskCoverage",
    "Strategy",
    "aurc",
    "auroc",
    "brier_score",
    "calibration_summary",
    "check_inputs",
    "equal_mass_bins",
    "equal_width_bins",
    "expected_calibration_error",
    "maximum_calibration_error",
    "optimal_aurc",
    "reliability_curve",
    "risk_coverage_curve",
]

"""Estimating δ and err_iiv from samples, for a model whose p̂(r|c) can be computed.

The paper's audit of δ (§3.1) compares two fractions at the threshold 1/min_c|E_c|: of
training samples x ~ p, and of the model's own generations x̂ ~ p̂, how many the model
gives probability above the threshold. err_iiv is estimated on D's two halves: training
samples (labelled +) and random errors, r uniform in E_c (labelled −). Inputs are arrays of
p̂(r|c) values, so any model that can score a response works.

Intervals combine Wilson intervals for each fraction by Newcombe's square-and-add method
(MOVER), which keeps good coverage near 0 and 1 where Wald intervals fail.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from halluc.errors import InputError
from halluc.scoring.intervals import wilson_interval
from halluc.theory._checks import finite_float, integer, prob_array
from halluc.theory.bound import Bound, fmt
from halluc.theory.iiv import theorem1_bound


@dataclass(frozen=True)
class Estimate:
    value: float
    lo: float
    hi: float
    n: int
    confidence: float
    parts: dict[str, float]

    def to_dict(self) -> dict[str, object]:
        return {
            "value": self.value,
            "lo": self.lo,
            "hi": self.hi,
            "n": self.n,
            "confidence": self.confidence,
            "parts": dict(self.parts),
        }


def _fraction_above(
    values: npt.ArrayLike, threshold: float, field: str, confidence: float
) -> tuple[float, float, float, int]:
    v = prob_array(values, field)
    if v.size == 0:
        raise InputError("needs at least one sample", field=field)
    k = int(np.count_nonzero(v > threshold))
    lo, hi = wilson_interval(k, v.size, confidence)
    return k / v.size, float(lo), float(hi), int(v.size)


def _threshold(threshold: float | None, min_error_set: int | None) -> float:
    if (threshold is None) == (min_error_set is None):
        raise InputError("give exactly one of threshold or min_error_set", field="threshold")
    if threshold is not None:
        z = finite_float(threshold, "threshold")
        if not 0.0 <= z <= 1.0:
            raise InputError(f"must be in [0, 1], got {z:g}", field="threshold")
        return z
    return 1.0 / integer(min_error_set, "min_error_set", minimum=1)


def estimate_delta(
    p_hat_on_data: npt.ArrayLike,
    p_hat_on_generations: npt.ArrayLike,
    *,
    threshold: float | None = None,
    min_error_set: int | None = None,
    confidence: float = 0.95,
) -> Estimate:
    """δ̂ = |fraction of generations above the threshold − fraction of data above it|.

    ``p_hat_on_data``: p̂(r|c) for held-out training pairs (c, r) ~ p;
    ``p_hat_on_generations``: p̂(r̂|c) for the model's own samples r̂ ~ p̂(·|c), c ~ μ.
    The threshold is 1/min_c|E_c| (give ``min_error_set``) or any ``threshold``.
    """
    z = _threshold(threshold, min_error_set)
    a, a_lo, a_hi, na = _fraction_above(p_hat_on_generations, z, "p_hat_on_generations", confidence)
    b, b_lo, b_hi, nb = _fraction_above(p_hat_on_data, z, "p_hat_on_data", confidence)
    diff = a - b
    lo = diff - math.sqrt((a - a_lo) ** 2 + (b_hi - b) ** 2)
    hi = diff + math.sqrt((a_hi - a) ** 2 + (b - b_lo) ** 2)
    if lo <= 0.0 <= hi:
        abs_lo, abs_hi = 0.0, max(-lo, hi)
    else:
        abs_lo, abs_hi = min(abs(lo), abs(hi)), max(abs(lo), abs(hi))
    return Estimate(
        abs(diff),
        abs_lo,
        min(1.0, abs_hi),
        na + nb,
        confidence,
        {"p_hat(A)": a, "p(A)": b, "threshold": z, "signed": diff},
    )


def estimate_err_iiv(
    p_hat_on_data: npt.ArrayLike,
    p_hat_on_errors: npt.ArrayLike,
    *,
    threshold: float | None = None,
    min_error_set: int | None = None,
    confidence: float = 0.95,
) -> Estimate:
    """err_iiv = ½·Pr_p[p̂ ≤ z] + ½·Pr_errors[p̂ > z], estimated on the two halves of D.

    ``p_hat_on_errors``: p̂(r|c) for c ~ μ and r uniform over E_c (e.g. one of the 364 wrong
    DD-MM dates for a birthday prompt).
    """
    z = _threshold(threshold, min_error_set)
    fa, fa_lo, fa_hi, na = _fraction_above(p_hat_on_data, z, "p_hat_on_data", confidence)
    fp, fp_lo, fp_hi, nb = _fraction_above(p_hat_on_errors, z, "p_hat_on_errors", confidence)
    fn, fn_lo, fn_hi = 1.0 - fa, 1.0 - fa_hi, 1.0 - fa_lo
    value = 0.5 * (fn + fp)
    lo = value - 0.5 * math.sqrt((fn - fn_lo) ** 2 + (fp - fp_lo) ** 2)
    hi = value + 0.5 * math.sqrt((fn_hi - fn) ** 2 + (fp_hi - fp) ** 2)
    return Estimate(
        value,
        max(0.0, lo),
        min(1.0, hi),
        na + nb,
        confidence,
        {"false_negative_rate": fn, "false_positive_rate": fp, "threshold": z},
    )


def estimated_theorem1(
    err_iiv: Estimate, delta: Estimate, max_valid_set: int, min_error_set: int
) -> tuple[Bound, Bound]:
    """Theorem 1 from estimates: (point value, conservative value from the interval ends).

    The conservative bound uses the lower end of err_iiv and the upper end of δ; it holds
    whenever both intervals cover (probability >= 1 − 2·(1 − confidence) by a union bound).
    """
    point = theorem1_bound(err_iiv.value, max_valid_set, min_error_set, delta.value)
    cons = theorem1_bound(err_iiv.lo, max_valid_set, min_error_set, delta.hi)
    level = max(0.0, 1.0 - 2.0 * (1.0 - min(err_iiv.confidence, delta.confidence)))
    cons = Bound(
        cons.value,
        cons.terms,
        cons.statement + f" (interval ends; holds with probability >= {fmt(level)})",
        "lower",
        level,
        "Theorem 1 (estimated, conservative)",
    )
    return point, cons

"""Confidence intervals: Wilson (from statsmodels) for rates, multinomial bootstrap for scores.

Scores here are functions of an item's categorical outcome, so resampling n items with
replacement is exactly a multinomial draw of the outcome counts. Drawing counts instead of
items gives the same bootstrap distribution at a cost independent of n.
"""

from __future__ import annotations

from collections.abc import Callable
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from halluc.errors import InputError
from halluc.render.numbers import snap_noise

FloatArray = npt.NDArray[np.float64]


def z_value(confidence: float) -> float:
    """The two-sided normal quantile of a confidence level (1.96 for 0.95)."""
    if not 0.0 < confidence < 1.0:
        raise InputError(f"must be in (0, 1), got {confidence}", field="confidence")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def wilson_interval(
    successes: npt.ArrayLike, n: npt.ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for k successes in n trials (vectorized; n = 0 gives nan).

    statsmodels computes it; it divides by n, so n = 0 is handed to it as 1 and its result
    replaced by nan here, without the warning it would raise.
    """
    from statsmodels.stats.proportion import proportion_confint  # slow import: only when used

    if not 0.0 < confidence < 1.0:
        raise InputError(f"must be in (0, 1), got {confidence}", field="confidence")
    k = np.asarray(successes, dtype=np.float64)
    nn = np.asarray(n, dtype=np.float64)
    empty = nn <= 0
    lo, hi = proportion_confint(k, np.where(empty, 1.0, nn), alpha=1 - confidence, method="wilson")
    lo = np.where(empty, np.nan, lo)
    hi = np.where(empty, np.nan, hi)
    return snap_noise(np.asarray(lo, dtype=np.float64)), np.asarray(hi, dtype=np.float64)


CountStatistic = Callable[[FloatArray], FloatArray]
"""Maps an array of count vectors (..., K) to a statistic (...,)."""


def bootstrap_counts(
    counts: npt.ArrayLike,
    statistic: CountStatistic,
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic`` for one vector of category counts."""
    c = np.asarray(counts, dtype=np.int64)
    n = int(c.sum())
    if n == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, c / n, size=n_boot).astype(np.float64)
    values = statistic(draws)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return (float("nan"), float("nan"))
    alpha = (1.0 - confidence) / 2.0
    lo, hi = np.quantile(values, [alpha, 1.0 - alpha])
    return float(lo), float(hi)

"""Arbitrary facts (Definition 1), the singleton rate (Definition 2) and Theorem 2.

Definition 1: a prompt distribution μ, for each prompt c a response set R_c and a probability
of answering α_c; the correct answer a_c is uniform in R_c, independently per prompt; the
training distribution gives a_c with probability α_c and IDK otherwise. So V_c = {a_c, IDK}
(max_c|V_c| = 2) and E_c = R_c ∖ {a_c} (|E_c| = |R_c| − 1; 364 for fixed-format birthdays).

The singleton rate counts prompts seen exactly once *with an answer*, divided by N, the
number of ALL training examples, IDK ones included (DESIGN.md: easy to get wrong).

Theorem 2, with probability >= 1 − γ over the answers and the N training examples:

- any algorithm: ``err >= sr − 2/min_c|E_c| − 6 ln(3N/γ)/√N − δ`` (99%: ``(35 + 6 ln N)/√N``);
- the calibrated algorithm: ``err <= sr − sr/(max_c|E_c| + 1) + 5√(ln(5/γ)/N)`` (99%: 13/√N).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from halluc.errors import InputError
from halluc.theory._checks import (
    SUM_TOL,
    BoolArray,
    FloatArray,
    IntArray,
    confidence_gamma,
    count_array,
    distribution,
    finite_float,
    integer,
    prob_array,
    probability,
)
from halluc.theory.bound import Bound, fmt

#: The IDK response in integer-coded training samples.
IDK = -1


@dataclass(frozen=True)
class SingletonStats:
    """The singleton rate and the counts behind it.

    ``n`` counts ALL training examples (IDK included) and is the denominator of ``sr``;
    ``n_distinct`` counts prompts with at least one non-IDK example; ``n_idk`` the IDK
    examples.
    """

    sr: float
    n: int
    n_singletons: int
    n_distinct: int
    n_idk: int = 0

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SingletonStats:
        return cls(**data)


def _idk_mask(is_idk: npt.ArrayLike | None, n: int) -> BoolArray:
    if is_idk is None:
        return np.zeros(n, dtype=bool)
    m = np.asarray(is_idk)
    if m.shape != (n,):
        raise InputError(
            f"must have one entry per example ({n}), got shape {m.shape}", field="is_idk"
        )
    if m.dtype != np.bool_:
        if not np.isin(m, [0, 1]).all():
            raise InputError("must be booleans (or 0/1)", field="is_idk")
        m = m.astype(bool)
    return m


def _labels(prompts: npt.ArrayLike | Iterable[object]) -> npt.NDArray[Any]:
    """One label per example as a 1-D array (tuples and other hashables stay whole)."""
    if isinstance(prompts, np.ndarray):
        arr = prompts
    else:
        items = list(prompts)  # type: ignore[arg-type]
        arr = np.fromiter(items, dtype=object, count=len(items))
    if arr.ndim != 1:
        raise InputError(f"must be 1-dimensional, got shape {arr.shape}", field="prompts")
    return arr


def answered_counts(
    prompts: npt.ArrayLike | Iterable[object], is_idk: npt.ArrayLike | None = None
) -> IntArray:
    """How often each distinct prompt occurs with a non-IDK response (zeros dropped)."""
    arr = _labels(prompts)
    return _answered_counts(arr, _idk_mask(is_idk, arr.shape[0]))


def _answered_counts(arr: npt.NDArray[Any], idk: BoolArray) -> IntArray:
    kept = arr[~idk] if idk.any() else arr
    if kept.size == 0:
        return np.zeros(0, dtype=np.int64)
    codes, _ = pd.factorize(kept, use_na_sentinel=False)
    return np.bincount(codes).astype(np.int64)


def singleton_rate(
    prompts: npt.ArrayLike | Iterable[object], is_idk: npt.ArrayLike | None = None
) -> SingletonStats:
    """Definition 2: sr = |{c seen exactly once with a non-IDK answer}| / N (N counts IDK).

    ``prompts`` has one entry per training example (any hashable labels); ``is_idk`` marks
    the examples whose response is IDK.
    """
    arr = _labels(prompts)
    n = int(arr.shape[0])
    if n == 0:
        raise InputError("no training examples (N = 0)", field="prompts")
    idk = _idk_mask(is_idk, n)
    counts = _answered_counts(arr, idk)
    n_idk = int(np.count_nonzero(idk))
    s = int(np.count_nonzero(counts == 1))
    return SingletonStats(s / n, n, s, int(counts.size), n_idk)


@dataclass(frozen=True)
class TrainingSample:
    """N integer-coded training examples: prompt index and response (``IDK`` = -1)."""

    prompts: IntArray
    responses: IntArray

    @property
    def n(self) -> int:
        return int(self.prompts.size)

    @property
    def is_idk(self) -> BoolArray:
        return np.asarray(self.responses == IDK, dtype=np.bool_)

    def singleton_stats(self) -> SingletonStats:
        return singleton_rate(self.prompts, self.is_idk)


@dataclass(frozen=True, eq=False)
class ArbitraryFacts:
    """Definition 1 as a sampler: μ, α_c and |R_c| per prompt (create with :meth:`create`)."""

    mu: FloatArray
    alpha: FloatArray
    n_responses: IntArray

    @classmethod
    def create(
        cls,
        mu: npt.ArrayLike,
        alpha: npt.ArrayLike | float,
        n_responses: npt.ArrayLike | int,
        *,
        tol: float = SUM_TOL,
    ) -> ArbitraryFacts:
        m = distribution(mu, "mu", tol)
        a = prob_array(np.broadcast_to(np.asarray(alpha, dtype=np.float64), m.shape), "alpha")
        r_raw = np.broadcast_to(np.asarray(n_responses), m.shape)
        r = count_array(r_raw, "n_responses")
        if (r < 2).any():
            i = int(np.flatnonzero(r < 2)[0])
            raise InputError(
                f"prompt {i} has |R_c| = {int(r[i])}; needs >= 2 (|E_c| = |R_c| - 1 >= 1)",
                field="n_responses",
            )
        return cls(m, a.copy(), r.copy())

    @classmethod
    def uniform(cls, n_prompts: int, n_responses: int = 365, alpha: float = 1.0) -> ArbitraryFacts:
        k = integer(n_prompts, "n_prompts", minimum=1)
        return cls.create(np.full(k, 1.0 / k), alpha, n_responses)

    @classmethod
    def zipf(
        cls, n_prompts: int, exponent: float = 1.0, n_responses: int = 365, alpha: float = 1.0
    ) -> ArbitraryFacts:
        """μ(c) ∝ (rank + 1)^-exponent: a long tail of rarely mentioned facts."""
        k = integer(n_prompts, "n_prompts", minimum=1)
        s = finite_float(exponent, "exponent")
        w = np.arange(1, k + 1, dtype=np.float64) ** -s
        return cls.create(w / w.sum(), alpha, n_responses)

    @cached_property
    def _cdf(self) -> FloatArray:
        cdf: FloatArray = np.cumsum(self.mu)
        out: FloatArray = cdf / cdf[-1]
        return out

    @cached_property
    def _last_positive(self) -> IntArray:
        """For each prompt, the last prompt at or before it with μ > 0 (rounding guard)."""
        idx = np.where(self.mu > 0, np.arange(self.mu.size), 0)
        return np.maximum.accumulate(idx).astype(np.int64)

    @property
    def n_prompts(self) -> int:
        return int(self.mu.size)

    @property
    def error_set_sizes(self) -> IntArray:
        return self.n_responses - 1

    @property
    def min_error_set(self) -> int:
        return int(self.n_responses.min()) - 1

    @property
    def max_error_set(self) -> int:
        return int(self.n_responses.max()) - 1

    def sample_answers(self, rng: np.random.Generator) -> IntArray:
        """a_c uniform in R_c = {0, ..., |R_c| - 1}, independently per prompt."""
        return (rng.random(self.n_prompts) * self.n_responses).astype(np.int64)

    def sample_training(
        self, n: int, answers: npt.ArrayLike, rng: np.random.Generator
    ) -> TrainingSample:
        """N i.i.d. examples: c ~ μ, then a_c with probability α_c, else IDK."""
        k = integer(n, "n", minimum=1)
        a = np.asarray(answers, dtype=np.int64)
        if a.shape != (self.n_prompts,):
            raise InputError(f"needs one answer per prompt ({self.n_prompts})", field="answers")
        c = np.searchsorted(self._cdf, rng.random(k), side="right").astype(np.int64)
        np.minimum(c, self.n_prompts - 1, out=c)
        c = np.where(self.mu[c] > 0, c, self._last_positive[c])
        answered = rng.random(k) < self.alpha[c]
        return TrainingSample(c, np.where(answered, a[c], IDK).astype(np.int64))

    def unanswered(self, sample: TrainingSample) -> BoolArray:
        """U: prompts never seen with an answer (IDK examples do not count)."""
        seen = np.zeros(self.n_prompts, dtype=bool)
        seen[sample.prompts[~sample.is_idk]] = True
        return ~seen

    def missing_mass(self, sample: TrainingSample) -> float:
        """MM = Pr_{(c,r)~p}[c ∈ U and r ≠ IDK] = Σ_{c ∈ U} μ(c) α_c (Appendix B)."""
        u = self.unanswered(sample)
        return float(np.sum(self.mu * self.alpha, where=u))


def _check_sr_n(sr: float, n: int) -> tuple[float, int]:
    return probability(sr, "sr"), integer(n, "n", minimum=1)


def _printed(gamma: float, printed: bool | None) -> bool:
    """Whether the constants as printed apply: by default at γ = 0.01, the only γ they hold for."""
    use = (gamma == 0.01) if printed is None else printed
    if use and gamma != 0.01:
        raise InputError("the printed constants are for gamma = 0.01 only", field="gamma")
    return use


def lower_bound_slack(n: int, gamma: float = 0.01, *, printed: bool | None = None) -> float:
    """Theorem 2's lower-bound slack: (35 + 6 ln N)/√N at 99%, 6 ln(3N/γ)/√N in general."""
    k = integer(n, "n", minimum=1)
    g = confidence_gamma(gamma)
    if _printed(g, printed):
        return (35.0 + 6.0 * math.log(k)) / math.sqrt(k)
    return 6.0 * math.log(3.0 * k / g) / math.sqrt(k)


def upper_bound_slack(n: int, gamma: float = 0.01, *, printed: bool | None = None) -> float:
    """Theorem 2's upper-bound slack: 13/√N at 99%, 5√(ln(5/γ)/N) in general."""
    k = integer(n, "n", minimum=1)
    g = confidence_gamma(gamma)
    if _printed(g, printed):
        return 13.0 / math.sqrt(k)
    return 5.0 * math.sqrt(math.log(5.0 / g) / k)


def theorem2_lower_bound(
    sr: float,
    n: int,
    min_error_set: int,
    delta: float = 0.0,
    gamma: float = 0.01,
    *,
    printed: bool | None = None,
) -> Bound:
    """Theorem 2 lower bound, for any algorithm, with probability >= 1 − γ.

    ``err >= sr − 2/min_c|E_c| − slack − δ``, where the slack is ``(35 + 6 ln N)/√N`` as
    printed for γ = 0.01 and ``6 ln(3N/γ)/√N`` (Appendix B, Lemma 2) otherwise;
    ``printed=False`` forces the general form at γ = 0.01 (it is slightly smaller, since
    6 ln 300 ≈ 34.2 <= 35).
    """
    s, k = _check_sr_n(sr, n)
    e = integer(min_error_set, "min_error_set", minimum=1)
    d = probability(delta, "delta")
    g = confidence_gamma(gamma)
    slack = lower_bound_slack(k, g, printed=printed)
    value = s - 2.0 / e - slack - d
    slack_txt = "(35 + 6 ln N)/sqrt(N)" if _printed(g, printed) else "6 ln(3N/gamma)/sqrt(N)"
    terms = {
        "sr": s,
        "N": float(k),
        "min|E_c|": float(e),
        "2/min|E_c|": 2.0 / e,
        "slack": slack,
        "delta": d,
        "gamma": g,
    }
    statement = (
        f"err >= sr - 2/min|E_c| - {slack_txt} - delta = {fmt(s)} - {fmt(2.0 / e)} - "
        f"{fmt(slack)} - {fmt(d)} = {fmt(value)}  (probability >= {fmt(1 - g)})"
    )
    return Bound(value, terms, statement, "lower", 1.0 - g, "Theorem 2 (lower)")


def theorem2_upper_bound(
    sr: float,
    n: int,
    max_error_set: int,
    gamma: float = 0.01,
    *,
    printed: bool | None = None,
) -> Bound:
    """Theorem 2 upper bound for the calibrated algorithm (δ = 0), probability >= 1 − γ.

    ``err <= sr − sr/(max_c|E_c| + 1) + slack``: 13/√N as printed for γ = 0.01,
    ``5√(ln(5/γ)/N)`` otherwise. Note the **max** (the lower bound uses the min).
    """
    s, k = _check_sr_n(sr, n)
    big_l = integer(max_error_set, "max_error_set", minimum=1)
    g = confidence_gamma(gamma)
    slack = upper_bound_slack(k, g, printed=printed)
    share = s / (big_l + 1)
    value = s - share + slack
    slack_txt = "13/sqrt(N)" if _printed(g, printed) else "5 sqrt(ln(5/gamma)/N)"
    terms = {
        "sr": s,
        "N": float(k),
        "max|E_c|": float(big_l),
        "sr/(max|E_c|+1)": share,
        "slack": slack,
        "gamma": g,
    }
    statement = (
        f"err <= sr - sr/(max|E_c| + 1) + {slack_txt} = {fmt(s)} - {fmt(share)} + "
        f"{fmt(slack)} = {fmt(value)}  (calibrated algorithm; probability >= {fmt(1 - g)})"
    )
    return Bound(value, terms, statement, "upper", 1.0 - g, "Theorem 2 (upper)")


def lemma1_radius(n: int, gamma: float = 0.01) -> float:
    """Lemma 1: |MM − sr| <= 4.42·√(ln(5/γ)/N) with probability >= 1 − γ."""
    k = integer(n, "n", minimum=1)
    g = confidence_gamma(gamma)
    return 4.42 * math.sqrt(math.log(5.0 / g) / k)


def min_n_for_nonvacuous(
    sr: float, min_error_set: int, delta: float = 0.0, gamma: float = 0.01
) -> int | None:
    """The smallest N at which the lower bound is positive for this sr (None if never).

    The slack decreases in N (for N >= 3), so a doubling search followed by bisection finds
    the crossing. sr is held fixed, although in real data it changes with N.
    """
    s = probability(sr, "sr")
    e = integer(min_error_set, "min_error_set", minimum=1)
    d = probability(delta, "delta")
    target = s - 2.0 / e - d
    if target <= 0:
        return None

    def ok(k: int) -> bool:
        return lower_bound_slack(k, gamma) < target

    hi = 2
    while not ok(hi):
        hi *= 2
        if hi > 1 << 62:
            return None
    lo = hi // 2
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi

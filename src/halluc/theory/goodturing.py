"""Good–Turing quantities from frequency-of-frequencies, exact where int64 would overflow.

``F_r`` is the number of distinct items seen exactly r times in a sample of
``N = Σ r·F_r``. From it:

- the Good–Turing missing mass ``F1/N`` (Good 1953; skbio's ``robbins``) and Esty's (1983)
  normal-approximation interval with variance ``(F1(N − F1) + 2N·F2)/N³``;
- Chao1, the bias-corrected form ``S_obs + F1(F1 − 1)/(2(F2 + 1))`` (skbio's default) and
  the classic ``S_obs + F1²/(2F2)``;
- the McAllester–Ortiz concentration bound the paper quotes (Appendix B, Corollary 3):
  ``|M − F1/N| <= 1/N + 2.42·√(ln(4/γ)/N)`` with probability >= 1 − γ;
- Good–Toulmin extrapolation: new distinct items in t·N more samples,
  ``U(t) = −Σ_r (−t)^r F_r`` (unbiased under Poisson sampling, stable for t <= 1;
  binomially smoothed after Orlitsky, Suresh & Wu (2016) beyond), and of the singleton rate.

All arithmetic on counts uses Python integers and exact fractions, so inputs with billions of
singletons (where ``F1·(N − F1)`` or ``N³`` overflow int64, and scikit-bio's ``esty_ci``
returns nan) stay correct.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.stats import binom

from halluc.errors import InputError
from halluc.scoring.intervals import z_value
from halluc.theory._checks import confidence_gamma, count_array, finite_float, integer


def frequency_of_frequencies(counts: npt.ArrayLike) -> dict[int, int]:
    """r -> F_r (r >= 1) from per-item counts; zero counts are ignored, negatives rejected."""
    c = count_array(counts, "counts")
    c = c[c > 0]
    if c.size == 0:
        return {}
    r, f = np.unique(c, return_counts=True)
    return {int(a): int(b) for a, b in zip(r.tolist(), f.tolist(), strict=True)}


def fof_from_items(items: Iterable[object]) -> dict[int, int]:
    """Frequency-of-frequencies of a sample given item by item (any hashable labels)."""
    arr = items if isinstance(items, np.ndarray) else np.array(list(items), dtype=object)
    if arr.size == 0:
        return {}
    codes, _ = pd.factorize(arr.ravel(), use_na_sentinel=False)
    return frequency_of_frequencies(np.bincount(codes))


def _check_fof(fof: Mapping[int, int]) -> dict[int, int]:
    if not isinstance(fof, Mapping):
        raise InputError("must be a mapping r -> F_r", field="fof")
    out: dict[int, int] = {}
    for r, f in fof.items():
        rr = integer(r, "fof (r)", minimum=0)
        ff = integer(f, f"fof[{rr}]", minimum=0)
        if rr == 0 or ff == 0:
            continue  # F_0 (unseen) is unknown and not part of the sample
        out[rr] = out.get(rr, 0) + ff
    return dict(sorted(out.items()))


def _n(fof: Mapping[int, int]) -> int:
    return sum(r * f for r, f in fof.items())


def missing_mass(fof: Mapping[int, int]) -> float:
    """Good–Turing estimate of the probability of an unseen item: F1/N."""
    f = _check_fof(fof)
    n = _n(f)
    if n == 0:
        raise InputError("empty sample (N = 0)", field="fof")
    return float(Fraction(f.get(1, 0), n))


def esty_interval(fof: Mapping[int, int], confidence: float = 0.95) -> tuple[float, float, float]:
    """Esty's (1983) interval for the missing mass: (lo, hi, sd), clipped to [0, 1].

    The variance ``(F1(N − F1) + 2N·F2)/N³`` is 0 when every item is a singleton; the
    interval then collapses to [1, 1] — use :func:`mcallester_ortiz_radius` for a
    non-asymptotic interval there.
    """
    f = _check_fof(fof)
    n = _n(f)
    if n == 0:
        raise InputError("empty sample (N = 0)", field="fof")
    f1, f2 = f.get(1, 0), f.get(2, 0)
    var = Fraction(f1 * (n - f1) + 2 * n * f2, n**3)
    sd = math.sqrt(var)
    mm = float(Fraction(f1, n))
    z = z_value(confidence)
    return max(0.0, mm - z * sd), min(1.0, mm + z * sd), sd


def chao1(fof: Mapping[int, int], *, bias_corrected: bool = True) -> float:
    """Chao1 richness. Bias-corrected (default): S_obs + F1(F1 − 1)/(2(F2 + 1)).

    The classic form S_obs + F1²/(2F2) is undefined when F2 = 0; like scikit-bio, it then
    falls back to the bias-corrected form.
    """
    f = _check_fof(fof)
    s_obs = sum(f.values())
    f1, f2 = f.get(1, 0), f.get(2, 0)
    if not bias_corrected and f1 and f2:
        return float(s_obs + Fraction(f1 * f1, 2 * f2))
    return float(s_obs + Fraction(f1 * (f1 - 1), 2 * (f2 + 1)))


def mcallester_ortiz_radius(n: int, gamma: float = 0.05) -> float:
    """Corollary 3 (Appendix B): |M − F1/N| <= 1/N + 2.42√(ln(4/γ)/N) w.p. >= 1 − γ."""
    k = integer(n, "n", minimum=1)
    g = confidence_gamma(gamma)
    return 1.0 / k + 2.42 * math.sqrt(math.log(4.0 / g) / k)


def good_turing_summary(
    fof: Mapping[int, int], *, confidence: float = 0.95, gamma: float | None = None
) -> dict[str, float]:
    """Every Good–Turing quantity for one sample (counts are exact Python ints).

    Keys: ``n`` (Σ r·F_r), ``distinct``, ``f1``, ``f2``, ``missing_mass`` (F1/N),
    ``coverage`` (1 − F1/N), ``esty_lo``/``esty_hi``/``esty_sd`` at ``confidence``,
    ``mo_lo``/``mo_hi`` (McAllester–Ortiz at γ = 1 − confidence unless ``gamma`` given),
    ``chao1`` (bias-corrected), ``chao1_classic`` and ``unseen_chao1`` (chao1 − distinct).
    """
    f = _check_fof(fof)
    n = _n(f)
    if n == 0:
        raise InputError("empty sample (N = 0)", field="fof")
    g = 1.0 - confidence if gamma is None else gamma
    f1, f2 = f.get(1, 0), f.get(2, 0)
    mm = float(Fraction(f1, n))
    lo, hi, sd = esty_interval(f, confidence)
    rad = mcallester_ortiz_radius(n, g)
    c1 = chao1(f)
    distinct = sum(f.values())
    return {
        "n": n,
        "distinct": distinct,
        "f1": f1,
        "f2": f2,
        "missing_mass": mm,
        "coverage": 1.0 - mm,
        "esty_lo": lo,
        "esty_hi": hi,
        "esty_sd": sd,
        "mo_lo": max(0.0, mm - rad),
        "mo_hi": min(1.0, mm + rad),
        "chao1": c1,
        "chao1_classic": chao1(f, bias_corrected=False),
        "unseen_chao1": c1 - distinct,
    }


def adjusted_counts(fof: Mapping[int, int]) -> dict[int, float]:
    """Good–Turing adjusted counts r* = (r + 1)·F_{r+1}/F_r for every observed r."""
    f = _check_fof(fof)
    return {r: float(Fraction((r + 1) * f.get(r + 1, 0), fr)) for r, fr in f.items()}


Smoothing = Literal["auto", "none", "binomial"]


def good_toulmin(fof: Mapping[int, int], t: float, *, smoothing: Smoothing = "auto") -> float:
    """Expected number of new distinct items in t·N further samples.

    Unsmoothed ``−Σ_r (−t)^r F_r`` for t <= 1 (its variance explodes beyond). For t > 1,
    ``smoothing="binomial"`` (the default under "auto") uses Orlitsky, Suresh & Wu (2016):
    ``−Σ_r (−t)^r Pr[L >= r] F_r`` with L ~ Bin(k, 2/(t + 2)),
    ``k = ⌈½·log_3(N t²/(t − 1))⌉``.
    """
    f = _check_fof(fof)
    tt = finite_float(t, "t")
    if tt < 0:
        raise InputError(f"must be >= 0, got {tt:g}", field="t")
    n = _n(f)
    if n == 0:
        raise InputError("empty sample (N = 0)", field="fof")
    mode = smoothing
    if mode == "auto":
        mode = "none" if tt <= 1.0 else "binomial"
    if mode == "none":
        if tt > 1.0:
            raise InputError(
                f"unsmoothed Good–Toulmin is unstable for t > 1 (got {tt:g}); use binomial "
                "smoothing",
                field="t",
            )
        return -math.fsum(((-tt) ** r) * fr for r, fr in f.items())
    if mode != "binomial":
        raise InputError(f"unknown smoothing {smoothing!r}", field="smoothing")
    if tt <= 1.0:
        return good_toulmin(f, tt, smoothing="none")
    k = max(0, math.ceil(0.5 * math.log(n * tt * tt / (tt - 1.0), 3)))
    q = 2.0 / (tt + 2.0)
    # Pr[L >= r] = binom.sf(r - 1): 1 for r <= 0, 0 for r > k
    tail = {r: float(binom.sf(r - 1, k, q)) for r in f if r <= k}
    return -math.fsum(((-tt) ** r) * tail[r] * fr for r, fr in f.items() if r <= k)


def extrapolate_singleton_rate(
    fof: Mapping[int, int], n_new: int, *, n_total: int | None = None
) -> float:
    """Good–Toulmin-style estimate of the singleton rate at sample size ``n_new``.

    Under Poisson sampling the count of an item with rate λ at size N(1 + t) is
    Poisson(λ(1 + t)); expanding e^{−λt} gives the unbiased estimate
    ``E[F1(N(1+t))] = (1 + t)·Σ_{j>=0} (j + 1)(−t)^j F_{j+1}``, so
    ``sr(N') = Σ_j (j + 1)(−t)^j F_{j+1} / N`` with t = N'/N − 1. Valid for
    0 < N' <= 2N (−1 < t <= 1; interpolation below N is always stable).

    ``fof`` counts non-IDK examples per prompt; ``n_total`` is N including IDK examples
    (default Σ r·F_r, i.e. no IDK); IDK examples scale with N, so the formula is unchanged.
    """
    f = _check_fof(fof)
    n_ans = _n(f)
    n = n_ans if n_total is None else integer(n_total, "n_total", minimum=1)
    if n < n_ans:
        raise InputError(f"n_total ({n}) is below the answered examples ({n_ans})", field="n_total")
    if n == 0:
        raise InputError("empty sample (N = 0)", field="fof")
    m = integer(n_new, "n_new", minimum=1)
    t = float(Fraction(m - n, n))
    if t > 1.0:
        raise InputError(
            f"extrapolating beyond 2N is unstable (N = {n}, asked for {m}); the series in "
            "(-t)^j diverges in variance for t > 1",
            field="n_new",
        )
    total = math.fsum((r * (-t) ** (r - 1)) * fr for r, fr in f.items())
    return total / n

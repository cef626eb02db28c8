"""Good–Turing quantities, cross-checked against scikit-bio and nltk, and where they fail."""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skbio.diversity import alpha as skbio_alpha

from halluc.errors import InputError
from halluc.theory.goodturing import (
    adjusted_counts,
    chao1,
    esty_interval,
    extrapolate_singleton_rate,
    fof_from_items,
    frequency_of_frequencies,
    good_toulmin,
    good_turing_summary,
    mcallester_ortiz_radius,
    missing_mass,
)

small_counts = st.lists(st.integers(0, 7), min_size=1, max_size=40).filter(lambda c: sum(c) > 0)


@settings(derandomize=True, max_examples=400)
@given(small_counts)
def test_matches_scikit_bio_on_small_integer_inputs(counts: list[int]) -> None:
    fof = frequency_of_frequencies(counts)
    arr = np.array(counts)
    assert missing_mass(fof) == pytest.approx(skbio_alpha.robbins(arr), abs=1e-12)
    lo, hi, _ = esty_interval(fof)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        s_lo, s_hi = skbio_alpha.esty_ci(arr)
    # we clip to [0, 1], the range of a probability; skbio does not
    assert lo == pytest.approx(max(0.0, float(s_lo)), abs=1e-9)
    assert hi == pytest.approx(min(1.0, float(s_hi)), abs=1e-9)
    assert chao1(fof) == pytest.approx(skbio_alpha.chao1(arr), abs=1e-9)
    assert chao1(fof, bias_corrected=False) == pytest.approx(
        skbio_alpha.chao1(arr, bias_corrected=False), abs=1e-9
    )


@settings(derandomize=True, max_examples=200)
@given(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=60))
def test_matches_nltk_on_small_samples(items: list[str]) -> None:
    from nltk.probability import FreqDist

    fd = FreqDist(items)
    fof = fof_from_items(items)
    assert fof == {r: n for r, n in fd.r_Nr().items() if r > 0 and n > 0}
    assert fof.get(1, 0) == len(fd.hapaxes())
    assert sum(r * f for r, f in fof.items()) == fd.N()
    summ = good_turing_summary(fof)
    assert summ["missing_mass"] == pytest.approx(fd.Nr(1) / fd.N(), abs=1e-15)
    assert summ["distinct"] == fd.B()


def test_missing_mass_matches_nltk_simple_good_turing() -> None:
    from nltk.probability import FreqDist, SimpleGoodTuringProbDist

    fd = FreqDist({"a": 1, "b": 1, "c": 2, "d": 3, "e": 5, "f": 1, "g": 2})
    bins = 20
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        sgt = SimpleGoodTuringProbDist(fd, bins=bins)
    p0 = sgt.prob("never-seen") * (bins - fd.B())
    assert missing_mass(frequency_of_frequencies(list(fd.values()))) == pytest.approx(p0)


def test_all_singletons_where_the_libraries_degenerate() -> None:
    from nltk.probability import FreqDist, SimpleGoodTuringProbDist

    n = 50
    fof = {1: n}
    summ = good_turing_summary(fof)
    assert summ["missing_mass"] == 1.0
    assert summ["chao1"] == n + n * (n - 1) / 2
    assert summ["chao1_classic"] == summ["chao1"]  # F2 = 0: classic form undefined, falls back
    # Esty's variance is 0 here, as in scikit-bio; the McAllester-Ortiz interval is not
    assert (summ["esty_lo"], summ["esty_hi"]) == (1.0, 1.0)
    assert tuple(map(float, skbio_alpha.esty_ci(np.ones(n, dtype=int)))) == (1.0, 1.0)
    assert summ["mo_lo"] < 1.0 and summ["mo_hi"] == 1.0
    assert adjusted_counts(fof) == {1: 0.0}
    # nltk's Simple Good-Turing gives every *seen* item probability 0 on this input
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        sgt = SimpleGoodTuringProbDist(FreqDist({f"x{i}": 1 for i in range(n)}), bins=2 * n)
    assert sgt.prob("x0") == 0.0


def test_scikit_bio_esty_overflows_where_we_do_not() -> None:
    # N^3 overflows int64 once N > 2.1e6: scikit-bio returns nan
    n_single, n_double = 2_000_000, 100_000
    counts = np.concatenate([np.ones(n_single, dtype=np.int64), np.full(n_double, 2)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        s_lo, s_hi = skbio_alpha.esty_ci(counts)
    assert math.isnan(s_lo) and math.isnan(s_hi)
    fof = frequency_of_frequencies(counts)
    n = n_single + 2 * n_double
    lo, hi, sd = esty_interval(fof)
    exact_var = Fraction(n_single * (n - n_single) + 2 * n * n_double, n**3)
    assert sd == pytest.approx(math.sqrt(exact_var), rel=1e-12)
    assert lo < n_single / n < hi


def test_billions_of_singletons_stay_exact() -> None:
    f1, f2, f3 = 5_000_000_000, 3_000_000_000, 7
    fof = {1: f1, 2: f2, 3: f3}
    n = f1 + 2 * f2 + 3 * f3
    # the naive int64 product wraps around
    wrapped = (np.array([f1]) * np.array([n - f1]))[0]
    assert int(wrapped) != f1 * (n - f1)
    summ = good_turing_summary(fof)
    assert summ["n"] == n and isinstance(summ["n"], int)
    assert summ["missing_mass"] == float(Fraction(f1, n))
    var = Fraction(f1 * (n - f1) + 2 * n * f2, n**3)
    assert summ["esty_sd"] == pytest.approx(math.sqrt(var), rel=1e-12)
    assert summ["chao1"] == float(f1 + f2 + f3 + Fraction(f1 * (f1 - 1), 2 * (f2 + 1)))
    assert summ["chao1_classic"] == float(f1 + f2 + f3 + Fraction(f1 * f1, 2 * f2))


def test_fof_validation() -> None:
    assert frequency_of_frequencies([0, 3, 1, 1, 0]) == {1: 2, 3: 1}
    with pytest.raises(InputError, match="negative count"):
        frequency_of_frequencies([1, -2])
    with pytest.raises(InputError, match="whole number"):
        frequency_of_frequencies([1.5])
    with pytest.raises(InputError):
        missing_mass({})
    with pytest.raises(InputError):
        good_turing_summary({1: -3})


def test_good_toulmin_unsmoothed_formula_and_guard() -> None:
    fof = {1: 10, 2: 4, 3: 1}
    assert good_toulmin(fof, 0.5) == pytest.approx(10 * 0.5 - 4 * 0.25 + 1 * 0.125)
    assert good_toulmin(fof, 0.0) == 0.0
    with pytest.raises(InputError, match="unstable"):
        good_toulmin(fof, 2.0, smoothing="none")
    assert good_toulmin(fof, 2.0) >= 0.0  # binomial smoothing by default beyond t = 1


def _poisson_expectations(lam: np.ndarray, r_max: int) -> dict[int, float]:
    return {
        r: float(np.sum(np.exp(-lam) * lam**r) / math.factorial(r)) for r in range(1, r_max + 1)
    }


def test_singleton_extrapolation_is_unbiased_under_poisson_sampling() -> None:
    # E[estimate] computed exactly from the rates equals the true singleton rate at N(1+t)
    rng = np.random.default_rng(0)
    lam = rng.gamma(0.5, 0.8, size=2000)
    n = float(lam.sum())
    ef = _poisson_expectations(lam, 80)
    for t in (-0.5, 0.25, 0.8, 1.0):
        est = sum((r * (-t) ** (r - 1)) * f for r, f in ef.items()) / n
        truth = float(np.sum(np.exp(-lam * (1 + t)) * lam * (1 + t))) / (n * (1 + t))
        assert est == pytest.approx(truth, rel=1e-9)


def test_singleton_extrapolation_in_simulation() -> None:
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.full(5000, 0.3))
    n = 4000
    est, truth = [], []
    for _ in range(200):
        c1 = rng.multinomial(n, p)
        est.append(extrapolate_singleton_rate(frequency_of_frequencies(c1), 2 * n))
        c2 = rng.multinomial(2 * n, p)
        truth.append(np.count_nonzero(c2 == 1) / (2 * n))
    assert abs(np.mean(est) - np.mean(truth)) < 0.01
    with pytest.raises(InputError, match="unstable"):
        extrapolate_singleton_rate({1: 5, 2: 1}, 100)


def test_smoothed_good_toulmin_tracks_new_species_beyond_t1() -> None:
    rng = np.random.default_rng(2)
    p = rng.dirichlet(np.full(3000, 0.5))
    n, t = 2000, 3.0
    errs = []
    for _ in range(30):
        first = rng.multinomial(n, p)
        seen = first > 0
        more = rng.multinomial(int(t * n), p) > 0
        new = np.count_nonzero(more & ~seen)
        est = good_toulmin(frequency_of_frequencies(first), t)
        errs.append((est - new) / new)
    assert abs(float(np.mean(errs))) < 0.2


def test_mcallester_ortiz_covers_the_missing_mass() -> None:
    rng = np.random.default_rng(4)
    p = rng.dirichlet(np.full(2000, 0.4))
    n, gamma = 1500, 0.05
    rad = mcallester_ortiz_radius(n, gamma)
    misses = 0
    for _ in range(200):
        c = rng.multinomial(n, p)
        m = float(p[c == 0].sum())
        misses += abs(m - np.count_nonzero(c == 1) / n) > rad
    assert misses <= 0.05 * 200


def test_smoothed_good_toulmin_is_the_osw_formula_in_exact_arithmetic() -> None:
    """The binomial tails come from scipy; the sum matches the formula with rational tails."""
    fof = {1: 40, 2: 11, 3: 5, 5: 2, 9: 1}
    for t in (1.5, 3.0, 10.0):
        n = sum(r * f for r, f in fof.items())
        k = max(0, math.ceil(0.5 * math.log(n * t * t / (t - 1.0), 3)))
        q = Fraction(2) / (Fraction(t) + 2)
        exact = -sum(
            Fraction(-t) ** r
            * sum(math.comb(k, j) * q**j * (1 - q) ** (k - j) for j in range(r, k + 1))
            * f
            for r, f in fof.items()
            if r <= k
        )
        assert good_toulmin(fof, t) == pytest.approx(float(exact), rel=1e-12)

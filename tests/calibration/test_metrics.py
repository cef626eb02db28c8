import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from halluc.calibration.metrics import (
    aurc,
    auroc,
    brier_score,
    calibration_summary,
    equal_mass_bins,
    equal_width_bins,
    expected_calibration_error,
    optimal_aurc,
    reliability_curve,
    risk_coverage_curve,
)


def off_edge_sample(n: int, n_bins: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Confidences that avoid interior bin edges (where sklearn's (lo, hi] bins and our
    [lo, hi) bins differ by convention), plus the exact endpoints 0 and 1."""
    rng = np.random.default_rng(seed)
    c = rng.uniform(0, 1, n)
    edges = np.arange(1, n_bins) / n_bins
    near = np.min(np.abs(c[:, None] - edges[None, :]), axis=1) < 1e-9
    c[near] += 1e-6
    c[:3] = [0.0, 1.0, 1.0]
    y = rng.uniform(0, 1, n) < c**1.5
    return c, y


@pytest.mark.parametrize(("n", "n_bins", "seed"), [(500, 10, 0), (2000, 15, 1), (37, 5, 2)])
def test_equal_width_reliability_matches_sklearn(n: int, n_bins: int, seed: int) -> None:
    c, y = off_edge_sample(n, n_bins, seed)
    curve = reliability_curve(c, y, n_bins, "width")
    prob_true, prob_pred = calibration_curve(y, c, n_bins=n_bins, strategy="uniform")
    used = curve.count > 0
    np.testing.assert_allclose(curve.accuracy[used], prob_true, rtol=0, atol=1e-12)
    np.testing.assert_allclose(curve.mean_confidence[used], prob_pred, rtol=0, atol=1e-12)
    # ECE from sklearn's per-bin values and numpy's histogram counts.
    counts, _ = np.histogram(c, bins=np.linspace(0, 1, n_bins + 1))
    ref = np.sum(counts[counts > 0] * np.abs(prob_true - prob_pred)) / n
    assert expected_calibration_error(c, y, n_bins, "width") == pytest.approx(ref, abs=1e-12)


@pytest.mark.parametrize(("n", "n_bins", "seed"), [(1000, 10, 3), (300, 15, 4), (64, 8, 5)])
def test_equal_mass_reliability_matches_sklearn_quantile_bins(
    n: int, n_bins: int, seed: int
) -> None:
    # With distinct confidences and n divisible by the number of bins, sklearn's quantile
    # edges cut exactly where our equal-size groups do.
    assert n % n_bins == 0
    c, y = off_edge_sample(n, n_bins, seed)
    assert np.unique(c).size == n - 1  # only the two 1.0s tie, inside the last bin
    curve = reliability_curve(c, y, n_bins, "mass")
    prob_true, prob_pred = calibration_curve(y, c, n_bins=n_bins, strategy="quantile")
    assert (curve.count == n // n_bins).all()
    np.testing.assert_allclose(curve.accuracy, prob_true, atol=1e-12)
    np.testing.assert_allclose(curve.mean_confidence, prob_pred, atol=1e-12)
    ref = np.mean(np.abs(prob_true - prob_pred))
    assert expected_calibration_error(c, y, n_bins, "mass") == pytest.approx(ref, abs=1e-12)


def test_brier_matches_sklearn() -> None:
    c, y = off_edge_sample(3000, 10, 7)
    assert brier_score(c, y) == pytest.approx(brier_score_loss(y, c), abs=1e-12)


def pairwise_auroc(c: np.ndarray, y: np.ndarray) -> float:
    """P(a correct answer's confidence > a wrong one's), a tie counting one half: every pair."""
    pos, neg = c[y], c[~y]
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (pos.size * neg.size))


@given(
    st.lists(
        st.tuples(st.sampled_from([0.0, 0.1, 0.5, 0.8, 0.9, 1.0]), st.booleans()),
        min_size=2,
        max_size=40,
    )
)
def test_auroc_counts_ties_one_half(pairs: list[tuple[float, bool]]) -> None:
    c = np.array([p[0] for p in pairs])
    y = np.array([p[1] for p in pairs])
    if y.all() or not y.any():
        assert math.isnan(auroc(c, y))
    else:
        assert auroc(c, y) == pytest.approx(pairwise_auroc(c, y), abs=1e-12)


def test_confidence_exactly_one_falls_in_the_last_bin() -> None:
    ids = equal_width_bins(np.array([0.0, 1.0, 0.999999, 0.3, 0.7, 0.1]), 10)
    assert ids.tolist() == [0, 9, 9, 3, 7, 1]
    curve = reliability_curve([1.0, 1.0, 0.95], [1, 0, 1], 10, "width")
    assert curve.count[-1] == 3
    assert curve.accuracy[-1] == pytest.approx(2 / 3)
    assert curve.hi[-1] == 1.0


@given(st.integers(1, 40), st.data())
def test_each_left_edge_opens_its_bin(n_bins: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(0, n_bins - 1))
    assert equal_width_bins(np.array([k / n_bins]), n_bins)[0] == k


@given(
    st.lists(st.floats(0, 1), min_size=1, max_size=200),
    st.integers(1, 25),
)
def test_equal_mass_bins_are_sorted_and_balanced(values: list[float], n_bins: int) -> None:
    c = np.array(values)
    ids = equal_mass_bins(c, n_bins)
    sizes = np.bincount(ids)
    assert sizes.size == min(n_bins, c.size)
    assert sizes.max() - sizes.min() <= 1
    for k in range(sizes.size - 1):
        assert c[ids == k].max() <= c[ids == k + 1].min()


def test_ece_separates_calibrated_from_overconfident() -> None:
    rng = np.random.default_rng(11)
    c = rng.uniform(0, 1, 200_000)
    calibrated = rng.uniform(size=c.size) < c
    overconfident = rng.uniform(size=c.size) < c**2
    for strategy in ("width", "mass"):
        assert expected_calibration_error(c, calibrated, 10, strategy) < 0.01
        # E|c - c^2| over uniform c is 1/6; binning removes little of it.
        gap = expected_calibration_error(c, overconfident, 10, strategy)
        assert gap == pytest.approx(1 / 6, abs=0.01)


def brute_force_aurc(c: np.ndarray, y: np.ndarray) -> float:
    """Mean over all orders of tied items of the mean risk among the top k."""
    groups = sorted({float(v) for v in c}, reverse=True)
    blocks = [np.flatnonzero(c == g) for g in groups]
    totals = []
    for perms in itertools.product(*(itertools.permutations(b) for b in blocks)):
        order = np.concatenate([np.array(p, dtype=np.int64) for p in perms])
        wrong = ~y[order]
        totals.append(np.mean(np.cumsum(wrong) / np.arange(1, len(order) + 1)))
    return float(np.mean(totals))


@given(
    st.lists(
        st.tuples(st.sampled_from([0.1, 0.4, 0.4001, 0.8, 1.0]), st.booleans()),
        min_size=1,
        max_size=7,
    )
)
def test_aurc_equals_the_mean_over_tie_orders(pairs: list[tuple[float, bool]]) -> None:
    c = np.array([p[0] for p in pairs])
    y = np.array([p[1] for p in pairs])
    assert aurc(c, y) == pytest.approx(brute_force_aurc(c, y), abs=1e-12)
    assert optimal_aurc(y) <= aurc(c, y) + 1e-12


def test_risk_coverage_curve_without_ties() -> None:
    c = np.array([0.9, 0.2, 0.6, 0.8])
    y = np.array([True, False, False, True])
    rc = risk_coverage_curve(c, y)
    assert rc.threshold.tolist() == [0.9, 0.8, 0.6, 0.2]
    assert rc.coverage.tolist() == [0.25, 0.5, 0.75, 1.0]
    assert rc.risk.tolist() == pytest.approx([0.0, 0.0, 1 / 3, 0.5])
    assert aurc(c, y) == pytest.approx((0 + 0 + 1 / 3 + 0.5) / 4)
    assert optimal_aurc(y) == pytest.approx((0 + 0 + 1 / 3 + 0.5) / 4)
    assert auroc(c, y) == 1.0


def test_summary_and_degenerate_inputs() -> None:
    s = calibration_summary([0.9, 0.8, 0.3], [1, 1, 0], n_bins=10)
    assert s.n == 3
    assert s.accuracy == pytest.approx(2 / 3)
    assert s.brier == pytest.approx((0.01 + 0.04 + 0.09) / 3)
    assert s.excess_aurc == pytest.approx(0.0)
    empty = calibration_summary([], [], n_bins=10)
    assert empty.n == 0 and math.isnan(empty.ece_width) and math.isnan(empty.aurc)
    assert math.isnan(auroc([0.5, 0.6], [1, 1]))


@pytest.mark.parametrize(
    ("conf", "correct", "message"),
    [
        ([0.5, float("nan")], [1, 0], "item 1"),
        ([0.5, 1.2], [1, 0], "must be in \\[0, 1\\]"),
        ([0.5], [1, 0], "1 confidences but 2"),
        ([0.5, 0.5], [1, 2], "correctness must be 0/1"),
    ],
)
def test_bad_input_is_named(conf: list[float], correct: list[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        reliability_curve(conf, correct)


def test_bad_bin_count() -> None:
    with pytest.raises(ValueError, match="n_bins"):
        expected_calibration_error([0.5], [1], 0)
    with pytest.raises(ValueError, match="strategy"):
        reliability_curve([0.5], [1], 10, "quantile")  # type: ignore[arg-type]

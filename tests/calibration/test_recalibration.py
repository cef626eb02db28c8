"""Recalibration in numpy, cross-checked against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.calibration import _sigmoid_calibration
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from halluc.calibration.recalibration import Calibrator, _logit, auroc, cross_fit, fit_logistic, pav


def _data(seed: int, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    s = np.round(rng.uniform(size=n), 2)  # ties on purpose
    y = (rng.uniform(size=n) < s**2).astype(float)
    return s, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_isotonic_matches_sklearn(seed: int) -> None:
    s, y = _data(seed)
    ours = Calibrator.fit(s, y, "isotonic")
    ref = IsotonicRegression(out_of_bounds="clip").fit(s, y)
    grid = np.linspace(-0.2, 1.2, 141)
    np.testing.assert_allclose(ours.predict(grid), ref.predict(grid), atol=1e-12)
    np.testing.assert_allclose(ours.predict(s), ref.predict(s), atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_platt_matches_sklearn(seed: int) -> None:
    s, y = _data(seed)
    f = _logit(s)
    a, b = fit_logistic(f, y, smooth=False)
    lr = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(f[:, None], y)
    assert a == pytest.approx(lr.coef_[0, 0], rel=1e-5)
    assert b == pytest.approx(lr.intercept_[0], rel=1e-5, abs=1e-6)
    a, b = fit_logistic(f, y, smooth=True)
    sk_a, sk_b = _sigmoid_calibration(f, y)  # sklearn's p = 1/(1+exp(A f + B))
    assert a == pytest.approx(-sk_a, rel=1e-5) and b == pytest.approx(-sk_b, rel=1e-5)


def test_platt_stays_finite_when_classes_separate() -> None:
    s = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    y = np.array([0, 0, 0, 1, 1, 1.0])
    cal = Calibrator.fit(s, y, "platt")
    p = cal.predict(s)
    assert np.all(np.isfinite(p)) and np.all(np.diff(p) > 0)
    assert Calibrator.from_dict(cal.to_dict()).predict(s) == pytest.approx(p)


@given(st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=60))
def test_pav_is_monotone_and_keeps_the_mean(y: list[float]) -> None:
    fit = pav(y)
    assert np.all(np.diff(fit) >= -1e-12)
    assert fit.mean() == pytest.approx(np.mean(y), abs=1e-9)


def test_cross_fit_never_uses_an_items_own_label() -> None:
    s, y = _data(3, 200)
    ids = [f"item-{i}" for i in range(len(s))]
    base = cross_fit(ids, s, y, "isotonic", folds=5)
    for i in (0, 17, 99):
        flipped = y.copy()
        flipped[i] = 1 - flipped[i]
        other = cross_fit(ids, s, flipped, "isotonic", folds=5)
        assert other.calibrated[i] == base.calibrated[i]
    assert base.full is not None and base.full.n == len(s)
    # unlabelled items are scored but not fitted on
    y2 = y.copy()
    y2[:10] = np.nan
    part = cross_fit(ids, s, y2, "isotonic", folds=5)
    assert np.all(np.isfinite(part.calibrated)) and part.full is not None
    assert part.full.n == len(s) - 10


def test_auroc_matches_sklearn() -> None:
    s, y = _data(4)
    assert auroc(s, y > 0.5) == pytest.approx(roc_auc_score(y, s))

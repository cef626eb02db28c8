"""Recalibration with scikit-learn: isotonic regression, Platt scaling, cross-fitting, and
calibrators saved by earlier versions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.calibration import _sigmoid_calibration
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from halluc.calibration.recalibration import (
    CalibrationMethod,
    Calibrator,
    _logit,
    cross_fit,
    fit_platt,
    parse_calibration_method,
)
from halluc.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures"


def _data(seed: int, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    s = np.round(rng.uniform(size=n), 2)  # ties on purpose
    y = (rng.uniform(size=n) < s**2).astype(float)
    return s, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_saved_isotonic_points_predict_what_sklearn_predicts(seed: int) -> None:
    s, y = _data(seed)
    ours = Calibrator.from_dict(json.loads(json.dumps(Calibrator.fit(s, y, "isotonic").to_dict())))
    ref = IsotonicRegression(out_of_bounds="clip").fit(s, y)
    grid = np.linspace(-0.2, 1.2, 141)
    np.testing.assert_allclose(ours.predict(grid), ref.predict(grid), atol=1e-12)
    np.testing.assert_allclose(ours.predict(s), ref.predict(s), atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1])
def test_platt_is_sklearns_sigmoid_calibration(seed: int) -> None:
    s, y = _data(seed)
    f = _logit(s)
    a, b = fit_platt(f, y)
    sk_a, sk_b = _sigmoid_calibration(f, y)  # sklearn's p = 1/(1+exp(A f + B))
    assert a == pytest.approx(-sk_a, rel=1e-6) and b == pytest.approx(-sk_b, rel=1e-6)


def test_platt_stays_finite_when_classes_separate() -> None:
    s = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    y = np.array([0, 0, 0, 1, 1, 1.0])
    cal = Calibrator.fit(s, y, "platt")
    p = cal.predict(s)
    assert np.all(np.isfinite(p)) and np.all(np.diff(p) > 0)
    # Platt's smoothed targets keep the slope moderate: the probabilities stay inside
    # [1/(N-+2), (N++1)/(N++2)] = [0.2, 0.8] on the data's range
    assert p.min() > 0.1 and p.max() < 0.9
    # unsmoothed maximum likelihood has no finite optimum here: its slope grows without bound,
    # so sklearn's plain logistic regression stops wherever its solver gives up
    plain = LogisticRegression(C=np.inf, max_iter=10_000).fit(_logit(s)[:, None], y)
    assert plain.coef_[0, 0] > 5 * cal.params["a"]
    assert Calibrator.from_dict(cal.to_dict()).predict(s) == pytest.approx(p)


@given(st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=60))
def test_isotonic_fit_is_monotone_and_keeps_the_mean(y: list[float]) -> None:
    s = np.arange(len(y), dtype=float) / max(len(y), 1)
    cal = Calibrator.fit(s, y, "isotonic")
    fit = cal.predict(s)
    assert np.all(np.diff(fit) >= -1e-12)
    assert fit.mean() == pytest.approx(np.mean(y), abs=1e-9)


@pytest.mark.parametrize("method", ["isotonic", "platt"])
def test_calibrators_saved_by_the_numpy_version_predict_the_same(method: str) -> None:
    """calibrator.json files written by a run of the numpy implementation (main at bc78e1c)."""
    saved = json.loads((FIXTURES / "calibrator_predictions.json").read_text())
    cal = Calibrator.load(FIXTURES / f"calibrator_{method}.json")
    assert cal.method == method
    assert cal.predict(np.array(saved["grid"])).tolist() == saved[method]


def test_a_broken_calibrator_file_is_one_error_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "calibrator.json"
    bad.write_text('{"params": {}}')
    with pytest.raises(InputError, match="no 'method'") as info:
        Calibrator.load(bad)
    assert info.value.path == str(bad)
    bad.write_text('{"method": "isotonic", "params": {"x": [0, 1], "y": [0, 3]}}')
    with pytest.raises(InputError, match="y in \\[0, 1\\]"):
        Calibrator.load(bad)
    with pytest.raises(InputError, match="unknown recalibration 'beta'") as named:
        parse_calibration_method("beta")
    assert named.value.field == "recalibration"


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
    none = cross_fit(ids, s, y, CalibrationMethod.NONE, folds=5)
    assert none.full is None and none.calibrated.tolist() == np.clip(s, 0, 1).tolist()

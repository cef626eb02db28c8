"""Recalibrating raw confidence scores with scikit-learn: isotonic regression and Platt scaling.

A raw score (mean token probability, agreement rate, a verbalized number) is mapped to an
estimate of P(correct) by a :class:`Calibrator` fitted on items whose correctness is known.
The ``policy`` mode then answers iff the calibrated probability exceeds t.

- **isotonic**: ``sklearn.isotonic.IsotonicRegression(out_of_bounds="clip")``; the fitted
  points are saved, and predictions interpolate linearly between them, clipped outside (what
  the scikit-learn model predicts, without needing scikit-learn to apply a saved calibrator);
- **platt**: a logistic curve ``1 / (1 + exp(-(a * f(s) + b)))`` with ``f`` the logit of the
  score (or the score itself), fitted with Platt's smoothed targets ``(N+ + 1) / (N+ + 2)`` and
  ``1 / (N- + 2)`` as scikit-learn's sigmoid calibration does. Plain logistic regression has
  no finite maximum when the classes separate (scikit-learn then stops wherever its solver
  gives up); the smoothed targets keep the fit finite. They are fitted by scikit-learn's
  unpenalized ``LogisticRegression``, each item entered twice: labelled 1 with weight t_i and
  labelled 0 with weight 1 - t_i, whose likelihood is the cross-entropy with the soft target.

:func:`cross_fit` gives every item a calibrated score from a calibrator fitted on the *other*
folds (items are assigned to folds by a hash of their id), so no item is scored by a model that
saw its own label, and every item of the run is a held-out item.

A calibrator is saved as ``{"method", "params", "n", "n_correct"}``; files written by earlier
versions (which fitted in numpy) load and predict the same values.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from halluc.errors import InputError
from halluc.log.jsonl import read_json

FloatArray = npt.NDArray[np.float64]
_EPS = 1e-6
FEATURES = ("logit", "identity")


class CalibrationMethod(StrEnum):
    NONE = "none"
    ISOTONIC = "isotonic"
    PLATT = "platt"


def parse_calibration_method(value: str) -> CalibrationMethod:
    """A method from its name; an unknown name is an error naming the ``recalibration`` field."""
    try:
        return CalibrationMethod(value)
    except ValueError:
        known = ", ".join(m.value for m in CalibrationMethod)
        raise InputError(
            f"unknown recalibration {value!r} (known: {known})", field="recalibration"
        ) from None


def _logit(s: FloatArray) -> FloatArray:
    c = np.clip(s, _EPS, 1.0 - _EPS)
    return np.asarray(np.log(c) - np.log1p(-c), dtype=np.float64)


def fit_isotonic(scores: FloatArray, correct: FloatArray) -> dict[str, Any]:
    """The fitted points of scikit-learn's isotonic regression (ties pooled)."""
    from sklearn.isotonic import IsotonicRegression

    model = IsotonicRegression(out_of_bounds="clip").fit(scores, correct)
    return {
        "x": np.asarray(model.X_thresholds_, dtype=np.float64).tolist(),
        "y": np.asarray(model.y_thresholds_, dtype=np.float64).tolist(),
    }


def platt_targets(correct: FloatArray) -> FloatArray:
    """Platt's smoothed targets: (N+ + 1)/(N+ + 2) for a correct item, 1/(N- + 2) otherwise."""
    n_pos = float(correct.sum())
    n_neg = float(correct.size) - n_pos
    return np.where(correct > 0.5, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))


def fit_platt(feature: FloatArray, correct: FloatArray) -> tuple[float, float]:
    """(a, b) of ``sigmoid(a * feature + b)`` fitted to Platt's smoothed targets."""
    from sklearn.linear_model import LogisticRegression

    target = platt_targets(correct)
    n = feature.size
    x = np.concatenate([feature, feature])[:, None]
    labels = np.concatenate([np.ones(n), np.zeros(n)])
    weights = np.concatenate([target, 1.0 - target])
    model = LogisticRegression(C=np.inf, solver="newton-cg", tol=1e-12, max_iter=1000)
    model.fit(x, labels, sample_weight=weights)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


@dataclass(slots=True)
class Calibrator:
    """A fitted map from raw score to P(correct)."""

    method: CalibrationMethod
    params: dict[str, Any] = field(default_factory=dict)
    n: int = 0
    n_correct: int = 0

    @classmethod
    def fit(
        cls,
        scores: npt.ArrayLike,
        correct: npt.ArrayLike,
        method: CalibrationMethod | str = CalibrationMethod.ISOTONIC,
        *,
        feature: str = "logit",
    ) -> Calibrator:
        m = CalibrationMethod(method)
        s = np.asarray(scores, dtype=np.float64)
        y = np.asarray(correct, dtype=np.float64)
        if s.shape != y.shape or s.ndim != 1:
            raise ValueError("scores and labels must be 1-d arrays of the same length")
        if len(s) == 0:
            raise ValueError("cannot fit a calibrator on no items")
        if not np.isfinite(s).all():
            raise ValueError("scores must be finite")
        params: dict[str, Any]
        if m is CalibrationMethod.NONE:
            params = {}
        elif m is CalibrationMethod.ISOTONIC:
            params = fit_isotonic(s, y)
        else:
            if feature not in FEATURES:
                raise ValueError(f"feature must be 'logit' or 'identity', got {feature!r}")
            a, b = fit_platt(_logit(s) if feature == "logit" else s, y)
            params = {"a": a, "b": b, "feature": feature}
        return cls(m, params, len(s), int(y.sum()))

    def predict(self, scores: npt.ArrayLike) -> FloatArray:
        s = np.asarray(scores, dtype=np.float64)
        if self.method is CalibrationMethod.NONE:
            return np.clip(s, 0.0, 1.0)
        if self.method is CalibrationMethod.ISOTONIC:
            x = np.asarray(self.params["x"], dtype=np.float64)
            y = np.asarray(self.params["y"], dtype=np.float64)
            return np.asarray(np.interp(s, x, y), dtype=np.float64)
        f = _logit(s) if self.params.get("feature", "logit") == "logit" else s
        z = float(self.params["a"]) * f + float(self.params["b"])
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": str(self.method),
            "params": self.params,
            "n": self.n,
            "n_correct": self.n_correct,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibrator:
        """A calibrator from :meth:`to_dict`'s form; ``ValueError`` naming the bad key if not."""
        if "method" not in data:
            raise ValueError("not a calibrator (no 'method')")
        try:
            method = CalibrationMethod(data["method"])
        except ValueError:
            raise ValueError(f"unknown method {data['method']!r}") from None
        params = dict(data.get("params") or {})
        _check_params(method, params)
        return cls(method, params, int(data.get("n", 0)), int(data.get("n_correct", 0)))

    @classmethod
    def load(cls, path: str | Path) -> Calibrator:
        """A saved ``calibrator.json``; an unusable file is an :class:`InputError` naming it."""
        value = read_json(path)
        if not isinstance(value, Mapping):
            raise InputError("not a calibrator.json (not a JSON object)", path=path)
        try:
            return cls.from_dict(value)
        except (TypeError, ValueError, KeyError) as exc:
            raise InputError(f"not a calibrator.json: {exc}", path=path) from None


def _check_params(method: CalibrationMethod, params: Mapping[str, Any]) -> None:
    """Refuse parameters that cannot predict a probability (a hand-edited file, say)."""
    if method is CalibrationMethod.ISOTONIC:
        x = np.asarray(params.get("x", []), dtype=np.float64)
        y = np.asarray(params.get("y", []), dtype=np.float64)
        if x.size == 0 or x.shape != y.shape:
            raise ValueError("isotonic 'params' need lists 'x' and 'y' of the same length")
        if not (np.isfinite(x).all() and (y >= 0).all() and (y <= 1).all()):
            raise ValueError("isotonic 'params': x must be finite and y in [0, 1]")
    elif method is CalibrationMethod.PLATT:
        for key in ("a", "b"):
            if not math.isfinite(float(params[key])):
                raise ValueError(f"platt 'params': {key} must be finite")
        if params.get("feature", "logit") not in FEATURES:
            raise ValueError(f"platt 'params': feature must be one of {', '.join(FEATURES)}")


def fold_of(item_id: str, folds: int, seed: int = 0) -> int:
    """The cross-fitting fold of an item: a stable hash of its id."""
    digest = hashlib.sha256(f"{seed}:{item_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % folds


@dataclass(slots=True)
class CrossFit:
    calibrated: FloatArray
    folds: list[int]
    calibrators: list[Calibrator | None]
    full: Calibrator | None


def cross_fit(
    item_ids: Sequence[str],
    scores: npt.ArrayLike,
    correct: npt.ArrayLike,
    method: CalibrationMethod | str,
    *,
    folds: int = 5,
    seed: int = 0,
) -> CrossFit:
    """Held-out calibrated scores: each fold scored by a calibrator fitted on the others.

    ``correct`` is 1/0 for items whose answer was graded correct/incorrect and NaN for items
    that carry no label (the model abstained, or grading failed): those are not fitted on but
    are still scored. A fold whose complement has no labelled item keeps its raw scores
    clipped to [0, 1] (its calibrator is ``None``). ``full`` is fitted on every labelled item,
    to be reused on new data.
    """
    m = CalibrationMethod(method)
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(correct, dtype=np.float64)
    if folds < 2:
        raise ValueError(f"need at least 2 folds, got {folds}")
    fold = np.array([fold_of(i, folds, seed) for i in item_ids], dtype=np.int64)
    labelled = np.isfinite(y) & np.isfinite(s)
    out = np.clip(s, 0.0, 1.0)
    calibrators: list[Calibrator | None] = []
    for k in range(folds):
        train = labelled & (fold != k)
        target = fold == k
        if m is CalibrationMethod.NONE or not train.any():
            calibrators.append(None)
            continue
        cal = Calibrator.fit(s[train], y[train], m)
        calibrators.append(cal)
        finite = target & np.isfinite(s)
        out[finite] = cal.predict(s[finite])
    full = (
        Calibrator.fit(s[labelled], y[labelled], m)
        if m is not CalibrationMethod.NONE and labelled.any()
        else None
    )
    return CrossFit(out, fold.tolist(), calibrators, full)

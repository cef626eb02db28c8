"""Recalibrating raw confidence scores: isotonic regression and Platt scaling, in numpy.

A raw score (mean token probability, agreement rate, a verbalized number) is mapped to an
estimate of P(correct) by a :class:`Calibrator` fitted on items whose correctness is known.
The ``policy`` mode then answers iff the calibrated probability exceeds t.

- **isotonic**: pool-adjacent-violators on the scores (ties averaged first), predictions by
  linear interpolation between the fitted points, clipped outside them (what scikit-learn's
  ``IsotonicRegression(out_of_bounds="clip")`` does);
- **platt**: a logistic curve ``1 / (1 + exp(-(a * f(s) + b)))`` with ``f`` the logit of the
  score (or the score itself), fitted by Newton's method with Platt's smoothed targets
  ``(N+ + 1) / (N+ + 2)`` and ``1 / (N- + 2)`` (as scikit-learn's sigmoid calibration), which
  keeps the fit finite when the classes separate.

:func:`cross_fit` gives every item a calibrated score from a calibrator fitted on the *other*
folds (items are assigned to folds by a hash of their id), so no item is scored by a model that
saw its own label, and every item of the run is a held-out item.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
_EPS = 1e-6


class CalibrationMethod(StrEnum):
    NONE = "none"
    ISOTONIC = "isotonic"
    PLATT = "platt"


def pav(y: npt.ArrayLike, w: npt.ArrayLike | None = None) -> FloatArray:
    """Pool adjacent violators: the non-decreasing fit to ``y`` (in the given order)."""
    yv = np.asarray(y, dtype=np.float64)
    wv = np.ones_like(yv) if w is None else np.asarray(w, dtype=np.float64)
    means: list[float] = []
    weights: list[float] = []
    sizes: list[int] = []
    for yi, wi in zip(yv.tolist(), wv.tolist(), strict=True):
        means.append(yi)
        weights.append(wi)
        sizes.append(1)
        while len(means) > 1 and means[-2] > means[-1]:
            wt = weights[-2] + weights[-1]
            m = (means[-2] * weights[-2] + means[-1] * weights[-1]) / wt
            size = sizes[-2] + sizes[-1]
            del means[-1], weights[-1], sizes[-1]
            means[-1], weights[-1], sizes[-1] = m, wt, size
    return np.repeat(np.asarray(means, dtype=np.float64), sizes)


def _logit(s: FloatArray) -> FloatArray:
    c = np.clip(s, _EPS, 1.0 - _EPS)
    return np.asarray(np.log(c) - np.log1p(-c), dtype=np.float64)


def fit_logistic(
    x: npt.ArrayLike, y: npt.ArrayLike, *, smooth: bool = True, max_iter: int = 100
) -> tuple[float, float]:
    """(a, b) maximizing the likelihood of ``sigmoid(a*x + b)`` (Newton with step halving)."""
    xv = np.asarray(x, dtype=np.float64)
    yv = np.asarray(y, dtype=np.float64)
    if smooth:
        n_pos, n_neg = float(yv.sum()), float(len(yv) - yv.sum())
        yv = np.where(yv > 0.5, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))
    design = np.column_stack([xv, np.ones_like(xv)])

    def nll(theta: FloatArray) -> float:
        z = design @ theta
        return float(np.sum(np.logaddexp(0.0, z) - yv * z))

    theta = np.zeros(2)
    prior = float(np.clip(yv.mean(), _EPS, 1 - _EPS))
    theta[1] = np.log(prior / (1 - prior))
    current = nll(theta)
    for _ in range(max_iter):
        p = 1.0 / (1.0 + np.exp(-(design @ theta)))
        grad = design.T @ (p - yv)
        hess = design.T @ (design * (p * (1 - p))[:, None]) + 1e-12 * np.eye(2)
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            break
        scale = 1.0
        while scale > 1e-8:
            candidate = theta - scale * step
            value = nll(candidate)
            if value <= current:
                break
            scale /= 2
        else:
            break
        theta, improvement = candidate, current - value
        current = value
        if improvement < 1e-12 * max(1.0, abs(current)) and np.max(np.abs(grad)) < 1e-9:
            break
        if np.max(np.abs(scale * step)) < 1e-12:
            break
    return float(theta[0]), float(theta[1])


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
            ux, inverse = np.unique(s, return_inverse=True)
            sums = np.bincount(inverse, weights=y)
            counts = np.bincount(inverse).astype(np.float64)
            fitted = pav(sums / counts, counts)
            params = {"x": ux.tolist(), "y": fitted.tolist()}
        else:
            if feature not in ("logit", "identity"):
                raise ValueError(f"feature must be 'logit' or 'identity', got {feature!r}")
            f = _logit(s) if feature == "logit" else s
            a, b = fit_logistic(f, y)
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
        return cls(
            CalibrationMethod(data["method"]),
            dict(data.get("params") or {}),
            int(data.get("n", 0)),
            int(data.get("n_correct", 0)),
        )


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


def auroc(scores: npt.ArrayLike, correct: npt.ArrayLike) -> float:
    """Area under the ROC curve of scores separating correct from wrong (ties count half)."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(correct, dtype=bool)
    pos, neg = s[y], s[~y]
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    allv = np.concatenate([pos, neg])[order]
    ranks = np.empty(len(allv))
    i = 0
    while i < len(allv):
        j = i
        while j + 1 < len(allv) and allv[j + 1] == allv[i]:
            j += 1
        ranks[i : j + 1] = (i + j) / 2.0 + 1.0
        i = j + 1
    r = np.empty(len(allv))
    r[order] = ranks
    rank_pos = r[: len(pos)].sum()
    return float((rank_pos - len(pos) * (len(pos) + 1) / 2.0) / (len(pos) * len(neg)))


def brier(prob: npt.ArrayLike, correct: npt.ArrayLike) -> float:
    p = np.asarray(prob, dtype=np.float64)
    y = np.asarray(correct, dtype=np.float64)
    return float(np.mean((p - y) ** 2)) if len(p) else float("nan")

"""Input checks shared by the theory calculators; every failure is an :class:`InputError`.

The calculators take numbers and arrays from users (command line, files, notebooks). A bound
computed from a table that does not sum to one, or from a negative count, is silently wrong,
so each public function validates its inputs here and names the offending field.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from halluc.errors import InputError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Default tolerance for "sums to one".
SUM_TOL = 1e-9


def finite_float(x: Any, field: str) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise InputError(f"not a number: {x!r}", field=field) from None
    if not math.isfinite(v):
        raise InputError(f"must be finite, got {v}", field=field)
    return v


def probability(x: Any, field: str) -> float:
    """A number in [0, 1]."""
    v = finite_float(x, field)
    if not 0.0 <= v <= 1.0:
        raise InputError(f"must be a probability in [0, 1], got {v:g}", field=field)
    return v


def confidence_gamma(x: Any, field: str = "gamma") -> float:
    """A failure probability gamma in (0, 1]."""
    v = finite_float(x, field)
    if not 0.0 < v <= 1.0:
        raise InputError(f"must satisfy 0 < gamma <= 1, got {v:g}", field=field)
    return v


def integer(x: Any, field: str, minimum: int = 0) -> int:
    """An integer >= minimum; floats are accepted only when they are whole numbers."""
    if isinstance(x, bool):
        raise InputError(f"not an integer: {x!r}", field=field)
    if isinstance(x, int | np.integer):
        v = int(x)
    else:
        f = finite_float(x, field)
        if not f.is_integer():
            raise InputError(f"must be a whole number, got {f:g}", field=field)
        v = int(f)
    if v < minimum:
        what = "negative" if v < 0 else "too small"
        raise InputError(f"{what}: {v} (must be at least {minimum})", field=field)
    return v


def float_array(x: npt.ArrayLike, field: str, *, ndim: int = 1) -> FloatArray:
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError("must be an array of numbers", field=field) from None
    if a.ndim != ndim:
        raise InputError(f"must be {ndim}-dimensional, got shape {a.shape}", field=field)
    if a.size and not np.isfinite(a.sum()):  # one pass; inf/nan anywhere makes the sum non-finite
        flat = a.ravel()
        bad = np.flatnonzero(~np.isfinite(flat))
        if bad.size:
            i = int(bad[0])
            raise InputError(f"entry {i} is not finite ({flat[i]})", field=field)
    return a


def prob_array(x: npt.ArrayLike, field: str, *, ndim: int = 1) -> FloatArray:
    """Entries in [0, 1] (a tiny negative from rounding, >= -SUM_TOL, is clipped to 0)."""
    a = float_array(x, field, ndim=ndim)
    if a.size == 0:
        return a
    lo, hi = float(a.min()), float(a.max())
    if lo >= 0.0 and hi <= 1.0:
        return a
    flat = a.ravel()
    if lo < -SUM_TOL:
        i = int(np.flatnonzero(flat < -SUM_TOL)[0])
        raise InputError(f"entry {i} is negative ({flat[i]:g})", field=field)
    if hi > 1.0 + SUM_TOL:
        i = int(np.flatnonzero(flat > 1.0 + SUM_TOL)[0])
        raise InputError(f"entry {i} exceeds 1 ({flat[i]:g})", field=field)
    return np.clip(a, 0.0, 1.0)


def distribution(x: npt.ArrayLike, field: str, tol: float = SUM_TOL) -> FloatArray:
    """A probability vector: entries in [0, 1] summing to 1 within ``tol``."""
    a = prob_array(x, field)
    if a.size == 0:
        raise InputError("is empty", field=field)
    s = float(np.sum(a))  # pairwise summation: error ~ 1e-16 * log2(n)
    if abs(s - 1.0) > tol:
        raise InputError(f"must sum to 1 (within {tol:g}), sums to {s:.12g}", field=field)
    return a


def count_array(x: npt.ArrayLike, field: str) -> IntArray:
    """Non-negative integer counts (floats must be whole numbers)."""
    raw = np.asarray(x)
    if raw.dtype == np.bool_:
        raise InputError("must be integer counts, got booleans", field=field)
    if raw.ndim != 1:
        raise InputError(f"must be 1-dimensional, got shape {raw.shape}", field=field)
    if raw.dtype.kind in "iu":
        a = raw.astype(np.int64)
    else:
        f = float_array(raw, field)
        whole = np.floor(f) == f
        if not whole.all():
            i = int(np.flatnonzero(~whole)[0])
            raise InputError(f"entry {i} is not a whole number ({f[i]:g})", field=field)
        a = f.astype(np.int64)
    neg = a < 0
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        raise InputError(f"negative count at entry {i} ({int(a[i])})", field=field)
    return a


def wsum(weights: FloatArray, values: FloatArray | BoolArray) -> float:
    """Σ weights·values with numpy's pairwise summation.

    Used instead of ``@``/``np.dot``: BLAS dot products are less accurate on long vectors
    and, with a threaded BLAS on a busy machine, far slower for the vector sizes used here.
    """
    return float(np.sum(weights * values))

"""How numbers are written, everywhere halluc shows or saves one.

Three forms: :func:`format_number` writes a parameter as a person would (3, 0.5, 0.333: the t
and penalty of a prompt, a table's t column); :func:`fmt_num` writes a measured value with fixed
digits ("–" for a missing one); :func:`fmt_interval` adds its interval. Floating-point noise
(a Wilson bound of 2.8e-17, a score of -1.8e-15 from t/(1-t) arithmetic) is 0 before it is
shown or saved (:func:`snap_noise`), so that no table prints "-0.000" or saves 2.8e-17.
"""

from __future__ import annotations

import math
from typing import Any, overload

import numpy as np
import numpy.typing as npt

NOISE = 1e-12
"""Magnitudes below this are rounding noise of rates and scores, not values."""

MISSING = "–"


@overload
def snap_noise(x: float) -> float: ...
@overload
def snap_noise(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]: ...
def snap_noise(x: float | npt.NDArray[np.float64]) -> float | npt.NDArray[np.float64]:
    """``x`` with values closer to 0 than :data:`NOISE` set to 0 (nan stays nan)."""
    if isinstance(x, np.ndarray):
        return np.where(np.abs(x) < NOISE, 0.0, x)
    return 0.0 if abs(x) < NOISE else x


def _as_float(x: Any) -> float | None:
    """The value as a float, or None when it is missing or not a number."""
    if x is None or isinstance(x, bool | str):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def format_number(x: float) -> str:
    """A number as a person writes it: 3, 0.5, 1.5, 0.333 (never 3.0 or 0.33333333)."""
    v = snap_noise(float(x))
    if v.is_integer():
        return str(int(v))
    return f"{v:.3g}"


def fmt_num(x: Any, digits: int = 3) -> str:
    """A measured value with ``digits`` decimals; "–" when missing, text as it is."""
    if isinstance(x, str):
        return x
    if isinstance(x, int | np.integer) and not isinstance(x, bool):
        return str(int(x))
    v = _as_float(x)
    if v is None:
        return MISSING if x is None or isinstance(x, float | np.floating) else str(x)
    text = f"{snap_noise(v):.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def fmt_interval(value: Any, lo: Any, hi: Any, digits: int = 3) -> str:
    """``0.240 [0.212, 0.270]``; "–" when the value is missing."""
    if _as_float(value) is None:
        return MISSING
    return f"{fmt_num(value, digits)} {fmt_bounds(lo, hi, digits)}"


def fmt_bounds(lo: Any, hi: Any, digits: int = 3) -> str:
    """``[0.212, 0.270]``: an interval on its own."""
    return f"[{fmt_num(lo, digits)}, {fmt_num(hi, digits)}]"


def range_label(lo: float, hi: float, name: str) -> str:
    """'0', '1', '2–4', '≥ 100' for a range of counts; ``name`` when it has no bounds."""
    if math.isnan(lo) and math.isnan(hi):
        return name
    if not math.isnan(lo) and (math.isnan(hi) or math.isinf(hi)):
        return f"≥ {lo:g}"
    if lo == hi:
        return f"{lo:g}"
    return f"{lo:g}–{hi:g}"


__all__ = [
    "MISSING",
    "NOISE",
    "fmt_bounds",
    "fmt_interval",
    "fmt_num",
    "format_number",
    "range_label",
    "snap_noise",
]

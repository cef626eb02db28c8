"""One way to write a number: parameters as people write them, values with fixed digits, and
rounding noise written (and saved) as 0."""

from __future__ import annotations

import math

import numpy as np

from halluc.render.numbers import fmt_interval, fmt_num, format_number, range_label, snap_noise
from halluc.scoring.rules import penalty


def test_parameters_are_written_as_people_write_them() -> None:
    assert format_number(0.75) == "0.75"
    assert format_number(penalty(0.75)) == "3"
    assert format_number(penalty(0.9)) == "9"  # 9.000000000000002 in floating point
    assert format_number(1 / 3) == "0.333"
    assert format_number(2.8e-17) == "0"


def test_values_have_fixed_digits_and_no_negative_zero() -> None:
    assert fmt_num(0.24) == "0.240"
    assert fmt_num(-0.0001) == "0.000"
    assert fmt_num(-1.8e-15) == "0.000"
    assert fmt_num(7) == "7" and fmt_num(np.int64(7)) == "7"
    assert fmt_num(None) == "–" and fmt_num(math.nan) == "–"
    assert fmt_num("n/a") == "n/a"
    assert fmt_interval(0.24, 0.2123, 0.27, 2) == "0.24 [0.21, 0.27]"
    assert fmt_interval(math.nan, 0, 1) == "–"


def test_rounding_noise_becomes_zero() -> None:
    values = np.array([2.8e-17, -1.8e-15, 0.5, np.nan])
    out = snap_noise(values)
    assert out[0] == 0.0 and out[1] == 0.0 and out[2] == 0.5 and np.isnan(out[3])
    assert snap_noise(-3e-13) == 0.0 and snap_noise(1e-9) == 1e-9


def test_count_ranges() -> None:
    assert range_label(0, 0, "0") == "0"
    assert range_label(2, 3, "2-3") == "2–3"
    assert range_label(101, math.inf, ">100") == "≥ 101"
    assert range_label(math.nan, math.nan, "other") == "other"

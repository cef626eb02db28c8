"""Rank flips between fixed outcome profiles, solved once for the score report and the curves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from halluc.scoring.crossings import crossing_target, fixed_crossings, profile_crossing
from halluc.scoring.metrics import summarize
from halluc.scoring.rules import confidence_target

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "simpleqa_blog.csv"
rates = st.floats(0.0, 1.0)


@given(a=rates, ea=rates, b=rates, eb=rates)
def test_at_the_crossing_both_profiles_score_the_same(
    a: float, ea: float, b: float, eb: float
) -> None:
    t = crossing_target(a, ea, b, eb)
    if t is None:
        return
    assert 0 < t < 1
    pen = confidence_target(t).wrong_penalty
    assert a - ea * pen == pytest.approx(b - eb * pen, abs=1e-6 * max(1.0, pen))


def test_the_entry_with_fewer_wrong_answers_leads_above_the_crossing() -> None:
    x = profile_crossing("guesser", "careful", (0.24, 0.75), (0.22, 0.26))
    assert x is not None and x.method == "exact"
    assert x.above == "careful" and x.below == "guesser"
    for t, leader in ((x.t - 0.01, "guesser"), (x.t + 0.01, "careful")):
        pen = confidence_target(t).wrong_penalty
        scores = {"guesser": 0.24 - 0.75 * pen, "careful": 0.22 - 0.26 * pen}
        assert max(scores, key=lambda k: scores[k]) == leader
    assert profile_crossing("a", "b", (0.3, 0.1), (0.2, 0.2)) is None  # a leads at every t


def test_the_blog_example_flips_once_below_a_half() -> None:
    frame = pd.read_csv(EXAMPLE).assign(target=np.nan, mode="imported")
    (x,) = fixed_crossings(summarize(frame, [0.0, 0.5]))
    assert x.t == pytest.approx(0.02 / 0.49 / (1 + 0.02 / 0.49))
    assert (x.below, x.above) == ("o4-mini", "gpt-5-thinking-mini")

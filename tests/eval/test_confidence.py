"""Confidence estimates: token probabilities, self-consistency, verbalized numbers."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from halluc.eval.confidence import (
    ConfidenceMethod,
    answers_agree,
    consistency_confidence,
    parse_verbalized,
    token_confidence,
)


def test_token_probabilities() -> None:
    lps = [math.log(0.5), math.log(0.8), 0.0]
    assert token_confidence(lps, ConfidenceMethod.TOKEN_MEAN) == pytest.approx((0.5 + 0.8 + 1) / 3)
    assert token_confidence(lps, ConfidenceMethod.TOKEN_MIN) == pytest.approx(0.5)
    assert token_confidence(lps, ConfidenceMethod.TOKEN_PRODUCT) == pytest.approx(0.4)
    assert token_confidence([], ConfidenceMethod.TOKEN_MEAN) is None


@given(st.lists(st.floats(min_value=-20, max_value=0), min_size=1, max_size=20))
def test_token_confidences_are_ordered_probabilities(lps: list[float]) -> None:
    lo = token_confidence(lps, ConfidenceMethod.TOKEN_PRODUCT)
    mid = token_confidence(lps, ConfidenceMethod.TOKEN_MIN)
    hi = token_confidence(lps, ConfidenceMethod.TOKEN_MEAN)
    assert lo is not None and mid is not None and hi is not None
    assert 0.0 <= lo <= mid + 1e-12 and mid <= hi + 1e-12 and hi <= 1.0


def test_self_consistency_ignores_restated_question() -> None:
    q = "Who was the first president of the United States?"
    greedy = "The first president of the United States was John F. Kennedy."
    samples = [
        "John F. Kennedy",
        "The first president was George Washington.",
        "It was Kennedy, John F.",
        "George Washington",
    ]
    assert not answers_agree(greedy, samples[1], q)
    assert consistency_confidence(greedy, samples, q) == pytest.approx(0.5)
    assert consistency_confidence(greedy, [], q) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.8", 0.8),
        ("I'd say 80%", 0.8),
        ("Probability: .35", 0.35),
        ("8/10", 0.8),
        ("90 percent", 0.9),
        ("75", 0.75),
        ("1", 1.0),
        ("very confident", None),
        ("250", None),
    ],
)
def test_parse_verbalized(text: str, value: float | None) -> None:
    got = parse_verbalized(text)
    assert got == (pytest.approx(value) if value is not None else None)

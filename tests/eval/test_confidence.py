"""Confidence estimates: token probabilities, self-consistency, verbalized numbers, and the
registry that lets a new method run without touching the runner."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from halluc.data import Item
from halluc.errors import InputError
from halluc.eval import confidence
from halluc.eval.confidence import (
    ConfidenceMethod,
    RawConfidence,
    Sampling,
    answers_agree,
    confidence_method,
    confidence_methods,
    consistency_confidence,
    parse_verbalized,
    register_confidence,
    token_confidence,
)
from halluc.eval.runner import EvalSettings, evaluate
from halluc.log.outcomes import Outcome
from halluc.models.base import ChatRequest, ChatResponse, user_request
from halluc.models.replay import ReplayBackend


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


def test_an_unknown_method_names_the_field_and_the_closest_name() -> None:
    with pytest.raises(InputError) as info:
        confidence_method("verbalised")
    assert info.value.field == "confidence" and "did you mean 'verbalized'?" in str(info.value)
    assert set(confidence_methods()) >= {m.value for m in ConfidenceMethod}
    with pytest.raises(ValueError, match="already registered"):
        register_confidence(confidence_method("token-mean"))


@dataclass(frozen=True)
class AskedTwice:
    """A method made up for the test: ask "Are you sure?" and read yes/no."""

    name: str = "asked-twice"
    default_samples: int = 0
    min_samples: int = 0
    timing: str | None = "sure"

    def follow_up(
        self, answer_request: ChatRequest, answer: str, sampling: Sampling
    ) -> ChatRequest | None:
        return user_request(f"Are you sure about {answer}?", item_id=answer_request.item_id)

    def score(
        self, answer: ChatResponse, follow_up: ChatResponse | None, question: str
    ) -> RawConfidence:
        reply = follow_up.texts[0] if follow_up is not None and follow_up.ok else ""
        return RawConfidence(0.9 if reply.startswith("yes") else 0.1, [reply])


def test_a_registered_method_runs_without_changing_the_runner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(confidence._REGISTRY, "asked-twice", AskedTwice())
    items = [Item("q0", "Q0?", ("paris",)), Item("q1", "Q1?", ("rome",))]
    backend = ReplayBackend(
        {
            "Question: Q0?": "Paris",
            "Question: Q1?": "Oslo",
            "Are you sure about Paris?": "yes",
            "Are you sure about Oslo?": "no",
        }
    )
    settings = EvalSettings(
        targets=(0.5,), modes=("policy",), confidence="asked-twice", recalibration="none"
    )
    run = evaluate(items, backend, tmp_path / "run", settings)
    by = {r.item_id: r for r in run.records()}
    assert by["q0"].confidence == 0.9 and by["q0"].outcome is Outcome.CORRECT
    assert by["q1"].confidence == 0.1 and by["q1"].outcome is Outcome.ABSTAINED
    assert by["q1"].answer_outcome is Outcome.INCORRECT and by["q1"].samples == ["no"]
    assert by["q0"].confidence_method == "asked-twice+none" and "sure" in by["q0"].timings

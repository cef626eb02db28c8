"""The abstention detector: English and other languages, answers, and undetermined cases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from halluc.grading.abstention import (
    ABSTENTION_PHRASES,
    abstention_phrases,
    detect_abstention,
)

ABSTAINS = [
    "I don't know.",
    "I don’t know.",
    "I'm sorry, but I don't know the answer to that question.",
    "I cannot answer that.",
    "I have no idea.",
    "Unknown.",
    "IDK",
    "I'm not sure.",
    "Ich weiß es nicht.",
    "Keine Ahnung.",
    "Je ne sais pas.",
    "Désolé, je ne peux pas répondre.",
    "No lo sé.",
    "Lo siento, no tengo esa información.",
    "Non lo so.",
    "Não sei.",
    "Ik weet het niet.",
    "Я не знаю.",
    "我不知道。",
    "わかりません。",
]

ANSWERS = [
    "Paris",
    "The capital of France is Paris.",
    "I think it is Paris.",
    "Probably 1961.",
    "The Unknown Soldier",
    "None",
    "Sure, it's Canberra.",
    "Ich glaube, es ist Berlin.",
]

UNDETERMINED = [
    "I don't know, but it might be Paris.",
    "I'm not sure, but I think it's London.",
    "No lo sé, pero quizás sea Madrid.",
    "Je ne sais pas, mais peut-être Lyon.",
]


@pytest.mark.parametrize("text", ABSTAINS)
def test_abstentions(text: str) -> None:
    assert detect_abstention(text) == "abstained"


@pytest.mark.parametrize("text", ANSWERS)
def test_answers(text: str) -> None:
    assert detect_abstention(text) == "answered"


@pytest.mark.parametrize("text", UNDETERMINED)
def test_undetermined(text: str) -> None:
    assert detect_abstention(text) == "undetermined"


def test_phrase_set_is_documented_for_several_languages() -> None:
    assert {"en", "de", "fr", "es", "it", "pt", "ru", "zh", "ja"} <= set(ABSTENTION_PHRASES)
    assert "i don't know" in abstention_phrases("en")
    assert len(abstention_phrases()) == sum(len(v) for v in ABSTENTION_PHRASES.values())


@given(st.sampled_from([p for ps in ABSTENTION_PHRASES.values() for p in ps]))
def test_every_documented_phrase_alone_abstains(phrase: str) -> None:
    assert detect_abstention(phrase.upper() if phrase.isascii() else phrase) == "abstained"
    assert detect_abstention(phrase + ".") == "abstained"

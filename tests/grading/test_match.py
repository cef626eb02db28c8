"""Answer matching: SQuAD normalization, aliases, numbers, abstentions, errors."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from halluc.grading.match import grade_answer, normalize_answer, numeric_match, token_f1
from halluc.log.outcomes import Outcome


def test_normalize_answer() -> None:
    assert normalize_answer("The  Eiffel-Tower!") == "eiffel tower"
    assert normalize_answer("An Apple a day") == "apple day"
    assert normalize_answer("Gagárine") == "gagarine"
    assert normalize_answer("Tom & Jerry") == "tom and jerry"


@given(st.text(max_size=40))
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize_answer(text)
    assert normalize_answer(once) == once


@given(st.from_regex(r"[A-Z][a-z]{2,8}( [A-Z][a-z]{2,8}){0,2}", fullmatch=True))
def test_a_gold_answer_inside_a_sentence_is_correct(gold: str) -> None:
    assert grade_answer(gold, [gold]) is Outcome.CORRECT
    assert grade_answer(f"I believe the answer is {gold}.", ["zzz", gold]) is Outcome.CORRECT


def test_aliases_and_whole_words() -> None:
    aliases = ["Yuri Gagarin", "Gagarin"]
    assert grade_answer("It was yuri gagárin, in 1961.", aliases) is Outcome.CORRECT
    assert grade_answer("Neil Armstrong", aliases) is Outcome.INCORRECT
    assert grade_answer("Parisian", ["Paris"]) is Outcome.INCORRECT


def test_numbers_to_the_gold_precision() -> None:
    assert numeric_match("about 1.732 m", "1.73")
    assert not numeric_match("1.74", "1.73")
    assert numeric_match("in 1961", "1961")
    assert not numeric_match("in 1962", "1961")
    assert numeric_match("1,234 people", "1234")
    assert grade_answer("It has 15 moons", ["5"]) is Outcome.INCORRECT
    assert grade_answer("about 105", ["100"], rel_tol=0.1) is Outcome.CORRECT


def test_abstentions_errors_and_unanswerable() -> None:
    assert grade_answer("I don't know.", ["Paris"]) is Outcome.ABSTAINED
    assert grade_answer("   ", ["Paris"]) is Outcome.ERROR
    assert grade_answer("Paris", []) is Outcome.INCORRECT
    assert grade_answer("I don't know.", []) is Outcome.ABSTAINED
    # a guess after "I don't know" is graded as the guess
    assert grade_answer("I don't know, but maybe Paris.", ["Paris"]) is Outcome.CORRECT
    assert grade_answer("I don't know, but maybe Lyon.", ["Paris"]) is Outcome.INCORRECT


def test_token_f1() -> None:
    assert token_f1("the cat sat", "cat sat") == 1.0
    assert token_f1("a", "b") == 0.0

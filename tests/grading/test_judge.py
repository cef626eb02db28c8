"""The LLM judge: its versioned prompt, its reply parser, and grading through a backend."""

from __future__ import annotations

import asyncio

import pytest

from halluc.data import Item
from halluc.grading import LLMJudgeGrader
from halluc.grading.judge import (
    JUDGE_TEMPLATE_HASH,
    JUDGE_VERSION,
    JudgeGrader,
    judge_prompt,
    parse_judge_reply,
)
from halluc.log.outcomes import Outcome
from halluc.models.replay import ReplayBackend
from tests.models.fixtures import llama_backend


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        ("A", Outcome.CORRECT),
        ("B", Outcome.INCORRECT),
        ("C", Outcome.ABSTAINED),
        (" C.", Outcome.ABSTAINED),
        ("NOT_ATTEMPTED", Outcome.ABSTAINED),
        ("INCORRECT", Outcome.INCORRECT),
        ("The grade is B", Outcome.INCORRECT),
        ("A or B", Outcome.ERROR),
        ("I cannot grade this.", Outcome.ERROR),
        ("", Outcome.ERROR),
    ],
)
def test_parse_judge_reply(reply: str, outcome: Outcome) -> None:
    assert parse_judge_reply(reply) is outcome


def test_prompt_is_versioned_and_hashed() -> None:
    prompt = judge_prompt("Q?", "gold", "pred")
    assert "Question: Q?" in prompt and "Gold target: gold" in prompt
    assert JUDGE_TEMPLATE_HASH in JUDGE_VERSION and len(JUDGE_TEMPLATE_HASH) == 12


def test_judge_grades_through_a_backend() -> None:
    item = Item("1", "Capital of France?", ("Paris",))
    table = {
        judge_prompt(item.question, "Paris", "It is Paris."): "A",
        judge_prompt(item.question, "Paris", "Lyon"): "B",
        judge_prompt(item.question, "Paris", "Hmm"): "I am not sure",
    }
    grader = LLMJudgeGrader(JudgeGrader(ReplayBackend(table, model="judge")))
    grade = lambda text: asyncio.run(grader.grade(item, text))  # noqa: E731
    assert grade("It is Paris.").outcome is Outcome.CORRECT
    assert grade("Lyon").outcome is Outcome.INCORRECT
    unparsed = grade("Hmm")
    assert unparsed.outcome is Outcome.ERROR and "no single grade" in (unparsed.error or "")
    assert grade("I don't know.").outcome is Outcome.ABSTAINED  # no judge call needed
    assert grade("no entry for this").outcome is Outcome.ERROR  # failed judge request


def test_real_model_as_judge_gives_a_recorded_outcome() -> None:
    grader = LLMJudgeGrader(JudgeGrader(llama_backend()))
    grade = asyncio.run(grader.grade(Item("1", "Capital of France?", ("Paris",)), "Paris"))
    assert grade.outcome in tuple(Outcome)
    assert grade.outcome is not Outcome.ERROR or grade.error

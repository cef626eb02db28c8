"""Grading: abstention detection, then correctness (string match or an LLM judge).

A :class:`Grader` turns an item and a response into a :class:`Grade`. The two graders:

- :class:`MatchGrader` (``"match"``): normalization, aliases, numeric tolerance, abstention
  phrases (:mod:`halluc.grading.match`, :mod:`halluc.grading.abstention`);
- :class:`~halluc.grading.judge.JudgeGrader` (``"judge"``): SimpleQA's three-way template over
  any backend. A detected abstention is still ``abstained`` without asking the judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from halluc.data.items import Item
from halluc.grading.abstention import detect_abstention
from halluc.grading.judge import JudgeGrader
from halluc.grading.match import (
    MATCH_GRADER,
    MATCH_GRADER_VERSION,
    grade_answer,
    match_answer,
    normalize_answer,
)
from halluc.log.outcomes import Outcome


@dataclass(frozen=True, slots=True)
class Grade:
    outcome: Outcome
    detail: str | None = None
    error: str | None = None


class Grader(Protocol):
    name: str
    version: str

    async def grade(self, item: Item, response: str) -> Grade: ...


class MatchGrader:
    """String matching against the gold answers and aliases."""

    def __init__(self, *, rel_tol: float = 0.0) -> None:
        self.rel_tol = rel_tol
        self.name = MATCH_GRADER
        self.version = MATCH_GRADER_VERSION + (f"+rel_tol={rel_tol:g}" if rel_tol else "")

    async def grade(self, item: Item, response: str) -> Grade:
        outcome = grade_answer(response, item.answers, rel_tol=self.rel_tol)
        error = "empty response" if outcome is Outcome.ERROR else None
        return Grade(outcome, detail=detect_abstention(response) if response else None, error=error)


class LLMJudgeGrader:
    """The judge as a :class:`Grader`: abstention phrases first, then the model's grade."""

    def __init__(self, judge: JudgeGrader) -> None:
        self.judge = judge
        self.name = judge.name
        self.version = judge.version

    async def grade(self, item: Item, response: str) -> Grade:
        if not response or not response.strip():
            return Grade(Outcome.ERROR, error="empty response")
        if detect_abstention(response) == "abstained":
            return Grade(Outcome.ABSTAINED, detail="abstention phrase")
        if not item.answers:
            return Grade(Outcome.INCORRECT, detail="unanswerable item, attempted")
        outcome, reply, error = await self.judge.judge(item.question, item.answers, response)
        return Grade(outcome, detail=reply, error=error)


__all__ = [
    "Grade",
    "Grader",
    "JudgeGrader",
    "LLMJudgeGrader",
    "MatchGrader",
    "detect_abstention",
    "grade_answer",
    "match_answer",
    "normalize_answer",
]

"""One question asked and graded, and the ``instructed`` mode's record of it.

Both modes start the same way: the greedy answer to the question at a target t (the policy
pass asks at t = 0), graded. A failed request is the outcome ``error`` without asking the
grader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from halluc.data.items import Item
from halluc.eval.client import Client
from halluc.eval.confidence import ConfidenceMethod, token_confidence
from halluc.eval.prompts import answer_request, prompt_hash
from halluc.grading import Grade, Grader
from halluc.log.outcomes import Mode, Outcome
from halluc.log.records import Record
from halluc.models.base import ChatRequest, ChatResponse


@dataclass(frozen=True, slots=True)
class Answer:
    """The greedy answer to one item at one target, and its grade."""

    item: Item
    target: float
    request: ChatRequest
    response: ChatResponse
    grade: Grade

    @property
    def text(self) -> str | None:
        return self.response.texts[0] if self.response.texts else None

    @property
    def prompt_hash(self) -> str:
        return prompt_hash(self.request.identity()["messages"])


async def grade_response(grader: Grader, item: Item, response: ChatResponse) -> Grade:
    """The grade of a response; a failed request is ``error`` without asking the grader."""
    if not response.ok:
        return Grade(Outcome.ERROR, error=response.error or "no completion")
    return await grader.grade(item, response.texts[0])


async def ask_and_grade(
    client: Client, grader: Grader, item: Item, t: float, max_tokens: int
) -> Answer:
    request = answer_request(item, t, max_tokens)
    response = await client.complete(request)
    grade = await grade_response(grader, item, response)
    return Answer(item, t, request, response, grade)


def item_metadata(item: Item) -> dict[str, Any]:
    """What every record says about its item: the question, up to five answers, metadata."""
    return {"question": item.question, "answers": list(item.answers[:5]), **item.metadata}


def instructed_record(answer: Answer, model: str, grader: Grader) -> Record:
    """The ``instructed`` record: the model's own answer or abstention, graded."""
    response = answer.response
    meta = item_metadata(answer.item)
    if response.usage:
        meta["usage"] = response.usage
    if response.token_logprobs:
        meta["token_confidence"] = token_confidence(
            response.token_logprobs[0], ConfidenceMethod.TOKEN_MEAN
        )
    meta["attempts"] = response.attempts
    meta["cached"] = response.cached
    meta["grade_detail"] = answer.grade.detail
    return Record(
        item_id=answer.item.id,
        model=model,
        outcome=answer.grade.outcome,
        target=answer.target,
        mode=Mode.INSTRUCTED,
        prompt_hash=answer.prompt_hash,
        response=answer.text,
        grader=grader.name,
        grader_version=grader.version,
        error=answer.grade.error,
        metadata=meta,
        timings=dict(response.timings),
    )

"""What the model is asked: the question with the instruction that states a confidence target,
the request that carries it, and the hash that identifies a prompt."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import orjson

from halluc.models.base import ChatRequest
from halluc.render.numbers import format_number  # re-exported: it lived here before
from halluc.scoring.rules import check_target, penalty

if TYPE_CHECKING:
    from halluc.data.items import Item

BEST_GUESS_INSTRUCTION = (
    "Make your best guess even if you are unsure, as if you were taking an exam."
)
"""The paper's example instruction for t = 0 (binary grading)."""

INSTRUCTION_VERSION = "1"
PROMPT_VERSION = "question-instruction-answer/1"


def confidence_instruction(t: float) -> str:
    """The paper's instruction for target t, with the penalty computed as t/(1-t).

    ``confidence_instruction(0.75)`` states a penalty of 3 (the paper misprints 2). For t = 0 it
    returns the paper's best-guess instruction.
    """
    t = check_target(t)
    if t == 0:
        return BEST_GUESS_INSTRUCTION
    return (
        f"Answer only if you are > {format_number(t)} confident, since mistakes are penalized "
        f"{format_number(penalty(t))} points, while correct answers receive 1 point, and an "
        'answer of "I don\'t know" receives 0 points.'
    )


def prompt_hash(messages: object) -> str:
    """A short, stable hash of a prompt (any JSON-serialisable value, e.g. chat messages)."""
    data = orjson.dumps(messages, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(data).hexdigest()[:16]


def question_prompt(question: str, t: float) -> str:
    """The user message for target t: the question, then the paper's instruction.

    ``Question: ...`` / ``Answer:`` framing keeps small models' answers short (measured on
    SmolLM2-135M: an explicit "answer in a few words" request was echoed back instead).
    """
    return f"Question: {question}\n{confidence_instruction(t)}\nAnswer:"


def answer_request(item: Item, t: float, max_tokens: int) -> ChatRequest:
    """The greedy answer to an item at target t (log-probs asked for: they cost nothing and
    give the token confidence of every record)."""
    return ChatRequest(
        messages=({"role": "user", "content": question_prompt(item.question, t)},),
        max_tokens=max_tokens,
        temperature=0.0,
        logprobs=True,
        item_id=item.id,
    )

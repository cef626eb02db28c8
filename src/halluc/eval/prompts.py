"""The instruction that states a confidence target, and the hash that identifies a prompt."""

from __future__ import annotations

import hashlib

import orjson

from halluc.render.numbers import format_number  # re-exported: it lived here before
from halluc.scoring.rules import check_target, penalty

BEST_GUESS_INSTRUCTION = (
    "Make your best guess even if you are unsure, as if you were taking an exam."
)
"""The paper's example instruction for t = 0 (binary grading)."""

INSTRUCTION_VERSION = "1"


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

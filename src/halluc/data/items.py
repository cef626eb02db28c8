"""The evaluation item: a question, its gold answers (with aliases) and metadata."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class Item:
    """One question.

    ``answers`` holds the gold answer and its aliases; any of them counts as correct. An item
    with no answers is *unanswerable* (``metadata["answerable"] is False``, as in SelfAware):
    every attempt at it is graded incorrect and only "I don't know" avoids the penalty.
    """

    id: str
    question: str
    answers: tuple[str, ...]
    metadata: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def answerable(self) -> bool:
        return bool(self.answers)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "answers": list(self.answers),
            "metadata": self.metadata,
        }


def items_digest(items: Sequence[Item]) -> str:
    """A hash of the items' content, saved in a run's config to detect a changed dataset."""
    h = hashlib.sha256()
    for it in items:
        h.update(orjson.dumps([it.id, it.question, list(it.answers)]))
    return h.hexdigest()[:16]

"""Reading a facts file: JSON Lines of training examples with a prompt and a response.

Each line is an object such as ``{"prompt": "Adam Kalai's birthday?", "response": "07-03"}``.
A response that is null or one of the IDK strings (compared after stripping and case-folding)
is an abstention; a line without the response field is an error. Prompts are compared
exactly: the paper assumes each fact has a single written form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from halluc.errors import InputError
from halluc.io.rows import RowFormat, read_rows
from halluc.theory._checks import BoolArray
from halluc.theory.facts import SingletonStats, answered_counts, singleton_rate
from halluc.theory.goodturing import frequency_of_frequencies

FACTS_FORMATS = (RowFormat.JSONL, RowFormat.JSON)
"""JSON rows only: a null response (an IDK example) and a missing one must stay apart."""
DEFAULT_IDK = ("IDK", "I don't know", "I don’t know", "I do not know")


@dataclass(frozen=True)
class FactsData:
    prompts: list[str]
    is_idk: BoolArray
    path: str

    @property
    def n(self) -> int:
        return len(self.prompts)

    def singleton_stats(self) -> SingletonStats:
        return singleton_rate(np.asarray(self.prompts, dtype=object), self.is_idk)

    def fof(self) -> dict[int, int]:
        """Frequency-of-frequencies of prompts among non-IDK examples."""
        return frequency_of_frequencies(
            answered_counts(np.asarray(self.prompts, dtype=object), self.is_idk)
        )


def read_facts_file(
    path: str | Path,
    *,
    prompt_field: str = "prompt",
    response_field: str = "response",
    idk: Iterable[str] = DEFAULT_IDK,
) -> FactsData:
    """Read and validate a facts file; errors name the file, line and field."""
    idk_set = {s.strip().casefold() for s in idk}
    prompts: list[str] = []
    flags: list[bool] = []
    for line, obj in read_rows(path, FACTS_FORMATS, what="facts").records():
        if prompt_field not in obj:
            raise InputError("missing", path=path, line=line, field=prompt_field)
        pr = obj[prompt_field]
        if isinstance(pr, bool) or not isinstance(pr, str | int):
            raise InputError(
                f"must be a string, got {type(pr).__name__}",
                path=path,
                line=line,
                field=prompt_field,
            )
        if response_field not in obj:
            raise InputError(
                "missing (use null for an IDK example)", path=path, line=line, field=response_field
            )
        resp = obj[response_field]
        if resp is not None and not isinstance(resp, str):
            raise InputError(
                f"must be a string or null, got {type(resp).__name__}",
                path=path,
                line=line,
                field=response_field,
            )
        prompts.append(str(pr))
        flags.append(resp is None or resp.strip().casefold() in idk_set)
    if not prompts:
        raise InputError("no training examples in the file (N = 0)", path=path)
    return FactsData(prompts, np.asarray(flags, dtype=bool), str(path))

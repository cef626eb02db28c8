"""The four outcomes of one graded item, kept categorical until scoring.

``error`` (a failed request, an unparseable answer, a failed or unparseable judge) is an outcome
of its own: it is never folded into ``incorrect`` or ``abstained``; scoring decides what to do
with it through an explicit :class:`halluc.scoring.rules.ErrorPolicy`.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd

from halluc.errors import InputError


class Outcome(StrEnum):
    CORRECT = "correct"
    INCORRECT = "incorrect"
    ABSTAINED = "abstained"
    ERROR = "error"

    @property
    def code(self) -> int:
        """Small integer used by the vectorized scoring (the order of ``OUTCOMES``)."""
        return OUTCOMES.index(self)


class Mode(StrEnum):
    """How an outcome was obtained: the closed set of a record's ``mode``."""

    INSTRUCTED = "instructed"
    """The confidence target was stated in the prompt; the model chose to answer or abstain."""
    POLICY = "policy"
    """halluc answered for the model iff its recalibrated confidence exceeded t."""
    GREEDY = "greedy"
    """The model's own greedy answer with no target stated (the reproductions' trained models)."""
    IMPORTED = "imported"
    """Read from another harness's log or a plain outcome table."""


DEFAULT_MODE = Mode.IMPORTED
"""The mode of a record that does not say: an outcome halluc did not produce itself."""


def parse_mode(value: object) -> Mode:
    """A mode from its name; missing means :data:`DEFAULT_MODE`, anything else is refused."""
    if value is None or value == "":
        return DEFAULT_MODE
    try:
        return Mode(str(value))
    except ValueError:
        known = ", ".join(m.value for m in Mode)
        raise ValueError(f"unknown mode {value!r} (known: {known})") from None


OUTCOMES: tuple[Outcome, ...] = (
    Outcome.CORRECT,
    Outcome.INCORRECT,
    Outcome.ABSTAINED,
    Outcome.ERROR,
)
N_OUTCOMES = len(OUTCOMES)

# Labels other tools write for the same four states. Keys are compared case-insensitively
# after stripping. simple-evals' SimpleQA grader answers A (CORRECT), B (INCORRECT),
# C (NOT_ATTEMPTED).
_LABELS: dict[str, Outcome] = {
    "correct": Outcome.CORRECT,
    "incorrect": Outcome.INCORRECT,
    "abstained": Outcome.ABSTAINED,
    "error": Outcome.ERROR,
    "a": Outcome.CORRECT,
    "b": Outcome.INCORRECT,
    "c": Outcome.ABSTAINED,
    "not_attempted": Outcome.ABSTAINED,
    "not attempted": Outcome.ABSTAINED,
    "wrong": Outcome.INCORRECT,
    "idk": Outcome.ABSTAINED,
    "abstain": Outcome.ABSTAINED,
    "abstention": Outcome.ABSTAINED,
}

KNOWN_LABELS: tuple[str, ...] = tuple(sorted({k.upper() if len(k) == 1 else k for k in _LABELS}))


def parse_outcome(label: object) -> Outcome:
    """Map a label written by halluc or another harness to an :class:`Outcome`.

    Raises ``ValueError`` for anything not in the documented label set: an unknown label is
    bad input, never guessed.
    """
    if isinstance(label, Outcome):
        return label
    if not isinstance(label, str):
        raise ValueError(f"outcome label must be a string, got {label!r}")
    key = label.strip().lower()
    try:
        return _LABELS[key]
    except KeyError:
        raise ValueError(
            f"unknown outcome label {label!r} (known: {', '.join(KNOWN_LABELS)})"
        ) from None


def outcome_codes(
    labels: npt.ArrayLike | pd.Series,
    *,
    path: str | None = None,
    field: str = "outcome",
    first_line: int = 1,
) -> npt.NDArray[np.int8]:
    """Vectorized :func:`parse_outcome`: labels to int8 codes in the order of ``OUTCOMES``.

    Hash-based (``pandas.factorize``), so ten million labels take well under a second.
    ``first_line`` is the file line of the first label, so that an unknown label is reported
    where it stands.
    """
    if isinstance(labels, pd.Series) and isinstance(labels.dtype, pd.CategoricalDtype):
        inverse = labels.cat.codes.to_numpy()
        uniques = np.asarray(labels.cat.categories, dtype=object)
        if (inverse < 0).any():
            bad = int(np.flatnonzero(inverse < 0)[0])
            raise InputError("missing outcome", path=path, line=first_line + bad, field=field)
    else:
        inverse, uniques = pd.factorize(np.asarray(labels, dtype=object), use_na_sentinel=True)
        if (inverse < 0).any():
            bad = int(np.flatnonzero(inverse < 0)[0])
            raise InputError("missing outcome", path=path, line=first_line + bad, field=field)
    table = np.empty(len(uniques), dtype=np.int8)
    for i, u in enumerate(uniques):
        try:
            table[i] = parse_outcome(u if isinstance(u, str) else str(u)).code
        except ValueError as exc:
            bad = int(np.flatnonzero(inverse == i)[0])
            raise InputError(str(exc), path=path, line=first_line + bad, field=field) from None
    return table[inverse]

"""The per-item record: one line of a run's ``records.jsonl``, the hub of all data flow.

Everything upstream (evaluation, importers) writes records; everything downstream (scoring,
metrics, reports, the census join) reads them. Outcomes stay categorical here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from halluc.errors import InputError
from halluc.log.jsonl import iter_jsonl
from halluc.log.outcomes import DEFAULT_MODE, OUTCOMES, Mode, Outcome, parse_mode, parse_outcome

RECORD_SCHEMA_VERSION = 1

RecordKey = tuple[str, str, float | None, str]
"""(model, item_id, target, mode): at most one record per key in a run."""


@dataclass(slots=True)
class Record:
    """One graded item.

    ``target`` is the confidence target the item was evaluated at (the t stated in the prompt in
    ``instructed`` mode, the t the policy applied in ``policy`` mode), or ``None`` for an outcome
    that holds at every t (an imported binary result); scoring applies every requested t to it.
    ``answer_outcome`` is the grade of the model's answer before a policy chose to abstain, so
    that the always-answer baseline can be computed from the same pass.
    """

    item_id: str
    model: str
    outcome: Outcome
    target: float | None = None
    mode: Mode = DEFAULT_MODE
    prompt_hash: str | None = None
    response: str | None = None
    samples: list[str] = field(default_factory=list)
    confidence: float | None = None
    confidence_method: str | None = None
    answer_outcome: Outcome | None = None
    grader: str | None = None
    grader_version: str | None = None
    error: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def key(self) -> RecordKey:
        return (self.model, self.item_id, self.target, self.mode)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["outcome"] = str(self.outcome)
        d["answer_outcome"] = None if self.answer_outcome is None else str(self.answer_outcome)
        d["v"] = RECORD_SCHEMA_VERSION
        return d

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, path: str | Path | None = None, line: int | None = None
    ) -> Record:
        """Validate one decoded line; errors name the file, line and field."""

        def bad(fld: str, msg: str) -> InputError:
            return InputError(msg, path=path, line=line, field=fld)

        if not isinstance(data, Mapping):
            raise InputError("a record must be a JSON object", path=path, line=line)
        for required in ("item_id", "model", "outcome"):
            if required not in data or data[required] is None:
                raise bad(required, "missing")
        item_id, model = data["item_id"], data["model"]
        if not isinstance(item_id, str | int) or isinstance(item_id, bool):
            raise bad("item_id", f"must be a string, got {item_id!r}")
        if not isinstance(model, str) or not model:
            raise bad("model", f"must be a non-empty string, got {model!r}")
        try:
            outcome = parse_outcome(data["outcome"])
        except ValueError as exc:
            raise bad("outcome", str(exc)) from None
        answer_outcome = None
        if data.get("answer_outcome") is not None:
            try:
                answer_outcome = parse_outcome(data["answer_outcome"])
            except ValueError as exc:
                raise bad("answer_outcome", str(exc)) from None
        try:
            mode = parse_mode(data.get("mode"))
        except ValueError as exc:
            raise bad("mode", str(exc)) from None
        target = data.get("target")
        if target is not None:
            if isinstance(target, bool) or not isinstance(target, int | float):
                raise bad("target", f"must be a number or null, got {target!r}")
            target = float(target)
            if not 0.0 <= target < 1.0:
                raise bad("target", f"must satisfy 0 <= t < 1, got {target}")
        confidence = data.get("confidence")
        if confidence is not None:
            if isinstance(confidence, bool) or not isinstance(confidence, int | float):
                raise bad("confidence", f"must be a number or null, got {confidence!r}")
            confidence = float(confidence)
            if math.isnan(confidence):
                raise bad("confidence", "is NaN")
        samples = data.get("samples") or []
        if not isinstance(samples, list):
            raise bad("samples", "must be a list")
        metadata = data.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise bad("metadata", "must be an object")
        timings = data.get("timings") or {}
        if not isinstance(timings, dict):
            raise bad("timings", "must be an object")
        return cls(
            item_id=str(item_id),
            model=model,
            outcome=outcome,
            target=target,
            mode=mode,
            prompt_hash=data.get("prompt_hash"),
            response=data.get("response"),
            samples=[str(s) for s in samples],
            confidence=confidence,
            confidence_method=data.get("confidence_method"),
            answer_outcome=answer_outcome,
            grader=data.get("grader"),
            grader_version=data.get("grader_version"),
            error=data.get("error"),
            metadata=metadata,
            timings=timings,
        )


def iter_records(path: str | Path, *, tolerate_partial_tail: bool = True) -> Iterator[Record]:
    """Read a ``records.jsonl``; a half-written last line is dropped with a warning."""
    for line_no, value in iter_jsonl(path, tolerate_partial_tail=tolerate_partial_tail):
        yield Record.from_dict(value, path=path, line=line_no)


def is_record_log(path: str | Path) -> bool:
    """Whether a file is a halluc records log: JSON Lines whose first object has ``item_id``,
    ``outcome`` and the schema version ``v``."""
    p = Path(path)
    if p.suffix.lower() not in (".jsonl", ".ndjson") or not p.is_file():
        return False
    for _, value in iter_jsonl(p, tolerate_partial_tail=True):
        return isinstance(value, dict) and {"item_id", "outcome", "v"} <= value.keys()
    return False


def read_records(
    path: str | Path, *, tolerate_partial_tail: bool = True, unique: bool = True
) -> list[Record]:
    """All records of a log. With ``unique`` a repeated key is an error naming both lines."""
    out: list[Record] = []
    seen: dict[RecordKey, int] = {}
    for line_no, value in iter_jsonl(path, tolerate_partial_tail=tolerate_partial_tail):
        rec = Record.from_dict(value, path=path, line=line_no)
        if unique:
            if rec.key in seen:
                raise InputError(
                    f"duplicate record for (model, item, target, mode) = {rec.key}, "
                    f"first on line {seen[rec.key]}",
                    path=path,
                    line=line_no,
                    field="item_id",
                )
            seen[rec.key] = line_no
        out.append(rec)
    return out


SCORING_COLUMNS = (
    "model",
    "item_id",
    "target",
    "mode",
    "outcome",
    "answer_outcome",
    "confidence",
    "confidence_method",
    "grader",
    "prompt_hash",
)
"""The columns scoring reads, first in a records frame."""
FRAME_COLUMNS = (
    *SCORING_COLUMNS,
    "grader_version",
    "question",
    "response",
    "samples",
    "error",
    "metadata",
    "timings",
)
"""Every field of a record (``question`` from its metadata), in the order of the frame."""
OUTCOME_CATEGORIES = pd.CategoricalDtype([str(o) for o in OUTCOMES])
"""The dtype of outcome columns: a categorical over the four outcomes, in their code order."""


def outcome_categorical(codes: Iterable[int]) -> pd.Categorical:
    """Outcome codes (-1 for none) as a categorical of the four outcome labels."""
    return pd.Categorical.from_codes(np.fromiter(codes, dtype=np.int64), dtype=OUTCOME_CATEGORIES)


def _objects(values: list[Any]) -> pd.Series:
    return pd.Series(values, dtype=object)


def records_to_frame(records: Iterable[Record]) -> pd.DataFrame:
    """Records as a DataFrame: every field, one column each (see :data:`FRAME_COLUMNS`), with
    ``outcome`` and ``answer_outcome`` categoricals over the four outcomes; text and nested
    fields are object columns (``None`` where a record has none)."""
    recs = list(records)
    question = [r.metadata.get("question") for r in recs]
    columns: dict[str, Any] = {
        "model": _objects([r.model for r in recs]),
        "item_id": _objects([r.item_id for r in recs]),
        "target": np.array([np.nan if r.target is None else r.target for r in recs], float),
        "mode": _objects([str(r.mode) for r in recs]),
        "outcome": outcome_categorical(r.outcome.code for r in recs),
        "answer_outcome": outcome_categorical(
            -1 if r.answer_outcome is None else r.answer_outcome.code for r in recs
        ),
        "confidence": np.array(
            [np.nan if r.confidence is None else r.confidence for r in recs], float
        ),
        "confidence_method": _objects([r.confidence_method for r in recs]),
        "grader": _objects([r.grader for r in recs]),
        "prompt_hash": _objects([r.prompt_hash for r in recs]),
        "grader_version": _objects([r.grader_version for r in recs]),
        "question": _objects([q if isinstance(q, str) else None for q in question]),
        "response": _objects([r.response for r in recs]),
        "samples": _objects([r.samples for r in recs]),
        "error": _objects([r.error for r in recs]),
        "metadata": _objects([r.metadata for r in recs]),
        "timings": _objects([r.timings for r in recs]),
    }
    return pd.DataFrame(columns, columns=list(FRAME_COLUMNS))

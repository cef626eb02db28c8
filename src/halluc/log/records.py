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

import pandas as pd

from halluc.errors import InputError
from halluc.log.jsonl import iter_jsonl
from halluc.log.outcomes import DEFAULT_MODE, Mode, Outcome, parse_mode, parse_outcome

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


FRAME_COLUMNS = (
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


def records_to_frame(records: Iterable[Record]) -> pd.DataFrame:
    """The scoring columns of records as a DataFrame (outcomes as categoricals)."""
    rows = [
        (
            r.model,
            r.item_id,
            r.target,
            r.mode,
            str(r.outcome),
            None if r.answer_outcome is None else str(r.answer_outcome),
            r.confidence,
            r.confidence_method,
            r.grader,
            r.prompt_hash,
        )
        for r in records
    ]
    frame = pd.DataFrame.from_records(rows, columns=list(FRAME_COLUMNS))
    frame["target"] = frame["target"].astype("float64")
    frame["confidence"] = frame["confidence"].astype("float64")
    return frame

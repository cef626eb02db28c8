"""What every importer shares: its options, the report of what it mapped and what it could not,
and the result (records plus reports).

An importer turns one foreign per-item log into :class:`halluc.log.records.Record` s with mode
``"imported"`` and ``target=None`` (an imported outcome holds at every t). The source's own grade
is kept in ``metadata["source_grade"]``; question and gold answers, where known, in
``metadata["question"]`` and ``metadata["answers"]``.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from halluc.data.benchmarks import recognise
from halluc.errors import InputError
from halluc.log.outcomes import OUTCOMES, Mode, Outcome
from halluc.log.records import Record

IMPORTED_MODE = Mode.IMPORTED
MAX_UNMAPPED_SHOWN = 20
HALLUC_GRADER = "halluc.grading"
"""The grader name (prefix) of outcomes halluc graded itself."""


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """Choices an importer cannot always make on its own; every field has a sensible default."""

    model: str | None = None
    """Model name to use instead of the one found in the log."""
    task: str | None = None
    """Task name to use instead of the one found in the log."""
    detect_abstention: bool = True
    """Where the source has no abstention label, run halluc's abstention detection on answers
    the source graded wrong (never on answers it graded right)."""
    metric: str | None = None
    """The source metric to take as the per-item grade (lm-eval, HELM); default: the first
    binary one."""
    lm_eval_filter: str | None = None
    """lm-evaluation-harness filter whose responses to import (default: the first in the file)."""
    scorer: str | None = None
    """Inspect scorer whose scores to import (default: the log's first scorer)."""
    partial: str = "incorrect"
    """How an Inspect PARTIAL score ('P') is mapped: 'incorrect', 'correct' or 'error'."""
    split: str | None = None
    """HELM split to import (default: 'test' when present, else every split)."""

    def __post_init__(self) -> None:
        if self.partial not in ("incorrect", "correct", "error"):
            raise InputError(
                f"must be 'incorrect', 'correct' or 'error', got {self.partial!r}",
                field="partial",
            )


@dataclass(slots=True)
class Unmapped:
    """One source item that could not be turned into a graded outcome, and why."""

    where: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"where": self.where, "reason": self.reason}


@dataclass
class ImportReport:
    """What one importer did with one source: counts, the source's own aggregate, and what it
    could not map. ``accuracy`` is correct / (items minus error outcomes), i.e. halluc's score at
    t = 0 with errors excluded, which is what the source's own accuracy should equal."""

    path: str
    format: str
    task: str | None = None
    models: list[str] = field(default_factory=list)
    benchmark: str | None = None
    grade_source: str | None = None
    source_accuracy: float | None = None
    source_accuracy_name: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    reclassified_as_abstained: int = 0
    graded_by_halluc: int = 0
    unmapped: list[Unmapped] = field(default_factory=list)
    unmapped_total: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    @property
    def accuracy(self) -> float | None:
        scored = self.n - self.counts.get(str(Outcome.ERROR), 0)
        if scored <= 0:
            return None
        return self.counts.get(str(Outcome.CORRECT), 0) / scored

    @property
    def matches_source(self) -> bool | None:
        """Whether halluc's t = 0 accuracy reproduces the source's own number (to 1e-9)."""
        if self.source_accuracy is None or self.accuracy is None:
            return None
        return abs(self.source_accuracy - self.accuracy) <= 1e-9

    def add_unmapped(self, where: str, reason: str) -> None:
        self.unmapped_total += 1
        if len(self.unmapped) < MAX_UNMAPPED_SHOWN:
            self.unmapped.append(Unmapped(where, reason))

    def count(self, records: Iterable[Record]) -> None:
        c = Counter(str(r.outcome) for r in records)
        self.counts = {str(o): int(c.get(str(o), 0)) for o in OUTCOMES}
        self.models = sorted({r.model for r in records} | set(self.models))

    def result(self, records: list[Record]) -> ImportResult:
        """The records with this report, counted: the last step of every importer."""
        self.count(records)
        return ImportResult(records=records, reports=[self])

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "task": self.task,
            "models": self.models,
            "benchmark": self.benchmark,
            "grade_source": self.grade_source,
            "n": self.n,
            "counts": self.counts,
            "accuracy": self.accuracy,
            "source_accuracy": self.source_accuracy,
            "source_accuracy_name": self.source_accuracy_name,
            "matches_source": self.matches_source,
            "reclassified_as_abstained": self.reclassified_as_abstained,
            "graded_by_halluc": self.graded_by_halluc,
            "unmapped_total": self.unmapped_total,
            "unmapped": [u.as_dict() for u in self.unmapped],
            "notes": self.notes,
        }


@dataclass
class ImportResult:
    records: list[Record] = field(default_factory=list)
    reports: list[ImportReport] = field(default_factory=list)

    def extend(self, other: ImportResult) -> None:
        self.records.extend(other.records)
        self.reports.extend(other.reports)


@functools.lru_cache(maxsize=4096)
def benchmark_key(task: str | None) -> str | None:
    bench = recognise(task)
    return None if bench is None else bench.key


def item_id(task: str | None, source_id: object) -> str:
    """Item ids are namespaced by task so that records of several tasks never collide."""
    return f"{task}/{source_id}" if task else str(source_id)


def base_metadata(
    *,
    source: str,
    task: str | None,
    source_id: object,
    source_grade: object,
    question: str | None = None,
    answers: Sequence[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The metadata every imported record carries, with the Table 2 key of the task."""
    md: dict[str, Any] = {
        "source": source,
        "task": task,
        "source_id": source_id,
        "source_grade": source_grade,
    }
    bench = benchmark_key(task)
    if bench is not None:
        md["benchmark"] = bench
    if question is not None:
        md["question"] = question
    if answers is not None:
        md["answers"] = list(answers)
    if extra:
        md.update(extra)
    return md


@functools.lru_cache(maxsize=64)
def grader_version(grader: str | None) -> str | None:
    """The grader version of records halluc graded (``None`` for the source's own grades)."""
    if grader is None or HALLUC_GRADER not in grader:
        return None
    from halluc.grading.match import MATCH_GRADER_VERSION

    return f"match/{MATCH_GRADER_VERSION}"


@dataclass(frozen=True, slots=True)
class ImportSource:
    """What every record of one imported source shares: its format, task and model.

    :meth:`record` builds one record the way every importer does: ``target=None`` (an imported
    outcome holds at every t), mode ``imported``, the item id namespaced by task, the grader's
    version, and the metadata of :func:`base_metadata`.
    """

    format: str
    task: str | None
    model: str

    def report(self, path: str | Path, **fields: Any) -> ImportReport:
        """A fresh report for this source (with the Table 2 key of its task)."""
        return ImportReport(
            path=str(path),
            format=self.format,
            task=self.task,
            benchmark=benchmark_key(self.task),
            **fields,
        )

    def record(
        self,
        source_id: object,
        outcome: Outcome,
        grader: str | None,
        *,
        item_key: object = None,
        response: str | None = None,
        error: str | None = None,
        source_grade: object = None,
        question: str | None = None,
        answers: Sequence[str] | None = None,
        extra: dict[str, Any] | None = None,
        samples: Sequence[str] = (),
        confidence: float | None = None,
        confidence_method: str | None = None,
        prompt_hash: str | None = None,
    ) -> Record:
        """One imported record; ``item_key`` (default ``source_id``) names the item."""
        return Record(
            item_id=item_id(self.task, source_id if item_key is None else item_key),
            model=self.model,
            outcome=outcome,
            target=None,
            mode=IMPORTED_MODE,
            prompt_hash=prompt_hash,
            response=response,
            samples=list(samples),
            confidence=confidence,
            confidence_method=confidence_method,
            grader=grader,
            grader_version=grader_version(grader),
            error=error,
            metadata=base_metadata(
                source=self.format,
                task=self.task,
                source_id=source_id,
                source_grade=source_grade,
                question=question,
                answers=answers,
                extra=extra,
            ),
        )


def read_json_file(path: Path, what: str) -> Any:
    """Parse a whole JSON file; errors name the file and, for a syntax error, the line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", path=path) from None
    return parse_json_bytes(raw, path, what)


def parse_json_bytes(raw: bytes, path: Path | str, what: str, member: str | None = None) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        line = raw[: exc.pos].count(b"\n") + 1
        where = f" (member {member})" if member else ""
        truncated = " - the file looks truncated" if exc.pos >= len(raw.rstrip()) else ""
        raise InputError(
            f"invalid JSON in {what}{where}: {exc.msg}{truncated}",
            path=path,
            line=line,
            field=member,
        ) from None


def read_json_lines(path: Path, what: str) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` for each non-blank line of a foreign JSON Lines file.

    One read and one ``orjson.loads`` per line (orjson validates UTF-8 itself), which is what
    a 100 MB log needs; any bad line, including a cut-off last one, is an error naming it.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what}: {exc.strerror}", path=path) from None
    lines = data.split(b"\n")
    last = len(lines)
    for line_no, raw in enumerate(lines, 1):
        if not raw or raw.isspace():
            continue
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            cut = (
                " (the file is cut off: no newline after the last line)" if line_no == last else ""
            )
            raise InputError(
                f"invalid JSON in {what}: {exc.msg}{cut}", path=path, line=line_no
            ) from None
        yield line_no, value


def text_of(value: object) -> str | None:
    """The text of a message content that may be a string or a list of content parts."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for part in value:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict):
                text = part.get("text")
                if isinstance(text, str):
                    parts.append(text)
        return "".join(parts) if parts else None
    return str(value)


__all__ = [
    "HALLUC_GRADER",
    "IMPORTED_MODE",
    "ImportOptions",
    "ImportReport",
    "ImportResult",
    "ImportSource",
    "Unmapped",
    "base_metadata",
    "benchmark_key",
    "grader_version",
    "item_id",
    "parse_json_bytes",
    "read_json_file",
    "read_json_lines",
    "text_of",
]

"""Reading question-answer tables (JSONL, JSON, CSV/TSV, Parquet) into :class:`Item`.

A :class:`FieldMap` says which columns hold the id, the question, the answers and metadata;
without one, common spellings are detected. Answers may be a list, a JSON-encoded list in a
string, or a single string (split on ``answer_separator`` when one is given). Every problem is an
:class:`~halluc.errors.InputError` naming the file, the line (the row for Parquet) and the field.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from halluc.data.items import Item
from halluc.errors import InputError
from halluc.io.rows import find_column
from halluc.io.rows import read_rows as rows_of

ID_NAMES = ("id", "item_id", "question_id", "qid", "uid")
QUESTION_NAMES = ("question", "problem", "query", "prompt", "input")
ANSWER_NAMES = ("answers", "answer", "aliases", "target", "targets", "gold", "label")

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class FieldMap:
    """Which columns hold what. ``None`` means: detect from common spellings."""

    id: str | None = None
    question: str | None = None
    answers: str | None = None
    metadata: tuple[str, ...] | None = None
    """Columns copied into ``Item.metadata`` (default: every other column)."""
    answer_separator: str | None = None
    """Split a single answer string on this (e.g. ``"|"``) into aliases."""


def read_rows(path: Path) -> Iterator[tuple[int, Row]]:
    """``(line, row)`` pairs of a table file (see :func:`halluc.io.rows.read_rows`); line
    numbers are 1-based file lines (entry numbers in a JSON document, rows in Parquet)."""
    return rows_of(path, what="dataset").records()


def _pick(row: Row, given: str | None, names: Sequence[str]) -> str | None:
    return given if given is not None else find_column(row, names)


def parse_answers(value: Any, *, separator: str | None = None) -> list[str] | None:
    """Gold answers from a cell: a list, a JSON list in a string, or one string."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, dict):
        for key in ("aliases", "normalized_aliases", "value", "answers"):
            if key in value:
                return parse_answers(value[key], separator=separator)
        return None
    text = str(value).strip()
    if not text:
        return []
    if text.startswith("[") and text.endswith("]"):
        try:
            decoded = orjson.loads(text)
        except orjson.JSONDecodeError:
            decoded = None
        if isinstance(decoded, list):
            return parse_answers(decoded)
    if separator:
        return [p.strip() for p in text.split(separator) if p.strip()]
    return [text]


def item_from_row(
    row: Row,
    *,
    path: Path,
    line: int,
    fields: FieldMap,
    id_prefix: str = "",
) -> Item:
    """One row to an :class:`Item` through a field map; errors name file, line and field."""
    q_col = _pick(row, fields.question, QUESTION_NAMES)
    a_col = _pick(row, fields.answers, ANSWER_NAMES)
    id_col = _pick(row, fields.id, ID_NAMES)
    if q_col is None or q_col not in row:
        raise InputError(
            f"no question (looked for {', '.join(QUESTION_NAMES)})",
            path=path,
            line=line,
            field=fields.question or "question",
        )
    question = row[q_col]
    if question is None or not str(question).strip():
        raise InputError("missing question", path=path, line=line, field=q_col)
    if a_col is None or a_col not in row:
        raise InputError(
            f"no answers (looked for {', '.join(ANSWER_NAMES)})",
            path=path,
            line=line,
            field=fields.answers or "answers",
        )
    answers = parse_answers(row[a_col], separator=fields.answer_separator)
    if not answers:
        raise InputError("missing answers", path=path, line=line, field=a_col)
    raw_id = row.get(id_col) if id_col is not None else None
    item_id = f"{id_prefix}{raw_id}" if raw_id not in (None, "") else f"{id_prefix}{line}"
    keep = fields.metadata
    used = {q_col, a_col, id_col}
    meta = {k: v for k, v in row.items() if (k in keep if keep is not None else k not in used)}
    return Item(
        id=str(item_id), question=str(question).strip(), answers=tuple(answers), metadata=meta
    )


def load_table(
    path: str | Path, fields: FieldMap | None = None, *, id_prefix: str = ""
) -> list[Item]:
    """All rows of a table file as items (ids must be unique)."""
    p = Path(path)
    fm = fields or FieldMap()
    items: list[Item] = []
    seen: dict[str, int] = {}
    for line, row in read_rows(p):
        item = item_from_row(row, path=p, line=line, fields=fm, id_prefix=id_prefix)
        if item.id in seen:
            raise InputError(
                f"duplicate id {item.id!r} (first on line {seen[item.id]})",
                path=p,
                line=line,
                field=fm.id or "id",
            )
        seen[item.id] = line
        items.append(item)
    if not items:
        raise InputError("dataset has no rows", path=p, line=1)
    return items

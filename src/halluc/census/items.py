"""QA items for the text census: an id, a subject name and answer aliases per item.

Read from JSONL (one object per line) or CSV. ``answers`` is a list of strings (in CSV: a JSON
list, or aliases separated by ``|``); a single string is one alias. ``subject`` may also be a
list (aliases of the subject). Wikipedia-style titles such as "Henry Feilden (Conservative
politician)" can have the trailing parenthetical removed (``strip_disambiguation``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from halluc.census.sources import InputFile, TableFormat, iter_line_blocks
from halluc.census.streams import open_binary_stream
from halluc.errors import InputError
from halluc.io.text import CsvRows, decoded_lines, json_object

_DISAMBIGUATION = re.compile(r"\s*\([^()]*\)\s*$")


@dataclass(frozen=True, slots=True)
class ItemFields:
    id: str = "id"
    subject: str = "subject"
    answers: str = "answers"
    strip_disambiguation: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "id_field": self.id,
            "subject_field": self.subject,
            "answers_field": self.answers,
            "strip_disambiguation": self.strip_disambiguation,
        }


@dataclass(frozen=True)
class Items:
    ids: list[str]
    subjects: list[list[str]]
    answers: list[list[str]]

    def __len__(self) -> int:
        return len(self.ids)


def _names(value: Any, *, csv_cell: bool) -> list[str] | None:
    if isinstance(value, str):
        text = value.strip()
        if csv_cell and text.startswith("["):
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError:
                return None
        elif csv_cell and "|" in text:
            return [p.strip() for p in text.split("|") if p.strip()]
        else:
            return [text] if text else []
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v).strip() for v in value if str(v).strip()]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [str(value)]
    return None


def _add(
    out: Items, row: Any, fields: ItemFields, file: InputFile, line: int, seen: dict[str, int]
) -> None:
    csv_cell = file.format is not TableFormat.JSONL
    get = row.get
    raw_id = get(fields.id)
    if raw_id is None or raw_id == "" or isinstance(raw_id, bool | list | dict):
        raise InputError(
            "missing or not a string/number", path=file.path, line=line, field=fields.id
        )
    item_id = str(raw_id)
    if item_id in seen:
        raise InputError(
            f"duplicate item id {item_id!r} (first on line {seen[item_id]})",
            path=file.path,
            line=line,
            field=fields.id,
        )
    seen[item_id] = line
    subjects = _names(get(fields.subject), csv_cell=csv_cell)
    if fields.strip_disambiguation and subjects:
        subjects = [_DISAMBIGUATION.sub("", s) or s for s in subjects]
    if not subjects:
        raise InputError(
            "missing or empty (a subject name is needed)",
            path=file.path,
            line=line,
            field=fields.subject,
        )
    answers = _names(get(fields.answers), csv_cell=csv_cell)
    if not answers:
        raise InputError(
            "missing or empty (at least one answer alias is needed)",
            path=file.path,
            line=line,
            field=fields.answers,
        )
    out.ids.append(item_id)
    out.subjects.append(subjects)
    out.answers.append(answers)


def _item_rows(file: InputFile) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, row)`` of a JSONL or CSV/TSV items file, read block by block."""
    if file.format is TableFormat.JSONL:
        for block in iter_line_blocks(file):
            for i, raw in enumerate(block.data.split(b"\n")):
                if raw.strip():
                    line = block.first_line + i
                    yield line, json_object(raw, file.path, line)
    elif file.format in (TableFormat.CSV, TableFormat.TSV):
        with open_binary_stream(file) as raw_stream:
            rows = CsvRows(decoded_lines(raw_stream, file.path), file.path, file.delimiter)
            for line, row in rows:
                yield line, dict(zip(rows.header, row, strict=True))
    else:
        raise InputError("items must be JSONL or CSV", path=file.path)


def read_items(files: Sequence[InputFile], fields: ItemFields | None = None) -> Items:
    """Read and check QA items; ids must be unique across all files."""
    f = fields or ItemFields()
    out = Items([], [], [])
    seen: dict[str, int] = {}
    for file in files:
        for line, row in _item_rows(file):
            _add(out, row, f, file, line, seen)
    if not out.ids:
        raise InputError("no items", path=str(files[0].path) if files else None)
    return out

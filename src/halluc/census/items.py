"""QA items for the text census: an id, a subject name and answer aliases per item.

Read from JSONL (one object per line) or CSV. ``answers`` is a list of strings (in CSV: a JSON
list, or aliases separated by ``|``); a single string is one alias. ``subject`` may also be a
list (aliases of the subject). Wikipedia-style titles such as "Henry Feilden (Conservative
politician)" can have the trailing parenthetical removed (``strip_disambiguation``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from halluc.census.sources import InputFile, TableFormat, iter_line_blocks
from halluc.census.streams import open_binary_stream
from halluc.errors import InputError

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


def read_items(files: Sequence[InputFile], fields: ItemFields | None = None) -> Items:
    """Read and check QA items; ids must be unique across all files."""
    f = fields or ItemFields()
    out = Items([], [], [])
    seen: dict[str, int] = {}
    for file in files:
        if file.format is TableFormat.JSONL:
            for block in iter_line_blocks(file):
                for i, raw in enumerate(block.data.split(b"\n")):
                    if not raw.strip():
                        continue
                    line = block.first_line + i
                    try:
                        obj = orjson.loads(raw)
                    except orjson.JSONDecodeError as exc:
                        raise InputError(
                            f"invalid JSON ({exc.msg})", path=file.path, line=line
                        ) from None
                    if not isinstance(obj, dict):
                        raise InputError(
                            "each line must be a JSON object", path=file.path, line=line
                        )
                    _add(out, obj, f, file, line, seen)
        elif file.format in (TableFormat.CSV, TableFormat.TSV):
            with open_binary_stream(file) as raw_stream:
                text = io.TextIOWrapper(raw_stream, encoding="utf-8", newline="")
                delim = "\t" if file.format is TableFormat.TSV else ","
                reader = csv.DictReader(text, delimiter=delim)
                try:
                    for row in reader:
                        _add(out, row, f, file, reader.line_num, seen)
                except csv.Error as exc:
                    raise InputError(
                        f"bad CSV ({exc})", path=file.path, line=reader.line_num
                    ) from None
        else:
            raise InputError("items must be JSONL or CSV", path=file.path)
    if not out.ids:
        raise InputError("no items", path=str(files[0].path) if files else None)
    return out

"""Datasets: items, a loader for JSONL/JSON/CSV/Parquet with a field mapping, adapters for
SimpleQA, PopQA, TriviaQA, Natural Questions open and SelfAware, and a built-in sample.

``load_dataset(spec)`` takes ``"builtin"``, a path (the adapter is chosen from the file name,
else the file is read as a generic table), or ``"FORMAT:PATH"`` (e.g. ``"popqa:data.jsonl"``).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from halluc.data.adapters import ADAPTERS, detect_format
from halluc.data.items import Item, items_digest
from halluc.data.loaders import FieldMap, item_from_row, load_table, parse_answers, read_rows
from halluc.errors import InputError

BUILTIN = "builtin"


def builtin_path() -> Path:
    """The path of the built-in sample inside the installed package."""
    return Path(str(importlib.resources.files("halluc.data").joinpath("builtin/sample.jsonl")))


def load_builtin() -> list[Item]:
    """The built-in sample: 200 TriviaQA, PopQA long-tail and SimpleQA questions (see
    ``builtin/ATTRIBUTION.md``)."""
    path = builtin_path()
    out = []
    for line, row in read_rows(path):
        item = item_from_row(
            row,
            path=path,
            line=line,
            fields=FieldMap(
                id="id", question="question", answers="answers", metadata=("metadata",)
            ),
        )
        out.append(Item(item.id, item.question, item.answers, dict(row.get("metadata") or {})))
    return out


def load_dataset(
    spec: str | Path,
    *,
    format: str | None = None,
    fields: FieldMap | None = None,
    limit: int | None = None,
) -> list[Item]:
    """Items from ``"builtin"``, a file path, or ``"FORMAT:PATH"``; the first ``limit`` only."""
    if limit is not None and limit < 1:
        raise InputError(f"must be at least 1, got {limit}", field="limit")
    text = str(spec)
    fmt = format
    if fmt is None and ":" in text and text.split(":", 1)[0] in ADAPTERS:
        fmt, text = text.split(":", 1)
    if text == BUILTIN and fmt is None:
        items = load_builtin()
    else:
        path = Path(text).expanduser()
        if fmt is None and fields is None:
            fmt = detect_format(path)
        if fmt is not None and fmt != "table":
            if fmt not in ADAPTERS:
                raise InputError(
                    f"unknown dataset format {fmt!r} (known: {', '.join(sorted(ADAPTERS))}, table)",
                    field="dataset_format",
                )
            items = ADAPTERS[fmt](path)
        else:
            items = load_table(path, fields)
        if not items:
            raise InputError("dataset has no rows", path=path)
    return items[:limit] if limit is not None else items


__all__ = [
    "ADAPTERS",
    "BUILTIN",
    "FieldMap",
    "Item",
    "builtin_path",
    "detect_format",
    "item_from_row",
    "items_digest",
    "load_builtin",
    "load_dataset",
    "load_table",
    "parse_answers",
    "read_rows",
]

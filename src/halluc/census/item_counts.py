"""The per-item counts a census join reads: one row per item, an item id and its count.

Written by ``halluc census facts``/``text`` (``census_counts.parquet``, ``n_both`` ...) or by
any tool; read with :func:`halluc.io.rows.read_rows` (Parquet, CSV or JSONL, optionally
gzipped) and checked here: every count a number >= 0, every item once.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from halluc.errors import InputError
from halluc.io.rows import read_rows


def read_counts(path: Path, item_column: str = "item_id") -> tuple[pd.DataFrame, list[int]]:
    """A counts table (Parquet, CSV or JSONL, optionally gzipped): an item id column (kept as
    text) and count columns (numbers), with the line of each row."""
    rows = read_rows(path, what="counts")
    frame = rows.frame()
    for name in frame.columns:
        if name == item_column:
            continue
        numbers = pd.to_numeric(frame[name], errors="coerce")
        if numbers.notna().all():
            frame[name] = numbers.astype(np.int64) if (numbers % 1 == 0).all() else numbers
    return frame, rows.lines


def find_count_column(counts: pd.DataFrame, wanted: str | None, item_column: str, path: str) -> str:
    if wanted is not None:
        if wanted not in counts.columns:
            raise InputError(
                f"no such column (columns: {', '.join(map(str, counts.columns))})",
                path=path,
                field=wanted,
            )
        return wanted
    for name in ("n_both", "count"):
        if name in counts.columns:
            return name
    numeric = [
        str(c)
        for c in counts.columns
        if c != item_column and pd.api.types.is_integer_dtype(counts[c].dtype)
    ]
    if len(numeric) == 1:
        return numeric[0]
    raise InputError("cannot tell which column holds the counts; name it (count_column)", path=path)


def count_table(
    counts_path: Path, count_column: str | None, item_column: str
) -> tuple[pd.DataFrame, str]:
    """``item_id, count`` (plus any other integer columns) from the counts file, checked:
    every count a number >= 0, every item once."""
    counts, lines = read_counts(counts_path, item_column)
    if item_column not in counts.columns:
        raise InputError(
            f"no such column (columns: {', '.join(map(str, counts.columns))})",
            path=counts_path,
            line=1,
            field=item_column,
        )
    column = find_count_column(counts, count_column, item_column, str(counts_path))
    values = pd.to_numeric(counts[column], errors="coerce")
    bad = values.isna().to_numpy() | (values < 0).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"row {i + 1}: not a count >= 0 ({counts[column].iloc[i]!r})",
            path=counts_path,
            line=lines[i],
            field=column,
        )
    ids = counts[item_column].astype("string")
    if ids.duplicated().any():
        i = int(np.flatnonzero(ids.duplicated().to_numpy())[0])
        raise InputError(
            f"item {ids.iloc[i]!r} appears twice",
            path=counts_path,
            line=lines[i],
            field=item_column,
        )
    table = pd.DataFrame({"item_id": ids.to_numpy(), "count": values.astype(np.int64).to_numpy()})
    for extra in counts.columns:
        if extra not in (item_column, column) and pd.api.types.is_integer_dtype(counts[extra]):
            table[str(extra)] = counts[extra].to_numpy()
    return table, column


__all__ = ["count_table", "find_count_column", "read_counts"]

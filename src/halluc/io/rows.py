"""The one reader of row tables: CSV, TSV, JSON Lines, JSON and Parquet, by file extension.

Every table halluc reads (outcome tables, datasets, replay tables, counts, census items and
mentions, probability tables) goes through here, so every reader refuses the same bad input in
the same words: a missing file or a folder, a FIFO or device (halluc reads regular files only),
text that is not UTF-8 (a byte-order mark is fine), a CSV row with more or fewer fields than
its header, a JSON line that does not parse, is not an object or holds a key twice. Each error
is an :class:`~halluc.errors.InputError` naming the file, the line and, where there is one, the
column. Each row keeps the line it starts on (the row number for Parquet and for a JSON
document's entries), so that the readers built on this one can name it too.

Text formats may be gzip-compressed (``.csv.gz``, ``.jsonl.gz``). The checks themselves live in
:mod:`halluc.io.text`; the census streams its own (possibly huge, possibly zstd) inputs block by
block through the same :class:`~halluc.io.text.CsvRows` and :func:`~halluc.io.text.json_object`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from halluc.errors import InputError
from halluc.io.text import CsvRows, check_regular_file, decode_text, json_object, read_bytes


class RowFormat(StrEnum):
    CSV = "csv"
    TSV = "tsv"
    JSONL = "jsonl"
    JSON = "json"
    PARQUET = "parquet"


SUFFIXES: dict[str, RowFormat] = {
    ".csv": RowFormat.CSV,
    ".tsv": RowFormat.TSV,
    ".jsonl": RowFormat.JSONL,
    ".ndjson": RowFormat.JSONL,
    ".json": RowFormat.JSON,
    ".parquet": RowFormat.PARQUET,
    ".pq": RowFormat.PARQUET,
}
DELIMITERS = {RowFormat.CSV: ",", RowFormat.TSV: "\t"}
MISSING: Any = object()
"""The cell of a column a JSON row does not have (a JSON ``null`` is ``None``)."""


def row_format(
    path: Path, allowed: Sequence[RowFormat] | None = None, what: str = "table"
) -> RowFormat:
    """The format of a ``what`` file from its name (``.gz`` aside)."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    fmt = SUFFIXES.get(suffixes[-1]) if suffixes else None
    ok = tuple(allowed or RowFormat)
    if fmt is None or fmt not in ok:
        names = ", ".join(s for s, f in SUFFIXES.items() if f in ok)
        raise InputError(f"unknown {what} file type (expected {names})", path=path)
    return fmt


@dataclass(frozen=True)
class RowTable:
    """The rows of one table file, column by column.

    ``columns`` maps each name to one cell per row: text for CSV/TSV, the parsed value for
    JSON and Parquet (:data:`MISSING` where a JSON row lacks the key). ``lines`` holds the line
    each row starts on.
    """

    path: Path
    format: RowFormat
    columns: dict[str, Sequence[Any]]
    lines: list[int]

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    def column(self, name: str) -> Sequence[Any]:
        """The cells of one column, ``None`` where a row lacks it."""
        cells = self.columns[name]
        if self.format in (RowFormat.JSONL, RowFormat.JSON):
            return [None if v is MISSING else v for v in cells]
        return cells

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """``(line, row)`` pairs; a JSON row has only the keys it holds."""
        names = self.names
        for i, line in enumerate(self.lines):
            row = {n: self.columns[n][i] for n in names}
            yield line, {k: v for k, v in row.items() if v is not MISSING}

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame (object columns; missing cells are ``None``)."""
        return pd.DataFrame({n: pd.Series(self.column(n), dtype=object) for n in self.names})

    def pick(
        self, given: str | None, names: Sequence[str], what: str, *, required: bool = True
    ) -> str | None:
        """The column holding ``what``: ``given`` (which must exist), else the first of
        ``names`` found (compared without case), else None or an error when ``required``."""
        return pick_column(self.names, given, names, what, path=self.path, required=required)


def find_column(columns: Iterable[str], names: Sequence[str]) -> str | None:
    """The first of ``names`` among ``columns``, compared without case."""
    lower = {c.lower(): c for c in columns}
    return next((lower[n.lower()] for n in names if n.lower() in lower), None)


def pick_column(
    columns: Sequence[str],
    given: str | None,
    names: Sequence[str],
    what: str,
    *,
    path: Path | str | None = None,
    required: bool = True,
) -> str | None:
    """The column holding ``what``: ``given``, else detected from ``names`` (see
    :meth:`RowTable.pick`); errors name the file, line 1 (the header) and the column."""
    if given is not None:
        if given not in columns:
            raise InputError(
                f"column not found (columns: {', '.join(columns)})", path=path, line=1, field=given
            )
        return given
    found = find_column(columns, names)
    if found is None and required:
        raise InputError(
            f"no {what} column (looked for {', '.join(names)}; name the column that holds it)",
            path=path,
            line=1,
            field=what,
        )
    return found


def _columnar(rows: Sequence[dict[str, Any]]) -> dict[str, Sequence[Any]]:
    names: dict[str, None] = {}
    for row in rows:
        for k in row:
            names.setdefault(k, None)
    return {n: [row.get(n, MISSING) for row in rows] for n in names}


def _plain_csv(raw: bytes, text: str, path: Path, fmt: RowFormat) -> RowTable | None:
    """Arrow's CSV reader for text where each row is one line (no quotes, no blank lines), so
    that row i stands on line i + 2; None when the text needs the strict reader (which also
    finds the line of any row Arrow refuses)."""
    if '"' in text or "\r" in text or "\n\n" in text or text.startswith("\n"):
        return None
    import pyarrow as pa
    import pyarrow.csv as pacsv

    delimiter = DELIMITERS[fmt]
    header = text.split("\n", 1)[0].split(delimiter)
    if len(set(header)) != len(header):
        return None
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in header}, strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    columns = {n: table.column(n).to_numpy(zero_copy_only=False) for n in header}
    return RowTable(path, fmt, columns, list(range(2, table.num_rows + 2)))


def _csv_table(path: Path, fmt: RowFormat) -> RowTable:
    raw = read_bytes(path)
    text = decode_text(raw, path)
    plain = _plain_csv(raw, text, path, fmt)
    if plain is not None:
        return plain
    reader = CsvRows(io.StringIO(text, newline=""), path, DELIMITERS[fmt])
    lines: list[int] = []
    cells: list[list[str]] = []
    for line, row in reader:
        lines.append(line)
        cells.append(row)
    names = reader.header
    if len(set(names)) != len(names):
        twice = next(n for i, n in enumerate(names) if n in names[:i])
        raise InputError(
            "the column name stands twice in the header", path=path, line=1, field=twice
        )
    columns: dict[str, Sequence[Any]] = {n: [r[j] for r in cells] for j, n in enumerate(names)}
    return RowTable(path, fmt, columns, lines)


def _jsonl_table(path: Path) -> RowTable:
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    for line_no, raw in enumerate(read_bytes(path).split(b"\n"), 1):
        if not raw.strip():
            continue
        rows.append(json_object(raw, path, line_no))
        lines.append(line_no)
    return RowTable(path, RowFormat.JSONL, _columnar(rows), lines)


LIST_KEYS = ("example", "examples", "data", "items", "rows", "records")
"""Where a JSON document that is an object keeps its rows (else: its first list)."""


def _json_table(path: Path) -> RowTable:
    """A JSON document: a list of objects, an object holding one, or a single object. A file
    that is not one JSON value but JSON Lines under a ``.json`` name is read as such."""
    raw = read_bytes(path)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if raw.lstrip().startswith(b"{") and raw.count(b"\n") > 1:
            return _jsonl_table(path)
        line = raw[: exc.pos].count(b"\n") + 1
        raise InputError(f"invalid JSON ({exc.msg})", path=path, line=line) from None
    rows = data
    if isinstance(data, dict):
        lists = {k: v for k, v in data.items() if isinstance(v, list)}
        key = next((k for k in LIST_KEYS if k in lists), next(iter(lists), None))
        rows = lists[key] if key is not None else [data]
    if not isinstance(rows, list):
        raise InputError("expected a JSON list of objects (or an object holding one)", path=path)
    for i, value in enumerate(rows, 1):
        if not isinstance(value, dict):
            raise InputError(f"entry {i} is not an object", path=path, line=i)
    return RowTable(path, RowFormat.JSON, _columnar(rows), list(range(1, len(rows) + 1)))


def _parquet_table(path: Path) -> RowTable:
    import pyarrow as pa
    import pyarrow.parquet as pq

    check_regular_file(path)
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"not a readable Parquet file ({exc})", path=path) from None
    columns: dict[str, Sequence[Any]] = {n: table.column(n).to_pylist() for n in table.column_names}
    return RowTable(path, RowFormat.PARQUET, columns, list(range(1, table.num_rows + 1)))


def read_rows(
    path: str | Path, allowed: Sequence[RowFormat] | None = None, *, what: str = "table"
) -> RowTable:
    """Read a whole ``what`` file (format from its name, ``allowed`` formats only)."""
    p = Path(path)
    fmt = row_format(p, allowed, what)
    if fmt is RowFormat.PARQUET:
        return _parquet_table(p)
    if fmt is RowFormat.JSONL:
        return _jsonl_table(p)
    if fmt is RowFormat.JSON:
        return _json_table(p)
    return _csv_table(p, fmt)


__all__ = [
    "DELIMITERS",
    "MISSING",
    "RowFormat",
    "RowTable",
    "find_column",
    "pick_column",
    "read_rows",
    "row_format",
]

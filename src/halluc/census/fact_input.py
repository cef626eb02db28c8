"""Tables of fact mentions: which columns name a fact, and strict readers for JSONL and CSV.

One row of a mention table is one training example that states a fact. The fact is named by a
``key`` column, or by several columns together (by default ``subject``, ``relation``,
``object``). An optional IDK marker column flags examples whose response is "I don't know":
they count in N but never towards a fact's count (Definition 2 of the paper). A missing or null
marker means "not IDK".

Parquet is read by the counting engines directly. JSONL and CSV are parsed here, strictly (with
the row reader's :class:`~halluc.io.rows.CsvRows` and :func:`~halluc.io.rows.json_object`), into
Arrow record batches: any bad row is an :class:`InputError` naming file, line and field, where
the engines' own lenient readers would skip, guess or stop quietly at a truncated stream.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.json as pajson
import pyarrow.parquet as pq

from halluc.census.sources import InputFile, LineBlock, TableFormat, iter_line_blocks
from halluc.census.streams import open_binary_stream
from halluc.errors import InputError
from halluc.io.text import CsvRows, decoded_lines, json_object

DEFAULT_KEY = ("key",)
DEFAULT_TRIPLE = ("subject", "relation", "object")
_TRUE = frozenset({"true", "1", "yes", "y", "t", "idk"})
_FALSE = frozenset({"false", "0", "no", "n", "f", ""})


@dataclass(frozen=True, slots=True)
class FactColumns:
    """The columns that together name a fact, and the optional IDK marker column."""

    key: tuple[str, ...]
    idk: str | None = None

    def __post_init__(self) -> None:
        if not self.key:
            raise InputError("at least one key column is needed", field="key")
        if len(set(self.key)) != len(self.key):
            raise InputError(f"repeated key column in {list(self.key)}", field="key")
        if self.idk is not None and self.idk in self.key:
            raise InputError(f"'{self.idk}' cannot be both a key and the IDK marker", field="idk")

    @property
    def names(self) -> tuple[str, ...]:
        return (*self.key, self.idk) if self.idk else self.key

    def arrow_schema(self) -> pa.Schema:
        fields = [pa.field(k, pa.string()) for k in self.key]
        return pa.schema([*fields, pa.field("__idk", pa.bool_())])

    def as_dict(self) -> dict[str, Any]:
        return {"key": list(self.key), "idk_column": self.idk}


def file_columns(file: InputFile) -> list[str]:
    """Column names of a file: the Parquet schema, the CSV header or the first JSONL object."""
    if file.format is TableFormat.PARQUET:
        try:
            return list(pq.read_schema(file.path).names)
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"not a readable Parquet file ({exc})", path=file.path) from None
    if file.format in (TableFormat.CSV, TableFormat.TSV):
        with open_binary_stream(file) as raw:
            return CsvRows(decoded_lines(raw, file.path), file.path, file.delimiter).header
    for block in iter_line_blocks(file, block_bytes=1 << 16):
        for i, line in enumerate(block.data.split(b"\n")):
            if line.strip():
                return list(json_object(line, file.path, block.first_line + i))
        break
    return []


def resolve_columns(
    files: Sequence[InputFile], key: Sequence[str] | None, idk: str | None
) -> FactColumns:
    """The fact columns: as given, else ``key`` if the first file has it, else subject/relation/
    object; every named column must exist in the first file."""
    first = files[0]
    have = file_columns(first)
    if key:
        cols = FactColumns(tuple(key), idk)
    elif "key" in have:
        cols = FactColumns(DEFAULT_KEY, idk)
    elif all(c in have for c in DEFAULT_TRIPLE):
        cols = FactColumns(DEFAULT_TRIPLE, idk)
    else:
        raise InputError(
            "no fact key: name the key column(s) (there is no 'key' column nor 'subject', "
            f"'relation' and 'object'); columns here: {', '.join(have) or '(none)'}",
            path=first.path,
        )
    if first.format is not TableFormat.JSONL:
        for name in cols.names:
            if name not in have:
                raise InputError(
                    f"no such column (columns: {', '.join(have)})", path=first.path, field=name
                )
    return cols


def _key_text(value: Any, file: InputFile, line: int, name: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise InputError(
        f"a key must be a string or an integer, got {orjson.dumps(value).decode()[:60]}",
        path=file.path,
        line=line,
        field=name,
    )


def _idk_flag(value: Any, file: InputFile, line: int, name: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InputError(
        f"an IDK marker must be true/false (or 1/0), got {value!r}",
        path=file.path,
        line=line,
        field=name,
    )


class _Columns:
    """Column buffers for one batch, filled row by row with validation."""

    def __init__(self, cols: FactColumns, file: InputFile) -> None:
        self.cols = cols
        self.file = file
        self.keys: list[list[str | None]] = [[] for _ in cols.key]
        self.idk: list[bool] = []

    def add(self, get: Any, line: int) -> None:
        cols, file = self.cols, self.file
        flag = _idk_flag(get(cols.idk), file, line, cols.idk) if cols.idk else False
        for j, name in enumerate(cols.key):
            value = get(name)
            if value is None:
                if not flag:
                    raise InputError(
                        "missing or null (a fact mention needs every key column)",
                        path=file.path,
                        line=line,
                        field=name,
                    )
                self.keys[j].append(None)
            else:
                self.keys[j].append(_key_text(value, file, line, name))
        self.idk.append(flag)

    def __len__(self) -> int:
        return len(self.idk)

    def batch(self) -> pa.RecordBatch:
        arrays = [pa.array(k, pa.string()) for k in self.keys]
        arrays.append(pa.array(self.idk, pa.bool_()))
        return pa.RecordBatch.from_arrays(arrays, schema=self.cols.arrow_schema())


def parse_jsonl_lines(
    lines: Sequence[bytes], cols: FactColumns, file: InputFile, first_line: int
) -> pa.RecordBatch:
    """Strict parse of JSONL lines into a batch (key columns as strings, ``__idk`` as bool)."""
    buf = _Columns(cols, file)
    for i, raw in enumerate(lines):
        if not raw.strip():
            continue
        obj = json_object(raw, file.path, first_line + i)
        buf.add(obj.get, first_line + i)
    return buf.batch()


def _fast_jsonl_block(block: LineBlock, cols: FactColumns) -> pa.RecordBatch | None:
    """Arrow's C++ JSON reader for a clean block; None when the block needs the strict path."""
    schema = pa.schema([pa.field(n, pa.string()) for n in cols.key])
    if cols.idk:
        schema = schema.append(pa.field(cols.idk, pa.bool_()))
    try:
        table = pajson.read_json(
            io.BytesIO(block.data),
            read_options=pajson.ReadOptions(use_threads=False, block_size=len(block.data) + 64),
            parse_options=pajson.ParseOptions(
                explicit_schema=schema, unexpected_field_behavior="ignore"
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if cols.idk:
        idk = table.column(cols.idk).fill_null(False)
    else:
        idk = pa.chunked_array([pa.array([False] * table.num_rows, pa.bool_())])
    for name in cols.key:
        col = table.column(name)
        if col.null_count and not _nulls_only_where(col, idk):
            return None
    arrays = [table.column(n).combine_chunks() for n in cols.key]
    arrays.append(idk.combine_chunks())
    return pa.RecordBatch.from_arrays(arrays, schema=cols.arrow_schema())


def _nulls_only_where(col: pa.ChunkedArray, idk: pa.ChunkedArray) -> bool:
    import pyarrow.compute as pc

    bad = pc.and_(pc.is_null(col), pc.invert(idk))
    return not pc.any(bad).as_py()


def iter_jsonl_batches(file: InputFile, cols: FactColumns) -> Iterator[pa.RecordBatch]:
    for block in iter_line_blocks(file):
        fast = _fast_jsonl_block(block, cols)
        if fast is not None:
            yield fast
        else:
            yield parse_jsonl_lines(block.data.split(b"\n"), cols, file, block.first_line)


def iter_csv_batches(
    file: InputFile, cols: FactColumns, batch_rows: int = 262_144
) -> Iterator[pa.RecordBatch]:
    with open_binary_stream(file) as raw:
        rows: CsvRows | None = None
        try:
            rows = CsvRows(decoded_lines(raw, file.path), file.path, file.delimiter)
            positions = {name: _position(rows.header, name, file) for name in cols.names}
            buf = _Columns(cols, file)
            for line, row in rows:

                def get(name: str | None, row: list[str] = row) -> str | None:
                    if name is None:
                        return None
                    value = row[positions[name]]
                    return None if value == "" and name != cols.idk else value

                buf.add(get, line)
                if len(buf) >= batch_rows:
                    yield buf.batch()
                    buf = _Columns(cols, file)
            if len(buf):
                yield buf.batch()
        except InputError as exc:
            if exc.line is None and exc.path == str(file.path):
                # A damaged compressed stream: say which line could not be read.
                line = 1 if rows is None else rows.line + 1
                raise InputError(exc.message, path=file.path, line=line) from None
            raise


def _position(header: list[str], name: str, file: InputFile) -> int:
    if name not in header:
        raise InputError(
            f"no such column (columns: {', '.join(header)})", path=file.path, line=1, field=name
        )
    return header.index(name)


def iter_text_batches(file: InputFile, cols: FactColumns) -> Iterator[pa.RecordBatch]:
    """Strictly parsed batches of one JSONL or CSV/TSV file."""
    if file.format is TableFormat.JSONL:
        return iter_jsonl_batches(file, cols)
    if file.format in (TableFormat.CSV, TableFormat.TSV):
        return iter_csv_batches(file, cols)
    raise ValueError(f"{file.format} is not a text format")


def text_batch_reader(files: Sequence[InputFile], cols: FactColumns) -> pa.RecordBatchReader:
    """One Arrow stream over several JSONL/CSV files (parsed lazily, batch by batch)."""

    def batches() -> Iterator[pa.RecordBatch]:
        for f in files:
            yield from iter_text_batches(f, cols)

    return pa.RecordBatchReader.from_batches(cols.arrow_schema(), batches())

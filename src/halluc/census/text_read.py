"""Reading documents for the text census: the text field of JSONL lines or Parquet rows.

Each function returns the texts of one unit of work (a block of JSONL lines, a Parquet row
group) or raises :class:`InputError` naming the file, the line (JSONL) or row (Parquet) and the
field. These run inside worker processes, so they import little.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from halluc.errors import InputError

PARQUET_BATCH_ROWS = 8192


def jsonl_texts(data: bytes, text_field: str, path: str, first_line: int) -> list[str]:
    """The ``text_field`` string of every non-blank line of a block of JSONL lines."""
    out: list[str] = []
    loads = orjson.loads
    for i, raw in enumerate(data.split(b"\n")):
        if not raw:
            continue
        try:
            obj = loads(raw)
        except orjson.JSONDecodeError as exc:
            if raw.isspace():
                continue
            raise InputError(f"invalid JSON ({exc.msg})", path=path, line=first_line + i) from None
        try:
            text = obj[text_field]
        except (KeyError, TypeError):
            if not isinstance(obj, dict):
                raise InputError(
                    f"each line must be a JSON object, got {type(obj).__name__}",
                    path=path,
                    line=first_line + i,
                ) from None
            raise InputError(
                "missing (no such field in this document)",
                path=path,
                line=first_line + i,
                field=text_field,
            ) from None
        if not isinstance(text, str):
            raise InputError(
                f"must be a string, got {orjson.dumps(text).decode()[:40]}",
                path=path,
                line=first_line + i,
                field=text_field,
            )
        out.append(text)
    return out


def parquet_row_groups(path: Path) -> list[tuple[int, int, int]]:
    """(row group, first row, compressed bytes) of each row group of a Parquet file."""
    try:
        meta = pq.read_metadata(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"not a readable Parquet file ({exc})", path=path) from None
    out = []
    first = 0
    for i in range(meta.num_row_groups):
        rg = meta.row_group(i)
        size = sum(rg.column(j).total_compressed_size for j in range(rg.num_columns))
        out.append((i, first, size))
        first += rg.num_rows
    return out


def check_parquet_text_field(path: Path, text_field: str) -> None:
    try:
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"not a readable Parquet file ({exc})", path=path) from None
    if text_field not in schema.names:
        raise InputError(
            f"missing (columns: {', '.join(schema.names)})", path=path, field=text_field
        )
    t = schema.field(text_field).type
    if pa.types.is_dictionary(t):
        t = t.value_type
    if not (pa.types.is_string(t) or pa.types.is_large_string(t)):
        raise InputError(f"must be a string column, got {t}", path=path, field=text_field)


def parquet_texts(
    path: str, row_group: int, first_row: int, text_field: str
) -> Iterator[list[str]]:
    """Texts of one row group, a batch at a time; a null text is an error naming its row."""
    try:
        pf = pq.ParquetFile(path)
        row = first_row
        for batch in pf.iter_batches(
            batch_size=PARQUET_BATCH_ROWS, row_groups=[row_group], columns=[text_field]
        ):
            col = batch.column(0)
            if col.null_count:
                bad = pc.index(pc.is_null(col), True).as_py()
                raise InputError(
                    f"row {row + bad + 1}: null (every document needs a text)",
                    path=path,
                    field=text_field,
                )
            row += batch.num_rows
            yield col.to_pylist()
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"cannot read row group {row_group} ({exc})", path=path) from None

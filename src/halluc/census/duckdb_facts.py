"""Counting facts with DuckDB: embedded, out-of-core, under a memory cap.

The count of a fact is a global ``GROUP BY`` over every mention, so no per-file or per-shard
count is ever added up (a fact seen once in each of two shards is a doubleton, not two
singletons). With ``partitions = P > 1`` the work is split explicitly by a hash of the fact key:
pass i counts only the facts with ``hash(key) % P = i``; every fact lives in exactly one pass,
so the passes' ``F_r`` add up exactly, and each pass needs about 1/P of the memory. DuckDB also
spills its hash tables to ``temp_directory`` on its own when they outgrow ``memory_limit``.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NoReturn

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from halluc.census.duckdb_sql import (
    IDK,
    census_from_per_fact,
    census_query,
    parquet_source,
    per_fact_query,
    quote_ident,
    quote_str,
)
from halluc.census.fact_census import FactCensus
from halluc.census.fact_input import FactColumns, iter_text_batches
from halluc.census.progress import ByteCounter, ProgressFn, no_progress, percent_poller
from halluc.census.sources import InputFile, TableFormat
from halluc.errors import InputError


@dataclass(frozen=True, slots=True)
class DuckDBConfig:
    """Engine settings. ``memory_limit`` takes DuckDB's syntax ('150MB', '2GB')."""

    memory_limit: str = "2GB"
    threads: int | None = None
    temp_directory: Path | None = None
    partitions: int = 1
    auto: bool = True
    """On running out of memory, retry with one thread, then with more partitions."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "memory_limit": self.memory_limit,
            "threads": self.threads,
            "temp_directory": None if self.temp_directory is None else str(self.temp_directory),
            "partitions": self.partitions,
            "auto_partitions": self.auto,
        }


@contextmanager
def connect(config: DuckDBConfig) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB with the memory cap and a temp directory for spilling."""
    own_tmp = config.temp_directory is None
    tmp = Path(tempfile.mkdtemp(prefix="halluc-duckdb-")) if own_tmp else config.temp_directory
    assert tmp is not None
    settings: dict[str, Any] = {
        "memory_limit": config.memory_limit,
        "temp_directory": str(tmp),
        "preserve_insertion_order": False,
    }
    if config.threads is not None:
        settings["threads"] = config.threads
    try:
        con = duckdb.connect(":memory:", config=settings)
    except duckdb.Error as exc:
        raise InputError(f"bad DuckDB setting ({exc})", field="memory_limit") from None
    # progress is tracked (for query_progress) but never printed on our stdout
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    try:
        yield con
    finally:
        con.close()
        if own_tmp:
            shutil.rmtree(tmp, ignore_errors=True)


_KEY_TYPES = (pa.types.is_string, pa.types.is_large_string, pa.types.is_integer)


def check_parquet_columns(files: Sequence[InputFile], cols: FactColumns) -> None:
    """Every Parquet file has the key columns (string or integer) and a boolean/integer IDK."""
    for f in files:
        try:
            schema = pq.read_schema(f.path)
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"not a readable Parquet file ({exc})", path=f.path) from None
        for name in cols.names:
            if name not in schema.names:
                raise InputError(
                    f"no such column (columns: {', '.join(schema.names)})", path=f.path, field=name
                )
            t = schema.field(name).type
            if pa.types.is_dictionary(t):
                t = t.value_type
            if name == cols.idk:
                ok = pa.types.is_boolean(t) or pa.types.is_integer(t)
                want = "boolean or integer"
            else:
                ok = any(check(t) for check in _KEY_TYPES)
                want = "string or integer"
            if not ok:
                raise InputError(f"must be {want}, got {t}", path=f.path, field=name)


def locate_null_parquet(
    con: duckdb.DuckDBPyConnection, files: Sequence[InputFile], cols: FactColumns
) -> InputError:
    src = parquet_source(files, cols, locate=True)
    cond = " OR ".join(f"{quote_ident(k)} IS NULL" for k in cols.key)
    row = con.execute(
        f"SELECT filename, file_row_number, {', '.join(quote_ident(k) for k in cols.key)} "
        f"FROM {src} WHERE ({cond}) AND NOT {IDK} LIMIT 1"
    ).fetchone()
    if row is None:  # pragma: no cover - only called after nulls were counted
        return InputError("a fact mention has a null key column")
    name = next(k for k, v in zip(cols.key, row[2:], strict=True) if v is None)
    return InputError(
        f"row {int(row[1]) + 1}: null (a fact mention needs every key column)",
        path=row[0],
        field=name,
    )


def _arrow_stream(
    files: Sequence[InputFile], cols: FactColumns, counter: ByteCounter, failure: list[InputError]
) -> pa.RecordBatchReader:
    """The parsed mentions as an Arrow stream; a parse error is kept in ``failure`` (DuckDB
    wraps exceptions raised while it pulls the stream)."""

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            for f in files:
                yield from iter_text_batches(f, cols)
                counter.add(f.size)
        except InputError as exc:
            failure.append(exc)
            raise

    return pa.RecordBatchReader.from_batches(cols.arrow_schema(), batches())


def _run(
    con: duckdb.DuckDBPyConnection, sql: str, report: ProgressFn, poll: bool
) -> list[tuple[Any, ...]]:
    """Run a query; while it runs, report DuckDB's own progress (Parquet scans)."""
    if not poll or report is no_progress:
        return con.execute(sql).fetchall()
    stop = threading.Event()
    thread = percent_poller(con.query_progress, report, stop)
    try:
        rows = con.execute(sql).fetchall()
    finally:
        stop.set()
        thread.join()
    report(100.0, 100.0)
    return rows


MAX_PARTITIONS = 1024


def count_facts_duckdb(
    files: Sequence[InputFile],
    cols: FactColumns,
    config: DuckDBConfig | None = None,
    *,
    counts_out: Path | None = None,
    progress: ProgressFn | None = None,
) -> FactCensus:
    """Exact F_r, N and IDK count of the mention tables ``files`` (all of one kind: Parquet, or
    JSONL/CSV), optionally writing the per-fact counts to ``counts_out`` (Parquet).

    When DuckDB runs out of memory under the cap and ``config.auto`` is on, the count is redone
    with one thread (each thread holds a hash table of its own), then with twice as many hash
    partitions of the fact key, until it fits; every attempt is listed in the parameters.
    """
    cfg = config or DuckDBConfig()
    if cfg.partitions < 1:
        raise InputError("must be at least 1", field="partitions")
    parquet = [f for f in files if f.format is TableFormat.PARQUET]
    text = [f for f in files if f.format is not TableFormat.PARQUET]
    if parquet and text:
        raise InputError("mixing Parquet with JSONL/CSV inputs in one census is not supported")
    if parquet:
        check_parquet_columns(parquet, cols)
    start = time.perf_counter()
    attempts: list[dict[str, Any]] = []
    current = cfg
    while True:
        t0 = time.perf_counter()
        try:
            rows, n_total = _attempt(parquet, text, cols, current, counts_out, progress)
        except duckdb.OutOfMemoryException as exc:
            attempts.append(
                {
                    **_shape(current),
                    "seconds": round(time.perf_counter() - t0, 3),
                    "result": "out of memory",
                }
            )
            nxt = _next_shape(current)
            if not cfg.auto or nxt is None:
                _raise_engine_error(exc, current)
            current = nxt
            continue
        attempts.append(
            {**_shape(current), "seconds": round(time.perf_counter() - t0, 3), "result": "ok"}
        )
        break
    answered = sum(r * f for r, f in rows.items())
    params: dict[str, Any] = {
        "backend": "duckdb",
        "duckdb_version": duckdb.__version__,
        **cols.as_dict(),
        **cfg.as_dict(),
        **_shape(current),
        "attempts": attempts,
        "inputs": [str(f.path) for f in files],
        "seconds": round(time.perf_counter() - start, 3),
    }
    return FactCensus.from_rows(rows, n_total, n_total - answered, params)


def _shape(cfg: DuckDBConfig) -> dict[str, Any]:
    return {"threads": cfg.threads, "partitions": cfg.partitions}


def _next_shape(cfg: DuckDBConfig) -> DuckDBConfig | None:
    if cfg.threads != 1:
        return replace(cfg, threads=1)
    if cfg.partitions * 2 > MAX_PARTITIONS:
        return None
    return replace(cfg, partitions=cfg.partitions * 2)


def _attempt(
    parquet: Sequence[InputFile],
    text: Sequence[InputFile],
    cols: FactColumns,
    cfg: DuckDBConfig,
    counts_out: Path | None,
    progress: ProgressFn | None,
) -> tuple[dict[int, int], int]:
    """One full count with ``cfg``'s threads and partitions (raises OutOfMemoryException)."""
    report = progress or no_progress
    files = [*parquet, *text]
    counter = ByteCounter(float(sum(f.size for f in files)), report)
    rows: dict[int, int] = {}
    n_total = 0
    null_rows = 0
    failure: list[InputError] = []
    parts: list[Path] = []
    with connect(cfg) as con:

        def source() -> str:
            if parquet:
                return parquet_source(parquet, cols)
            counter.set(0.0)
            con.register("__mentions", _arrow_stream(text, cols, counter, failure))
            return "__mentions"

        passes: list[tuple[int, int] | None] = [None]
        if cfg.partitions > 1:
            passes = [(i, cfg.partitions) for i in range(cfg.partitions)]
        try:
            for part in passes:
                if counts_out is not None:
                    dest = counts_out.with_name(f".{counts_out.name}.part{len(parts)}")
                    parts.append(dest)
                    sql = per_fact_query(source(), cols, part)
                    con.execute(f"COPY ({sql}) TO {quote_str(str(dest))} (FORMAT parquet)")
                    sql = census_from_per_fact(cols, quote_str(str(dest)))
                else:
                    sql = census_query(source(), cols, part)
                for r, has_null, f, total in _run(con, sql, report, poll=bool(parquet)):
                    n_total += int(total)
                    if has_null and int(r) > 0:
                        null_rows += int(r)
                    elif int(r) > 0:
                        rows[int(r)] = rows.get(int(r), 0) + int(f)
            if null_rows and parquet:
                raise locate_null_parquet(con, parquet, cols)
        except duckdb.OutOfMemoryException:
            if failure:
                raise failure[0] from None
            _remove(parts)
            raise
        except duckdb.Error as exc:
            _remove(parts)
            if failure:
                raise failure[0] from None
            _raise_engine_error(exc, cfg)
        except BaseException:
            _remove(parts)
            raise
    if null_rows:  # text inputs raise in the strict reader first; defensive
        _remove(parts)
        raise InputError(f"{null_rows} fact mentions have a null key column")
    if counts_out is not None:
        _concat_parquet(parts, counts_out)
    return rows, n_total


def _remove(paths: Sequence[Path]) -> None:
    for p in paths:
        p.unlink(missing_ok=True)


def _concat_parquet(parts: Sequence[Path], dest: Path) -> None:
    """Stream the per-partition files into one Parquet file, then remove them."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    writer: pq.ParquetWriter | None = None
    try:
        for p in parts:
            f = pq.ParquetFile(p)
            for batch in f.iter_batches(batch_size=262_144):
                if writer is None:
                    writer = pq.ParquetWriter(dest, batch.schema)
                writer.write_batch(batch)
    finally:
        if writer is not None:
            writer.close()
        _remove(parts)


def _raise_engine_error(exc: duckdb.Error, cfg: DuckDBConfig) -> NoReturn:
    if isinstance(exc, duckdb.OutOfMemoryException):
        raise InputError(
            f"DuckDB ran out of memory under memory_limit={cfg.memory_limit} ({exc}); raise "
            "the limit or split the work with more partitions",
            field="memory_limit",
        ) from None
    if isinstance(exc, duckdb.IOException | duckdb.InvalidInputException):
        raise InputError(f"cannot read the input ({exc})") from None
    raise exc

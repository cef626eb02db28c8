"""Counting facts with Spark (``local[*]`` by default, or a cluster's master URL).

``groupBy`` on the fact key shuffles every mention of a fact to one partition chosen by a hash
of the key, so a fact's count is complete before F_r is taken: per-file or per-executor counts
are never added up. Parquet and CSV are read by Spark; JSONL lines are parsed by the same strict
parser as the DuckDB backend (in Spark's Python workers), so both backends accept and reject the
same lines. On bad input the driver names the file and line by re-reading the file locally
where it can.
"""

from __future__ import annotations

import functools
import shutil
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from halluc.census.duckdb_facts import (
    DuckDBConfig,
    check_parquet_columns,
    connect,
    locate_null_parquet,
)
from halluc.census.fact_census import FactCensus
from halluc.census.fact_input import FactColumns, iter_text_batches, parse_jsonl_lines
from halluc.census.sources import InputFile, TableFormat
from halluc.census.spark_session import SparkConfig, get_spark, python_error_message
from halluc.errors import InputError

IDK = "__idk"
_TRUE = ("true", "1", "yes", "y", "t", "idk")
_FALSE = ("false", "0", "no", "n", "f", "")


def _parse_jsonl_arrow(
    batches: Iterator[pa.RecordBatch], cols: FactColumns
) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: strict JSONL parse of (value, file) line batches."""
    for batch in batches:
        lines = batch.column(0).to_pylist()
        files = batch.column(1).to_pylist()
        if not lines:
            continue
        file = InputFile(Path(str(files[0])), TableFormat.JSONL)
        raw = [b"" if ln is None else ln.encode("utf-8") for ln in lines]
        yield parse_jsonl_lines(raw, cols, file, first_line=0)


def _spark_frame(spark: Any, files: Sequence[InputFile], cols: FactColumns) -> Any:
    from pyspark.sql import functions as F  # noqa: N812

    paths = [str(f.path) for f in files]
    fmt = files[0].format
    if any(f.format is not fmt for f in files):
        raise InputError("all mention files of one census must have the same format")
    keys = [F.col(f"`{k}`").cast("string").alias(k) for k in cols.key]
    if fmt is TableFormat.PARQUET:
        check_parquet_columns(files, cols)
        df = spark.read.parquet(*paths)
        idk = (
            F.coalesce(F.col(f"`{cols.idk}`").cast("boolean"), F.lit(False))
            if cols.idk
            else F.lit(False)
        )
        return df.select(*keys, idk.alias(IDK))
    if fmt is TableFormat.JSONL:
        lines = spark.read.text(paths).select(F.col("value"), F.input_file_name().alias("file"))
        ddl = ", ".join(f"`{k}` string" for k in cols.key) + f", `{IDK}` boolean"
        with warnings.catch_warnings():  # pyspark's notice about pandas 3, irrelevant to Arrow
            warnings.simplefilter("ignore", FutureWarning)
            return lines.mapInArrow(functools.partial(_parse_jsonl_arrow, cols=cols), ddl)
    sep = "\t" if fmt is TableFormat.TSV else ","
    df = (
        spark.read.option("header", "true")
        .option("sep", sep)
        .option("inferSchema", "false")
        .option("mode", "FAILFAST")
        .option("multiLine", "true")
        .option("escape", '"')
        .csv(paths)
    )
    for name in cols.names:
        if name not in df.columns:
            raise InputError(f"no such column (columns: {', '.join(df.columns)})", field=name)
    if cols.idk:
        v = F.lower(F.trim(F.coalesce(F.col(f"`{cols.idk}`"), F.lit(""))))
        idk = (
            F.when(v.isin(*_TRUE), F.lit(True))
            .when(v.isin(*_FALSE), F.lit(False))
            .otherwise(
                F.raise_error(
                    F.concat(
                        F.lit("halluc.errors.InputError: an IDK marker must be true/false, got "),
                        v,
                    )
                )
            )
        )
    else:
        idk = F.lit(False)
    return df.select(*keys, idk.cast("boolean").alias(IDK))


def _validate_locally(files: Sequence[InputFile], cols: FactColumns) -> None:
    """Re-read local JSONL/CSV files with the strict reader (raises the precise error)."""
    for f in files:
        if f.format is not TableFormat.PARQUET and f.path.exists():
            for _ in iter_text_batches(f, cols):
                pass


def _write_single_parquet(frame: Any, dest: Path) -> None:
    """Write a Spark frame as one Parquet file at ``dest`` (a local path)."""
    tmp = dest.with_name(f".{dest.name}.spark-tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    frame.coalesce(1).write.mode("overwrite").parquet(str(tmp))
    parts = sorted(tmp.glob("part-*.parquet"))
    dest.parent.mkdir(parents=True, exist_ok=True)
    if parts:
        shutil.move(str(parts[0]), dest)
    shutil.rmtree(tmp, ignore_errors=True)


def count_facts_spark(
    files: Sequence[InputFile],
    cols: FactColumns,
    config: SparkConfig | None = None,
    *,
    counts_out: Path | None = None,
) -> FactCensus:
    """Exact F_r, N and IDK count with Spark; optionally the per-fact counts as Parquet."""
    from pyspark.sql import functions as F  # noqa: N812

    cfg = config or SparkConfig()
    spark = get_spark(cfg)
    start = time.perf_counter()
    df = _spark_frame(spark, files, cols)
    keys = [F.col(f"`{k}`") for k in cols.key]
    has_null = functools.reduce(lambda a, b: a | b, [k.isNull() for k in keys])
    per_fact = df.groupBy(*keys).agg(
        F.count(F.when(~F.col(IDK), F.lit(1))).alias("count"),
        F.count(F.when(F.col(IDK), F.lit(1))).alias("n_idk"),
    )
    try:
        if counts_out is not None:
            per_fact = per_fact.cache()
        rows = (
            per_fact.select(
                F.col("count").alias("r"),
                has_null.alias("has_null"),
                (F.col("count") + F.col("n_idk")).alias("total"),
            )
            .groupBy("r", "has_null")
            .agg(F.count(F.lit(1)).alias("f"), F.sum("total").alias("total"))
            .collect()
        )
        if counts_out is not None and not any(r["has_null"] and r["r"] > 0 for r in rows):
            _write_single_parquet(per_fact, counts_out)
    except InputError:
        raise
    except Exception as exc:
        if type(exc).__name__ not in (
            "PythonException",
            "Py4JJavaError",
            "SparkRuntimeException",
            "AnalysisException",
            "IllegalArgumentException",
        ):
            raise
        _validate_locally(files, cols)
        raise InputError(f"Spark could not read the input: {python_error_message(exc)}") from None
    finally:
        if counts_out is not None:
            per_fact.unpersist()
    result: dict[int, int] = {}
    n_total = 0
    null_rows = 0
    for row in rows:
        r, total, f = int(row["r"]), int(row["total"]), int(row["f"])
        n_total += total
        if r > 0 and row["has_null"]:
            null_rows += r
        elif r > 0:
            result[r] = result.get(r, 0) + f
    if null_rows:
        _validate_locally(files, cols)
        parquet = [f for f in files if f.format is TableFormat.PARQUET]
        if parquet:
            with connect(DuckDBConfig(memory_limit="512MB")) as con:
                raise locate_null_parquet(con, parquet, cols)
        raise InputError(f"{null_rows} fact mentions have a null key column")
    answered = sum(r * f for r, f in result.items())
    params: dict[str, Any] = {
        "backend": "spark",
        "spark_version": spark.version,
        **cols.as_dict(),
        **cfg.as_dict(),
        "master": spark.sparkContext.master,
        "inputs": [str(f.path) for f in files],
        "seconds": round(time.perf_counter() - start, 3),
    }
    return FactCensus.from_rows(result, n_total, n_total - answered, params)

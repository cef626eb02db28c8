"""The census entry points: count facts in mention tables, count items in raw text."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from halluc.census.duckdb_facts import DuckDBConfig, count_facts_duckdb
from halluc.census.fact_census import FactCensus
from halluc.census.fact_input import resolve_columns
from halluc.census.items import ItemFields, read_items
from halluc.census.matcher import PatternSet
from halluc.census.progress import ProgressFn
from halluc.census.sources import TableFormat, expand_inputs
from halluc.census.spark_session import SparkConfig
from halluc.census.text_census import TextCensus
from halluc.census.text_scan import TextOptions, scan_corpus


class FactBackend(StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"


class TextBackend(StrEnum):
    LOCAL = "local"
    SPARK = "spark"


def count_facts(
    paths: Sequence[str | Path],
    *,
    key: Sequence[str] | None = None,
    idk_column: str | None = None,
    fmt: TableFormat | None = None,
    backend: FactBackend | str = FactBackend.DUCKDB,
    duckdb: DuckDBConfig | None = None,
    spark: SparkConfig | None = None,
    counts_out: Path | None = None,
    progress: ProgressFn | None = None,
) -> FactCensus:
    """Exact frequency-of-frequencies, N and singleton rate of fact-mention tables.

    ``key``: the column(s) naming a fact (default ``key``, else subject/relation/object);
    ``idk_column``: a boolean column marking "I don't know" examples (counted in N only).
    """
    files = expand_inputs(paths, fmt=fmt, what="mention")
    cols = resolve_columns(files, key, idk_column)
    b = FactBackend(backend)
    if b is FactBackend.SPARK:
        from halluc.census.spark_facts import count_facts_spark

        return count_facts_spark(files, cols, spark, counts_out=counts_out)
    return count_facts_duckdb(files, cols, duckdb, counts_out=counts_out, progress=progress)


def count_text(
    corpus: Sequence[str | Path],
    items: Sequence[str | Path],
    *,
    fields: ItemFields | None = None,
    options: TextOptions | None = None,
    backend: TextBackend | str = TextBackend.LOCAL,
    spark: SparkConfig | None = None,
    fmt: TableFormat | None = None,
    progress: ProgressFn | None = None,
) -> TextCensus:
    """Per item: documents mentioning its subject, its answer (any alias), and both."""
    opt = options or TextOptions()
    fld = fields or ItemFields()
    item_files = expand_inputs(
        items, allowed=(TableFormat.JSONL, TableFormat.CSV, TableFormat.TSV), what="item"
    )
    docs = expand_inputs(
        corpus, fmt=fmt, allowed=(TableFormat.JSONL, TableFormat.PARQUET), what="corpus"
    )
    its = read_items(item_files, fld)
    pset = PatternSet.build(its.ids, its.subjects, its.answers)
    params: dict[str, Any] = {
        **opt.as_dict(),
        **fld.as_dict(),
        "corpus": [str(f.path) for f in docs],
        "items": [str(f.path) for f in item_files],
    }
    b = TextBackend(backend)
    if b is TextBackend.SPARK:
        from halluc.census.spark_text import scan_corpus_spark

        cfg = spark or SparkConfig()
        acc, seconds, master = scan_corpus_spark(docs, pset, opt, cfg)
        params.update({"backend": "spark", **cfg.as_dict(), "master": master})
    else:
        acc, seconds = scan_corpus(docs, pset, opt, progress=progress)
        params.update({"backend": "local", "workers": acc.workers})
    return TextCensus.from_accumulator(acc, seconds, params)

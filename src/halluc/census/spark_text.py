"""The text census on Spark: the same parser and matcher, run in Spark's Python workers.

Documents flow through ``mapInArrow`` in Arrow batches; each batch is matched exactly as on one
machine (:func:`halluc.census.matcher.match_batch`). Without deduplication each batch emits its
counts and Spark sums them; with it, each batch emits (document digest, group or item) pairs
and Spark keeps each pair once before counting, so a document repeated anywhere in the corpus,
on any executor, is counted once.
"""

from __future__ import annotations

import functools
import time
import warnings
from collections.abc import Iterator, Sequence

import numpy as np
import pyarrow as pa

from halluc.census.matcher import CountAccumulator, PatternSet, match_batch
from halluc.census.sources import InputFile, TableFormat, iter_line_blocks
from halluc.census.spark_session import SparkConfig, get_spark, python_error_message
from halluc.census.text_read import check_parquet_text_field, jsonl_texts, parquet_row_groups
from halluc.census.text_read import parquet_texts as read_parquet_texts
from halluc.census.text_scan import TextOptions
from halluc.errors import InputError

GROUP, ITEM, DOC, STAT = 0, 1, 2, 3
_SCHEMA = pa.schema(
    [
        pa.field("digest", pa.binary()),
        pa.field("kind", pa.int32()),
        pa.field("id", pa.int64()),
        pa.field("n", pa.int64()),
    ]
)
_DDL = "digest binary, kind int, id long, n long"
_AUTOMATA: dict[str, PatternSet] = {}


def _cached(pset: PatternSet) -> PatternSet:
    """One automaton per pattern set per Python worker (workers are reused across tasks)."""
    key = pset.fingerprint
    if key not in _AUTOMATA:
        _AUTOMATA.clear()
        _AUTOMATA[key] = pset
    return _AUTOMATA[key]


def _rows(kind: int, ids: np.ndarray, n: np.ndarray, digests: list[bytes] | None) -> pa.RecordBatch:
    size = len(ids)
    return pa.RecordBatch.from_arrays(
        [
            pa.array(digests if digests is not None else [None] * size, pa.binary()),
            pa.array(np.full(size, kind, dtype=np.int32)),
            pa.array(np.asarray(ids, dtype=np.int64)),
            pa.array(np.asarray(n, dtype=np.int64)),
        ],
        schema=_SCHEMA,
    )


def _scan_partition(
    batches: Iterator[pa.RecordBatch], pset: PatternSet, opt: TextOptions, jsonl: bool
) -> Iterator[pa.RecordBatch]:
    ps = _cached(pset)
    for batch in batches:
        if batch.num_rows == 0:
            continue
        values = batch.column(0)
        path = str(batch.column(1)[0].as_py())
        if jsonl:
            data = b"\n".join(v.encode("utf-8") for v in values.to_pylist() if v is not None)
            texts = jsonl_texts(data, opt.text_field, path, 0)
        else:
            if values.null_count:
                raise InputError(
                    "null (every document needs a text)", path=path, field=opt.text_field
                )
            texts = values.to_pylist()
        m = match_batch(ps, texts, word_boundaries=opt.word_boundaries, dedup=opt.dedup)
        stats = np.array([m.n_docs, m.n_bytes], dtype=np.int64)
        yield _rows(STAT, np.arange(2), stats, None)
        if opt.dedup == "none":
            g, gc = np.unique(m.groups, return_counts=True)
            i, ic = np.unique(m.both, return_counts=True)
            yield _rows(GROUP, g, gc, None)
            yield _rows(ITEM, i, ic, None)
            yield _rows(DOC, np.zeros(1), np.array([m.matched_docs.size]), None)
            continue
        assert m.digests is not None
        digest_of = dict(zip(m.matched_docs.tolist(), m.digests, strict=True))
        yield _rows(
            GROUP, m.groups, np.ones(m.groups.size), [digest_of[int(d)] for d in m.doc_groups]
        )
        yield _rows(ITEM, m.both, np.ones(m.both.size), [digest_of[int(d)] for d in m.doc_both])
        yield _rows(DOC, np.zeros(len(m.digests)), np.ones(len(m.digests)), m.digests)


def _validate_locally(files: Sequence[InputFile], text_field: str) -> None:
    """Re-read local files with the strict reader (raises the error with its line or row)."""
    for f in files:
        if not f.path.exists():
            continue
        if f.format is TableFormat.JSONL:
            for block in iter_line_blocks(f):
                jsonl_texts(block.data, text_field, str(f.path), block.first_line)
        else:
            for rg, first, _ in parquet_row_groups(f.path):
                for _ in read_parquet_texts(str(f.path), rg, first, text_field):
                    pass


def scan_corpus_spark(
    files: Sequence[InputFile], pset: PatternSet, opt: TextOptions, config: SparkConfig
) -> tuple[CountAccumulator, float, str]:
    """Counts, seconds, and the master URL of the session that ran them."""
    from pyspark.sql import functions as F  # noqa: N812

    fmt = files[0].format
    if any(f.format is not fmt for f in files):
        raise InputError("all corpus files of one census must have the same format")
    spark = get_spark(config)
    start = time.perf_counter()
    paths = [str(f.path) for f in files]
    if fmt is TableFormat.JSONL:
        frame = spark.read.text(paths).select(F.col("value"), F.input_file_name().alias("f"))
    else:
        for f in files:
            check_parquet_text_field(f.path, opt.text_field)
        frame = spark.read.parquet(*paths).select(
            F.col(f"`{opt.text_field}`"), F.input_file_name().alias("f")
        )
    body = functools.partial(_scan_partition, pset=pset, opt=opt, jsonl=fmt is TableFormat.JSONL)
    with warnings.catch_warnings():  # pyspark's notice about pandas 3, irrelevant to Arrow
        warnings.simplefilter("ignore", FutureWarning)
        out = frame.mapInArrow(body, _DDL)
    acc = CountAccumulator(pset, opt.dedup)
    try:
        if opt.dedup == "none":
            rows = out.groupBy("kind", "id").agg(F.sum("n").alias("n")).collect()
            n_dup = 0
        else:
            out = out.persist()
            stat_rows = (
                out.where(F.col("kind") == STAT).groupBy("kind", "id").agg(F.sum("n").alias("n"))
            )
            pair_rows = (
                out.where(F.col("kind") != STAT)
                .dropDuplicates(["digest", "kind", "id"])
                .groupBy("kind", "id")
                .agg(F.count(F.lit(1)).alias("n"))
            )
            total_docs = out.where(F.col("kind") == DOC).count()
            rows = stat_rows.unionByName(pair_rows).collect()
            distinct_docs = sum(int(r["n"]) for r in rows if r["kind"] == DOC)
            n_dup = total_docs - distinct_docs
            out.unpersist()
    except InputError:
        raise
    except Exception as exc:
        if type(exc).__name__ not in (
            "PythonException",
            "Py4JJavaError",
            "SparkRuntimeException",
            "AnalysisException",
        ):
            raise
        _validate_locally(files, opt.text_field)
        raise InputError(f"Spark could not read the corpus: {python_error_message(exc)}") from None
    groups = np.zeros(pset.n_groups, dtype=np.int64)
    both = np.zeros(pset.n_items, dtype=np.int64)
    stats = {"n_docs": 0, "n_bytes": 0, "n_matched": 0, "n_duplicates": n_dup}
    for r in rows:
        kind, ident, n = int(r["kind"]), int(r["id"]), int(r["n"])
        if kind == GROUP:
            groups[ident] += n
        elif kind == ITEM:
            both[ident] += n
        elif kind == DOC:
            stats["n_matched"] += n
        elif kind == STAT:
            stats["n_docs" if ident == 0 else "n_bytes"] += n
    acc.merge_counts(groups, both, stats)
    return acc, time.perf_counter() - start, str(spark.sparkContext.master)

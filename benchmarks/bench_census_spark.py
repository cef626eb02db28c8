"""Spark (local mode) versus the embedded engines on the same data, both checked exact.

Facts: the mention table of ``bench_census_facts.py`` (default 50 million mentions of 3 million
facts, Parquet): ``count_facts(backend="spark")`` versus ``count_facts(backend="duckdb")``.
Text: the corpus of ``bench_census_text.py`` (default 200 MB JSONL, 5,000 items):
``count_text(backend="spark")`` versus the local worker processes.

Spark runs in ``local[*]`` on this machine (one JVM, Python workers per core); its start-up is
timed separately. On one machine the embedded engines are expected to win: Spark is there for
corpora that do not fit one machine. The numbers say by how much.

    .venv/bin/python benchmarks/bench_census_spark.py [--mentions 50000000] [--distinct 3000000]
        [--text-mb 200] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

from halluc.census.api import count_facts, count_text
from halluc.census.duckdb_facts import DuckDBConfig
from halluc.census.spark_session import SparkConfig, get_spark
from halluc.census.text_scan import TextOptions

HERE = Path(__file__).resolve().parent


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--mentions", type=int, default=50_000_000)
    ap.add_argument("--distinct", type=int, default=3_000_000)
    ap.add_argument("--text-mb", type=int, default=200)
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--memory-limit", default="2GB", help="DuckDB memory cap")
    ap.add_argument("--driver-memory", default="4g", help="Spark driver memory")
    ap.add_argument("--data-dir", type=Path, default=None, help="keep generated data here")
    args = ap.parse_args()
    facts_bench, text_bench = _load("bench_census_facts"), _load("bench_census_text")
    own = args.data_dir is None
    folder = Path(tempfile.mkdtemp(prefix="halluc-bench-spark-")) if own else args.data_dir
    folder.mkdir(parents=True, exist_ok=True)
    try:
        mentions, truth = facts_bench.make_data(folder, args.mentions, args.distinct, 0)
        corpus, items = text_bench.make_data(folder, args.text_mb, args.items, 0)
        t0 = time.perf_counter()
        spark = get_spark(SparkConfig(driver_memory=args.driver_memory))
        start_s = time.perf_counter() - t0
        print(f"Spark {spark.version} {spark.sparkContext.master}: {start_s:.1f} s to start")

        t0 = time.perf_counter()
        d = count_facts([mentions], duckdb=DuckDBConfig(memory_limit=args.memory_limit))
        d_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        s = count_facts([mentions], backend="spark")
        s_s = time.perf_counter() - t0
        assert d.fof == s.fof == truth and d.n == s.n == args.mentions, "facts differ"
        print(f"facts, {args.mentions:,} mentions of {args.distinct:,} facts (identical F_r):")
        print(f"  DuckDB : {d_s:7.2f} s   Spark: {s_s:7.2f} s   Spark/DuckDB time: {s_s / d_s:.2f}")

        opt = TextOptions()
        t0 = time.perf_counter()
        loc = count_text([corpus], [items], options=opt)
        l_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        sp = count_text([corpus], [items], options=opt, backend="spark")
        sp_s = time.perf_counter() - t0
        assert loc.counts.equals(sp.counts), "text counts differ"
        mb = corpus.stat().st_size / 1e6
        print(f"text, {mb:.0f} MB JSONL, {args.items:,} items (identical per-item counts):")
        print(
            f"  local  : {l_s:7.2f} s ({mb / l_s:.1f} MB/s, {loc.parameters['workers']} "
            f"workers)   Spark: {sp_s:7.2f} s ({mb / sp_s:.1f} MB/s)   Spark/local time: "
            f"{sp_s / l_s:.2f}"
        )
        spark.stop()
    finally:
        if own:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()

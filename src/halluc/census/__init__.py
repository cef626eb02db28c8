"""Fact census: how often each fact appears in a training corpus, and results by that frequency.

- :func:`count_facts`: exact frequency-of-frequencies F_r, N, distinct facts and the paper's
  IDK-aware singleton rate of fact-mention tables (DuckDB, embedded and out-of-core under a
  memory cap; or Spark), with the Good–Turing quantities of ``halluc.theory.goodturing``.
- :func:`count_text`: per QA item, the documents of a raw corpus that mention its subject, its
  answer, and both (Aho–Corasick in worker processes, or Spark).
- :func:`census_join`: those counts attached to a run's records; accuracy, errors, abstentions
  and the penalized score per count bucket, next to the Theorem 2 singleton-rate bound.

Counts are never summed across shards: a fact's count is complete (grouped by a hash of its
key) before F_r is taken.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from halluc.census.api import FactBackend, TextBackend, count_facts, count_text
    from halluc.census.buckets import DEFAULT_EDGES, Bucket, make_buckets
    from halluc.census.duckdb_facts import DuckDBConfig
    from halluc.census.fact_census import FactCensus
    from halluc.census.items import ItemFields
    from halluc.census.join import CensusJoin, SingletonSource, census_join
    from halluc.census.spark_session import SparkConfig
    from halluc.census.text_census import TextCensus
    from halluc.census.text_scan import TextOptions

# Imported on first use, so that the worker processes of the text scan (which import
# halluc.census.text_scan) do not pay for DuckDB, pandas and the join.
_WHERE = {
    "FactBackend": "api",
    "TextBackend": "api",
    "count_facts": "api",
    "count_text": "api",
    "DEFAULT_EDGES": "buckets",
    "Bucket": "buckets",
    "make_buckets": "buckets",
    "DuckDBConfig": "duckdb_facts",
    "FactCensus": "fact_census",
    "ItemFields": "items",
    "CensusJoin": "join",
    "SingletonSource": "join",
    "census_join": "join",
    "SparkConfig": "spark_session",
    "TextCensus": "text_census",
    "TextOptions": "text_scan",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'halluc.census' has no attribute {name!r}")
    return getattr(importlib.import_module(f"halluc.census.{_WHERE[name]}"), name)


__all__ = [
    "DEFAULT_EDGES",
    "Bucket",
    "CensusJoin",
    "DuckDBConfig",
    "FactBackend",
    "FactCensus",
    "ItemFields",
    "SingletonSource",
    "SparkConfig",
    "TextBackend",
    "TextCensus",
    "TextOptions",
    "census_join",
    "count_facts",
    "count_text",
    "make_buckets",
]

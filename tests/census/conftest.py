"""Fixtures of the census tests: a synthetic world with known counts, written in every format,
and ONE Spark session for the whole test session (Spark is slow to start)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest
import zstandard

from halluc.census.synthetic import (
    Corpus,
    World,
    items_frame,
    make_corpus,
    make_world,
    mention_table,
)


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    data = b"".join(orjson.dumps(r) + b"\n" for r in rows)
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    elif path.name.endswith(".zst"):
        data = zstandard.compress(data)
    path.write_bytes(data)
    return path


@pytest.fixture(scope="session")
def world() -> World:
    return make_world(n_people=70, seed=11)


@pytest.fixture(scope="session")
def mentions(world: World) -> pd.DataFrame:
    return mention_table(world, seed=12)


@pytest.fixture(scope="session")
def corpus(world: World) -> Corpus:
    return make_corpus(world, seed=13)


@pytest.fixture(scope="session")
def mention_files(
    tmp_path_factory: pytest.TempPathFactory, mentions: pd.DataFrame
) -> dict[str, list[Path]]:
    """The same mentions as Parquet shards, JSONL (plain, gzip, zstd shards) and CSV."""
    d = tmp_path_factory.mktemp("mentions")
    rows = mentions.to_dict("records")
    third = len(rows) // 3
    parts = [rows[:third], rows[third : 2 * third], rows[2 * third :]]
    out: dict[str, list[Path]] = {"parquet": [], "jsonl": [], "csv": []}
    for i, part in enumerate(parts):
        p = d / f"shard{i}.parquet"
        pd.DataFrame(part).to_parquet(p, index=False)
        out["parquet"].append(p)
    for i, (part, suffix) in enumerate(zip(parts, ("", ".gz", ".zst"), strict=True)):
        out["jsonl"].append(write_jsonl(d / f"shard{i}.jsonl{suffix}", part))
    c = d / "mentions.csv"
    mentions.to_csv(c, index=False)
    out["csv"].append(c)
    return out


@pytest.fixture(scope="session")
def corpus_files(tmp_path_factory: pytest.TempPathFactory, corpus: Corpus) -> dict[str, list[Path]]:
    """The corpus as JSONL shards (plain, gzip, zstd) and as Parquet with small row groups."""
    d = tmp_path_factory.mktemp("corpus")
    rows = [{"id": i, "text": doc.text} for i, doc in enumerate(corpus.docs)]
    third = len(rows) // 3
    parts = [rows[:third], rows[third : 2 * third], rows[2 * third :]]
    jsonl = [
        write_jsonl(d / f"docs{i}.jsonl{suffix}", part)
        for i, (part, suffix) in enumerate(zip(parts, ("", ".gz", ".zst"), strict=True))
    ]
    pq = d / "docs.parquet"
    pd.DataFrame(rows).to_parquet(pq, index=False, row_group_size=1500)
    return {"jsonl": jsonl, "parquet": [pq]}


@pytest.fixture(scope="session")
def items_file(tmp_path_factory: pytest.TempPathFactory, world: World) -> Path:
    d = tmp_path_factory.mktemp("items")
    return write_jsonl(d / "items.jsonl", items_frame(world).to_dict("records"))


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session (2 cores) for every Spark test; stopped at the end."""
    from halluc.census.spark_session import SparkConfig, get_spark

    session = get_spark(SparkConfig(master="local[2]", shuffle_partitions=4, driver_memory="1g"))
    yield session
    session.stop()

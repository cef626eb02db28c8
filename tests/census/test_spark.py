"""Spark (local mode, started once per test session) against DuckDB, the local scan and the
truth of the synthetic world: identical numbers on identical inputs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from halluc.census.api import count_facts, count_text
from halluc.census.synthetic import Corpus, World, true_text_counts
from halluc.census.text_scan import TextOptions
from halluc.errors import InputError
from tests.census.conftest import write_jsonl

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
def test_facts_spark_equals_duckdb_equals_truth(
    spark: Any, world: World, mention_files: dict[str, list[Path]], fmt: str
) -> None:
    s = count_facts(mention_files[fmt], idk_column="idk", backend="spark")
    d = count_facts(mention_files[fmt], idk_column="idk", backend="duckdb")
    assert s.fof == d.fof == world.true_fof
    assert s.n == d.n == world.n_examples
    assert s.n_idk == d.n_idk == world.n_idk
    assert s.parameters["backend"] == "spark" and s.parameters["master"] == "local[2]"


def test_per_fact_counts_agree(
    spark: Any, tmp_path: Path, mention_files: dict[str, list[Path]]
) -> None:
    cols = ["subject", "relation", "object"]
    count_facts(
        mention_files["parquet"],
        key=cols,
        idk_column="idk",
        backend="spark",
        counts_out=tmp_path / "s.parquet",
    )
    count_facts(
        mention_files["parquet"], key=cols, idk_column="idk", counts_out=tmp_path / "d.parquet"
    )
    s = pd.read_parquet(tmp_path / "s.parquet").sort_values(cols, na_position="first")
    d = pd.read_parquet(tmp_path / "d.parquet").sort_values(cols, na_position="first")
    pd.testing.assert_frame_equal(
        s.reset_index(drop=True), d.reset_index(drop=True), check_dtype=False
    )


@pytest.mark.parametrize(
    ("fmt", "dedup"), [("jsonl", "none"), ("jsonl", "normalized"), ("parquet", "exact")]
)
def test_text_spark_equals_local_equals_truth(
    spark: Any,
    world: World,
    corpus: Corpus,
    corpus_files: dict[str, list[Path]],
    items_file: Path,
    fmt: str,
    dedup: str,
) -> None:
    opt = TextOptions(dedup=dedup, workers=1)
    s = count_text(corpus_files[fmt], [items_file], options=opt, backend="spark")
    local = count_text(corpus_files[fmt], [items_file], options=opt)
    pd.testing.assert_frame_equal(s.counts, local.counts)
    truth = true_text_counts(world, corpus, dedup)
    assert (
        s.counts[["n_subject", "n_answer", "n_both"]].to_numpy() == truth.iloc[:, 1:].to_numpy()
    ).all()
    for key in ("documents", "text_bytes", "documents_matching", "duplicates_dropped"):
        assert s.stats[key] == local.stats[key], key


def test_spark_bad_input_names_file_and_line(spark: Any, tmp_path: Path, items_file: Path) -> None:
    m = tmp_path / "m.jsonl"
    m.write_text('{"key": "a"}\n{"key": "b"}\n{"key": "c"\n')
    with pytest.raises(InputError) as err:
        count_facts([m], backend="spark")
    assert str(err.value).startswith(f"{m}:3: invalid JSON")
    docs = write_jsonl(tmp_path / "d.jsonl", [{"text": "a"}, {"text": "b"}, {"body": "c"}])
    with pytest.raises(InputError) as err:
        count_text([docs], [items_file], backend="spark")
    assert (err.value.path, err.value.line, err.value.field) == (str(docs), 3, "text")
    pq = tmp_path / "m.parquet"
    pd.DataFrame({"key": ["a", None]}).to_parquet(pq)
    with pytest.raises(InputError, match="row 2: null"):
        count_facts([pq], backend="spark")

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import orjson
import pandas as pd
import pytest

from halluc.census.api import count_facts
from halluc.census.duckdb_facts import DuckDBConfig
from halluc.census.fact_census import FactCensus
from halluc.census.synthetic import World
from halluc.errors import InputError
from halluc.theory.facts import singleton_rate
from halluc.theory.goodturing import good_turing_summary


@pytest.mark.parametrize("fmt", ["parquet", "jsonl", "csv"])
@pytest.mark.parametrize("key", [None, ["subject", "relation", "object"]])
def test_exact_counts_in_every_format(
    world: World, mention_files: dict[str, list[Path]], fmt: str, key: list[str] | None
) -> None:
    r = count_facts(mention_files[fmt], key=key, idk_column="idk")
    assert r.fof == world.true_fof
    assert r.n == world.n_examples
    assert r.n_idk == world.n_idk > 0
    assert r.distinct == sum(world.true_fof.values())
    assert r.parameters["backend"] == "duckdb"


def test_singleton_rate_is_the_papers_idk_aware_definition(
    world: World, mentions: pd.DataFrame, mention_files: dict[str, list[Path]]
) -> None:
    r = count_facts(mention_files["parquet"], idk_column="idk")
    # the theory module's Definition 2 on the raw examples: N counts IDK examples too
    stats = singleton_rate(mentions["key"].to_numpy(), mentions["idk"].to_numpy())
    assert r.singleton_stats() == stats
    assert r.singleton_rate == world.true_fof[1] / world.n_examples
    without_idk_marker = count_facts(mention_files["parquet"])
    # without the marker, IDK rows are facts of their own: more facts, another rate
    assert without_idk_marker.n == r.n and without_idk_marker.n_idk == 0
    assert without_idk_marker.distinct > r.distinct
    assert r.good_turing() == good_turing_summary(world.true_fof)


def test_naive_shard_summing_differs_and_the_census_does_not(
    world: World, mention_files: dict[str, list[Path]]
) -> None:
    shards = mention_files["parquet"]
    naive_f1 = 0
    for shard in shards:  # what one must NOT do: F_1 per shard, added up
        naive_f1 += count_facts([shard], idk_column="idk").singletons
    whole = count_facts(shards, idk_column="idk")
    assert whole.singletons == world.true_fof[1]
    assert naive_f1 > whole.singletons  # facts seen once in each of several shards
    for p in (2, 3, 7):  # explicit hash partitions of the fact key add up exactly
        parted = count_facts(shards, idk_column="idk", duckdb=DuckDBConfig(partitions=p))
        assert parted.fof == whole.fof and parted.n == whole.n and parted.n_idk == whole.n_idk


def test_partitions_on_text_input(world: World, mention_files: dict[str, list[Path]]) -> None:
    r = count_facts(mention_files["jsonl"], idk_column="idk", duckdb=DuckDBConfig(partitions=3))
    assert r.fof == world.true_fof and r.n == world.n_examples


def test_per_fact_counts_out(
    tmp_path: Path, world: World, mention_files: dict[str, list[Path]]
) -> None:
    out = tmp_path / "facts.parquet"
    r = count_facts(mention_files["parquet"], idk_column="idk", counts_out=out)
    assert r.fof == world.true_fof
    table = pd.read_parquet(out)
    got = table[table["count"] > 0].set_index("key")["count"].sort_index()
    f = world.facts[world.facts["count"] > 0]
    want = pd.Series(
        f["count"].to_numpy(),
        index=f["subject"] + "|" + f["relation"] + "|" + f["object"],
    ).sort_index()
    assert got.to_dict() == want.to_dict()


def test_round_trip_and_rendering(mention_files: dict[str, list[Path]]) -> None:
    r = count_facts(mention_files["parquet"], idk_column="idk")
    back = FactCensus.from_dict(orjson.loads(orjson.dumps(r.to_dict())))
    assert back.fof == r.fof and back.n == r.n and back.n_idk == r.n_idk
    text = r.render()
    assert "singleton rate" in text and f"{r.n:,}" in text
    buckets = {b["bucket"]: b for b in r.by_bucket()}
    assert buckets["1"]["facts"] == r.singletons
    assert sum(b["mentions"] for b in buckets.values()) == r.n_answered


def _jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_bad_jsonl_names_file_line_and_field(tmp_path: Path) -> None:
    good = '{"key": "a", "idk": false}'
    p = _jsonl(tmp_path / "m.jsonl", [good, good, '{"key": "b", "idk": fals}', good])
    with pytest.raises(InputError) as err:
        count_facts([p], idk_column="idk")
    assert str(err.value).startswith(f"{p}:3: invalid JSON")
    p = _jsonl(tmp_path / "m2.jsonl", [good, '{"idk": false}'])
    with pytest.raises(InputError, match="missing or null") as err:
        count_facts([p], key=["key"], idk_column="idk")
    assert (err.value.line, err.value.field) == (2, "key")
    p = _jsonl(tmp_path / "m3.jsonl", [good, '{"key": "c", "idk": "maybe"}'])
    with pytest.raises(InputError, match="IDK marker") as err:
        count_facts([p], key=["key"], idk_column="idk")
    assert err.value.line == 2
    p = _jsonl(tmp_path / "m4.jsonl", [good, '{"key": [1, 2]}'])
    with pytest.raises(InputError, match="string or an integer") as err:
        count_facts([p], key=["key"])
    assert err.value.line == 2
    # an IDK example may lack the object; integers are keys too
    p = _jsonl(tmp_path / "m5.jsonl", ['{"key": null, "idk": true}', '{"key": 7}', '{"key": 7}'])
    r = count_facts([p], key=["key"], idk_column="idk")
    assert (r.fof, r.n, r.n_idk) == ({2: 1}, 3, 1)


def test_bad_csv_and_parquet(tmp_path: Path) -> None:
    c = tmp_path / "m.csv"
    c.write_text("subject,relation,object\na,b,c\na,b\n")
    with pytest.raises(InputError, match="2 fields") as err:
        count_facts([c])
    assert err.value.line == 3
    pq = tmp_path / "m.parquet"
    pd.DataFrame({"key": ["a", None, "b"]}).to_parquet(pq)
    with pytest.raises(InputError, match="row 2: null") as err:
        count_facts([pq])
    assert err.value.path == str(pq) and err.value.field == "key"
    with pytest.raises(InputError, match="no such column") as err:
        count_facts([pq], key=["subject"])
    pd.DataFrame({"key": [1.5]}).to_parquet(pq)
    with pytest.raises(InputError, match="string or integer"):
        count_facts([pq])


def test_truncated_gzip_mentions(tmp_path: Path) -> None:
    import gzip

    data = gzip.compress(b"".join(b'{"key": "k%d"}\n' % i for i in range(50000)))
    p = tmp_path / "m.jsonl.gz"
    p.write_bytes(data[:-100])
    with pytest.raises(InputError, match="truncated gzip") as err:
        count_facts([p])
    assert err.value.path == str(p) and err.value.line is not None and err.value.line > 1


@pytest.mark.slow
def test_memory_cap_respected_on_input_larger_than_it(tmp_path: Path) -> None:
    """2M distinct facts need ~300 MB uncapped; under a 64 MB cap DuckDB spills and stays near
    the cap, and the counts are still exact. Peak RSS is measured in a fresh process."""
    data = tmp_path / "m.parquet"
    duckdb.sql(
        "COPY (SELECT 'fact-' || lpad(CAST((i * 7919) % 2000000 AS VARCHAR), 9, '0') AS key "
        f"FROM range(4000000) t(i)) TO '{data}' (FORMAT parquet)"
    )
    script = textwrap.dedent(
        f"""
        import sys
        from halluc.census.api import count_facts
        from halluc.census.duckdb_facts import DuckDBConfig
        def peak():  # VmHWM is this process's own (ru_maxrss would include pytest's)
            for line in open("/proc/self/status"):
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        before = peak()
        r = count_facts([{str(data)!r}], duckdb=DuckDBConfig(memory_limit=sys.argv[1], threads=2))
        print(r.fof, r.n, round(peak() - before))
        """
    )
    peaks = {}
    for cap in ("64MB", "8GB"):
        out = subprocess.run(
            [sys.executable, "-c", script, cap], capture_output=True, text=True, check=True
        ).stdout.split()
        assert out[:3] == ["{2:", "2000000}", "4000000"]
        peaks[cap] = int(out[3])
    assert peaks["64MB"] <= 64 + 80  # the cap plus DuckDB's fixed overhead outside its buffers
    assert peaks["8GB"] > peaks["64MB"] + 100  # the same count uncapped needs far more


def test_out_of_memory_retries_with_one_thread_then_more_partitions(tmp_path: Path) -> None:
    data = tmp_path / "m.parquet"
    duckdb.sql(
        "COPY (SELECT 'fact-' || lpad(CAST((i * 7919) % 600000 AS VARCHAR), 9, '0') AS key "
        f"FROM range(1200000) t(i)) TO '{data}' (FORMAT parquet)"
    )
    tight = DuckDBConfig(memory_limit="12MB", threads=2)
    r = count_facts([data], duckdb=tight)
    assert r.fof == {2: 600000} and r.n == 1200000
    attempts = r.parameters["attempts"]
    assert attempts[0] == {**attempts[0], "threads": 2, "partitions": 1, "result": "out of memory"}
    assert (
        attempts[-1]["result"] == "ok" and r.parameters["partitions"] == attempts[-1]["partitions"]
    )
    assert r.parameters["threads"] == 1
    out = tmp_path / "facts.parquet"
    again = count_facts([data], duckdb=tight, counts_out=out)
    table = pd.read_parquet(out)
    assert again.fof == r.fof and len(table) == 600000 and set(table["count"]) == {2}
    assert not list(tmp_path.glob(".facts.parquet.part*"))
    with pytest.raises(InputError, match="ran out of memory") as err:
        count_facts([data], duckdb=DuckDBConfig(memory_limit="12MB", threads=2, auto=False))
    assert err.value.field == "memory_limit"

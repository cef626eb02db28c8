"""`halluc census facts|text|join` as a user runs them: a real subprocess, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from halluc.census.synthetic import Corpus, World, true_text_counts
from halluc.log.outcomes import Outcome
from halluc.log.records import Record
from halluc.log.runs import RunFolder
from tests.census.conftest import write_jsonl


def halluc(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "halluc", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def test_facts_text_join_end_to_end(
    tmp_path: Path,
    world: World,
    corpus: Corpus,
    mention_files: dict[str, list[Path]],
    corpus_files: dict[str, list[Path]],
    items_file: Path,
) -> None:
    facts_json = tmp_path / "facts.json"
    res = halluc(
        "census",
        "facts",
        *mention_files["parquet"],
        "--idk-column",
        "idk",
        "--save",
        facts_json,
        "--memory-limit",
        "256MB",
        "--no-progress",
    )
    assert res.returncode == 0, res.stderr
    assert "singleton rate" in res.stdout and f"{world.n_examples:,}" in res.stdout
    saved = json.loads(facts_json.read_text())
    assert saved["n"] == world.n_examples
    assert {e["r"]: e["f"] for e in saved["frequency_of_frequencies"]} == world.true_fof
    assert saved["parameters"]["memory_limit"] == "256MB"

    counts = tmp_path / "counts.parquet"
    res = halluc(
        "census",
        "text",
        *corpus_files["jsonl"],
        "--items",
        items_file,
        "--out",
        counts,
        "--dedup",
        "exact",
        "--workers",
        "2",  # worker processes under `python -m halluc`
        "--no-progress",
    )
    assert res.returncode == 0, res.stderr
    assert "Text census" in res.stdout
    truth = true_text_counts(world, corpus, "exact")
    table = pd.read_parquet(counts)
    assert list(table.columns) == ["item_id", "n_subject", "n_answer", "n_both"]
    assert (table.iloc[:, 1:].to_numpy() == truth.iloc[:, 1:].to_numpy()).all()
    assert (
        json.loads((tmp_path / "counts.parquet.json").read_text())["parameters"]["dedup"] == "exact"
    )

    run = tmp_path / "run"
    rf = RunFolder.create(run, {"model": "replay"})
    rf.append(
        Record(f.item_id, "m", Outcome.CORRECT if f.count > 3 else Outcome.INCORRECT, target=0.0)
        for f in world.records()
    )
    res = halluc(
        "census",
        "join",
        run,
        "--counts",
        counts,
        "--facts",
        facts_json,
        "--targets",
        "0",
        "--n-boot",
        "100",
    )
    assert res.returncode == 0, res.stderr
    assert "Theorem 2 lower bound" in res.stdout and "n_both" in res.stdout
    data = json.loads((run / "census.json").read_text())
    assert data["parameters"]["count_column"] == "n_both"
    assert sum(b["n"] for b in data["buckets"]) == len(world.facts)
    assert data["singleton_bound"]["n"] == world.n_examples
    assert (run / "census_counts.parquet").is_file()


def test_bad_input_is_one_line_exit_2(tmp_path: Path, items_file: Path) -> None:
    docs = write_jsonl(tmp_path / "d.jsonl", [{"text": "a"}, {"txt": "b"}])
    res = halluc("census", "text", docs, "--items", items_file, "--out", tmp_path / "o.parquet")
    assert res.returncode == 2
    assert (
        res.stderr.strip()
        == f"halluc: error: {docs}:2: field 'text': missing (no such field in this document)"
    )
    m = tmp_path / "m.jsonl"
    m.write_text('{"key": "a"}\nnot json\n')
    res = halluc("census", "facts", m, "--no-save")
    assert res.returncode == 2
    assert res.stderr.startswith(f"halluc: error: {m}:2: invalid JSON")
    assert len(res.stderr.strip().splitlines()) == 1
    res = halluc("census", "facts", m, "--memory-limit", "lots", "--no-save")
    assert res.returncode == 2 and "field '--memory-limit'" in res.stderr

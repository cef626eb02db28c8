"""`halluc rescore` and `halluc lm-eval-task` as a user runs them: real subprocesses, real
files (the library behind them: tests/importers, tests/integrations)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from halluc.importers.rescore import rescore
from halluc.log.records import read_records
from tests.importers.harness import EASY_QA, FOREIGN, generation_task


def halluc(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "halluc", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def foreign() -> Path:
    return FOREIGN


def test_command_prints_saves_and_writes_records(foreign: Path, tmp_path: Path) -> None:
    saved, recs = tmp_path / "rescored.json", tmp_path / "records.jsonl"
    res = halluc(
        "rescore",
        foreign / "simple_evals",
        foreign / "abstentionbench",
        "--targets",
        "0,0.5,0.9",
        "--n-boot",
        "200",
        "--save",
        saved,
        "--records",
        recs,
    )
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "Task: simpleqa" in out and "Task: abstentionbench/SelfAwareDataset" in out
    assert "⇅" in out  # o4-mini and gpt-4o-mini swap places once wrong answers cost
    data = json.loads(saved.read_text())
    assert data["tasks"]["simpleqa"]["parameters"]["targets"] == [0.0, 0.5, 0.9]
    assert len(data["imports"]) == 4
    records = read_records(recs)
    assert len(records) == sum(i["n"] for i in data["imports"]) == 28
    assert {r.mode for r in records} == {"imported"}
    # the written records are halluc records: re-scoring them gives the same numbers
    again = rescore([recs], targets=[0, 0.5, 0.9])
    assert again.imports[0].format == "halluc"
    for task, saved_task in data["tasks"].items():
        table = again.reports[task].table
        scores = dict(
            zip(zip(table["model"], table["target"], strict=True), table["score"], strict=True)
        )
        for row in saved_task["table"]:
            assert scores[(row["model"], row["target"])] == pytest.approx(row["score"])


def test_command_errors_are_one_line_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "grades.csv"
    bad.write_text("model,id,grade\nm,1,A\nm,2,E\n")
    res = halluc("rescore", bad)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("halluc: error:")
    assert f"{bad}:3" in lines[0] and "'grade'" in lines[0]
    cut = tmp_path / "log.eval"
    cut.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    res = halluc("rescore", cut)
    assert res.returncode == 2 and str(cut) in res.stderr and "truncated" in res.stderr


def test_lm_eval_task_writes_a_variant_per_target_and_refuses_bad_ones(tmp_path: Path) -> None:
    base = generation_task(tmp_path, "qa", EASY_QA)
    res = halluc(
        "lm-eval-task",
        base,
        "--out",
        tmp_path / "v",
        "--targets",
        "0.5,0.75",
    )
    assert res.returncode == 0, res.stderr
    names = [line.split("\t")[0] for line in res.stdout.splitlines()]
    assert names == ["qa_halluc_t0p5", "qa_halluc_t0p75"]
    assert (tmp_path / "v" / "qa_halluc_t0p75.py").is_file()
    bad = halluc(
        "lm-eval-task",
        base,
        "--out",
        tmp_path / "v",
        "--targets",
        "1.5",
    )
    assert bad.returncode == 2 and bad.stderr.startswith("halluc: error:")

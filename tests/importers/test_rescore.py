"""`halluc rescore`: detection, grouping by task, and the command as a user runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from halluc.errors import InputError
from halluc.importers import import_paths
from halluc.importers.detect import detect_file, discover
from halluc.importers.rescore import rescore
from halluc.log.records import read_records


def halluc(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "halluc", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_folders_of_mixed_results_are_discovered(foreign: Path) -> None:
    found = [(p.name, kind) for p, kind in discover(foreign)]
    kinds = [k for _, k in found]
    assert kinds.count("helm") == 2
    assert kinds.count("simple-evals") == 2
    assert kinds.count("abstentionbench") == 2
    assert not any(name.endswith(".py") for name, _ in found)


def test_explicit_unrecognised_files_are_errors(tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("hello")
    with pytest.raises(InputError, match="unrecognised file"):
        list(discover(odd))
    results = tmp_path / "results_2025-01-01T00-00-00.000000.json"
    results.write_text("{}")
    with pytest.raises(InputError, match="--log_samples"):
        list(discover(results))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no results found"):
        list(discover(empty))
    with pytest.raises(InputError, match="no such file"):
        list(discover(tmp_path / "missing"))


def test_detect_file_by_content(dummy_lm_eval: dict[str, Any], tmp_path: Path) -> None:
    renamed = tmp_path / "my_samples.jsonl"
    shutil.copy(dummy_lm_eval["gen"], renamed)
    assert detect_file(renamed) == "lm-eval"
    table = tmp_path / "t.jsonl"
    table.write_text('{"model": "m", "id": 1, "outcome": "A"}\n')
    assert detect_file(table) == "table"


def test_the_same_result_twice_is_an_error_naming_both(foreign: Path) -> None:
    run = foreign / "helm" / "runs" / "halluc_triviaqa:model=halluc_replay-a"
    with pytest.raises(InputError, match="already imported from"):
        import_paths([run, run])


def test_one_table_per_task(foreign: Path, dummy_lm_eval: dict[str, Any]) -> None:
    res = rescore([foreign / "helm" / "runs", dummy_lm_eval["gen"]], targets=[0, 0.75])
    assert set(res.reports) == {"halluc_triviaqa", "gen_qa"}
    helm = res.reports["halluc_triviaqa"].table
    assert set(helm["model"]) == {"halluc/replay-a", "halluc/replay-b"}
    text = res.render()
    assert "Task: halluc_triviaqa" in text and "Task: gen_qa" in text
    assert "✓" in text  # both sources' own accuracies reproduced
    payload = res.to_dict()
    assert {i["format"] for i in payload["imports"]} == {"helm", "lm-eval"}


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


def test_recognised_tasks_carry_their_table_2_entry(dummy_lm_eval: dict[str, Any]) -> None:
    from halluc.importers import ImportOptions

    res = rescore(
        [dummy_lm_eval["gen"]],
        targets=[0, 0.5],
        options=ImportOptions(task="leaderboard_gpqa_diamond"),
    )
    assert {r.metadata["benchmark"] for r in res.records} == {"gpqa"}
    assert res.imports[0].benchmark == "gpqa"
    assert [b.name for b in res.benchmarks] == ["GPQA"]
    text = res.render()
    assert "Recognised benchmarks" in text and "GPQA: multiple-choice accuracy" in text
    assert res.to_dict()["benchmarks"][0]["idk_credit"] == "none"

"""`halluc eval` as a user runs it: a real subprocess, real files, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def halluc(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "halluc", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


@pytest.fixture
def answers(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "qa.jsonl"
    data.write_text(
        "\n".join(
            json.dumps({"id": f"q{i}", "question": f"Question {i}?", "answers": [f"gold{i}"]})
            for i in range(4)
        )
        + "\n"
    )
    table = tmp_path / "answers.csv"
    table.write_text(
        "item_id,response,confidence\n"
        "q0,gold0,0.9\nq1,wrong,0.8\nq2,I don't know,0.1\nq3,gold3,0.3\n"
    )
    return data, table


def test_replay_run_prints_the_table_and_writes_the_run_folder(
    tmp_path: Path, answers: tuple[Path, Path]
) -> None:
    data, table = answers
    out = tmp_path / "run"
    res = halluc(
        "eval",
        "--backend",
        "replay",
        "--model",
        table,
        "--dataset",
        data,
        "--out",
        out,
        "--recalibration",
        "none",
        "--no-cache",
        "--quiet",
    )
    assert res.returncode == 0, res.stderr
    assert "instructed" in res.stdout and "policy" in res.stdout
    assert "always answer" in res.stdout and f"Run folder: {out}" in res.stdout
    assert (out / "config.json").exists() and (out / "records.jsonl").exists()
    summary = json.loads((out / "summary.json").read_text())
    assert len(summary["table"]) == 8  # 2 modes x 4 targets
    rows = {(r["mode"], r["target"]): r for r in summary["table"]}
    assert rows[("instructed", 0.0)]["correct"] == 2
    assert rows[("instructed", 0.0)]["abstained"] == 1
    # policy t=0.5 answers q0 (right) and q1 (wrong); q2 abstained by itself, q3 held back
    r = rows[("policy", 0.5)]
    assert (r["correct"], r["incorrect"], r["abstained"]) == (1, 1, 2)
    config = json.loads((out / "config.json").read_text())
    assert config["targets"] == [0.0, 0.5, 0.75, 0.9] and config["modes"] == [
        "instructed",
        "policy",
    ]
    # rerunning the same command resumes: nothing new, same summary
    again = halluc(
        "eval",
        "--backend",
        "replay",
        "--model",
        table,
        "--dataset",
        data,
        "--out",
        out,
        "--recalibration",
        "none",
        "--no-cache",
        "--quiet",
        "--format",
        "json",
    )
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["table"] == summary["table"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--backend", "nope"], "unknown backend 'nope'"),
        (["--model", "/nonexistent/model.gguf"], "model file not found"),
        (["--targets", "0,1"], "0 <= t < 1"),
        (["--targets", "-0.5"], "0 <= t < 1"),
        (["--modes", "instructed,guess"], "unknown mode"),
        (["--confidence", "vibes"], "unknown method"),
    ],
)
def test_bad_options_give_one_line_and_exit_2(args: list[str], message: str) -> None:
    res = halluc("eval", *args, "--no-cache", "--quiet")
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], res.stderr


def test_unreadable_model_and_bad_dataset_rows(tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_text("not a model")
    res = halluc("eval", "--model", fake, "--no-cache", "--quiet")
    assert res.returncode == 2 and "not a GGUF model file" in res.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "question": "Q?", "answers": ["a"]}\n{"id": 2, "answers": ["b"]}\n')
    res = halluc("eval", "--dataset", bad, "--no-cache", "--quiet")
    assert res.returncode == 2
    assert res.stderr.strip() == f"halluc: error: {bad}:2: field 'question': no question " + (
        "(looked for question, problem, query, prompt, input)"
    )
    bad.write_text('{"id": 1, "question": "Q?"}\n')
    res = halluc("eval", "--dataset", bad, "--no-cache", "--quiet")
    assert res.returncode == 2 and f"{bad}:1: field 'answers'" in res.stderr


def test_judge_grader_is_recorded_with_its_prompt_hash(
    tmp_path: Path, answers: tuple[Path, Path]
) -> None:
    from halluc.grading.judge import JUDGE_VERSION

    data, table = answers
    out = tmp_path / "judged"
    res = halluc(
        "eval",
        "--backend",
        "replay",
        "--model",
        table,
        "--dataset",
        data,
        "--out",
        out,
        "--grader",
        "judge",
        "--modes",
        "instructed",
        "--targets",
        "0",
        "--no-cache",
        "--quiet",
    )
    assert res.returncode == 0, res.stderr
    records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    assert {r["grader"] for r in records} == {"judge:answers"}
    assert {r["grader_version"] for r in records} == {JUDGE_VERSION}
    by = {r["item_id"]: r for r in records}
    assert by["q2"]["outcome"] == "abstained"  # "I don't know" needs no judge
    # the replay table has no judge replies: a failed judge is an error, never an abstention
    assert by["q0"]["outcome"] == "error" and "judge" in by["q0"]["error"]

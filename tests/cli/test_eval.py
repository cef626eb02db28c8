"""`halluc eval` as a user runs it: a real subprocess, real files, one-line errors; the same
summary as a Python call; a real run killed with SIGKILL at random points and resumed."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from halluc.data import load_dataset
from halluc.eval.policy import POLICY_PASS
from halluc.eval.runner import EvalSettings, evaluate
from halluc.log.records import read_records
from halluc.log.runs import RunFolder
from halluc.models import make_backend
from halluc.scoring.metrics import MetricSettings
from halluc.scoring.rules import ErrorPolicy


def halluc(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command, run as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "halluc", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def replay_eval(
    table: Path, data: Path, out: Path, *args: str | Path
) -> subprocess.CompletedProcess[str]:
    """`halluc eval` of a replay table on a dataset into ``out``, without cache or progress."""
    common = ("--backend", "replay", "--model", table, "--dataset", data, "--out", out)
    return halluc("eval", *common, *args, "--no-cache", "--quiet")


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
    res = replay_eval(table, data, out, "--recalibration", "none")
    assert res.returncode == 0, res.stderr
    assert "instructed" in res.stdout and "policy" in res.stdout
    assert "always answer" in res.stdout and f"Run folder: {out}" in res.stdout
    assert "Policy confidence: token-mean, recalibrated: none" in res.stdout
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
    again = replay_eval(table, data, out, "--recalibration", "none", "--format", "json")
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
        (["--confidence", "vibes"], "unknown confidence method 'vibes'"),
        (["--recalibration", "beta"], "field '--recalibration': unknown recalibration 'beta'"),
        (["--max-tokens", "0"], "field '--max-tokens': must be at least 1"),
        (["--grader", "vibes"], "field '--grader': unknown grader"),
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
    res = replay_eval(
        table, data, out, "--grader", "judge", "--modes", "instructed", "--targets", "0"
    )
    assert res.returncode == 0, res.stderr
    records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    assert {r["grader"] for r in records} == {"judge:answers"}
    assert {r["grader_version"] for r in records} == {JUDGE_VERSION}
    by = {r["item_id"]: r for r in records}
    assert by["q2"]["outcome"] == "abstained"  # "I don't know" needs no judge
    # the replay table has no judge replies: a failed judge is an error, never an abstention
    assert by["q0"]["outcome"] == "error" and "judge" in by["q0"]["error"]


def test_a_python_call_and_the_command_write_the_same_summary(
    tmp_path: Path, answers: tuple[Path, Path]
) -> None:
    data, table = answers  # rewritten larger, so that 3-fold cross-fitting has data
    data.write_text(
        "".join(
            json.dumps({"id": f"q{i}", "question": f"Question {i}?", "answers": [f"gold{i}"]})
            + "\n"
            for i in range(12)
        )
    )
    table.write_text(
        "item_id,response,confidence\n"
        + "".join(
            f"q{i},{'gold' + str(i) if i % 3 else 'wrong'},{0.05 + 0.07 * i:.2f}\n"
            for i in range(11)  # q11 has no answer: the error outcome
        )
    )
    cli_out, py_out = tmp_path / "cli", tmp_path / "python"
    res = replay_eval(table, data, cli_out, "--folds", "3", "--errors", "as-wrong", "--no-report")
    assert res.returncode == 0, res.stderr
    evaluate(
        load_dataset(str(data)),
        make_backend("replay", str(table)),
        py_out,
        EvalSettings(folds=3),
        dataset=str(data),
        metrics=MetricSettings(error_policy=ErrorPolicy.AS_WRONG),
    )
    summary = (cli_out / "summary.json").read_bytes()
    assert summary == (py_out / "summary.json").read_bytes()
    parsed = json.loads(summary)
    assert parsed["parameters"]["error_policy"] == "as-wrong"
    assert parsed["calibration"]["fit"].startswith("3-fold") and "calibration" in parsed
    assert (cli_out / "records.jsonl").read_bytes() == (py_out / "records.jsonl").read_bytes()


def test_a_folder_in_use_is_refused_in_one_line(tmp_path: Path, answers: tuple[Path, Path]) -> None:
    data, table = answers
    out = tmp_path / "busy"
    hold = (
        "import sys, time\n"
        "from halluc.log.runs import RunFolder\n"
        "run = RunFolder.create(sys.argv[1], {'kind': 'eval'})\n"
        "print('locked', flush=True)\n"
        "time.sleep(120)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", hold, str(out)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
        config = (out / "config.json").read_bytes()
        res = replay_eval(table, data, out)
        assert res.returncode == 2
        assert res.stderr.strip().splitlines() == [
            f"halluc: error: run folder {out} is in use by another halluc process "
            f"(pid {holder.pid})"
        ]
        assert (out / "config.json").read_bytes() == config
        assert not (out / "summary.json").exists() and RunFolder(out).records() == []
    finally:
        holder.kill()
        holder.wait(timeout=30)


def _eval(out: Path, cache: Path) -> subprocess.Popen[bytes]:
    args = [
        sys.executable,
        "-m",
        "halluc",
        "eval",
        "--limit",
        "5",
        "--targets",
        "0,0.5",
        "--parallel",
        "1",
        "--concurrency",
        "1",
        "--folds",
        "2",
        "--quiet",
        "--out",
        str(out),
        "--cache",
        str(cache),
    ]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume_gives_the_same_result(tmp_path: Path) -> None:
    ref = _eval(tmp_path / "ref", tmp_path / "cache-ref")
    assert ref.wait(timeout=300) == 0, ref.stderr.read() if ref.stderr else ""
    rng = random.Random(1234)
    out, cache = tmp_path / "crashed", tmp_path / "cache-crashed"
    progress = []
    for _ in range(3):
        proc = _eval(out, cache)
        time.sleep(rng.uniform(2.0, 6.0))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        records = out / "records.jsonl"
        progress.append(len(records.read_bytes().splitlines()) if records.exists() else 0)
    final = _eval(out, cache)
    assert final.wait(timeout=300) == 0, final.stderr.read() if final.stderr else ""
    total = 5 * 2 * 2
    assert any(0 < p < total for p in progress) or (out / POLICY_PASS).exists(), progress
    # no record lost or duplicated (read_records refuses duplicate keys), same outcomes
    a = {r.key: (r.outcome, r.response) for r in read_records(tmp_path / "ref" / "records.jsonl")}
    b = {r.key: (r.outcome, r.response) for r in read_records(out / "records.jsonl")}
    assert len(b) == total and a == b
    sa = json.loads((tmp_path / "ref" / "summary.json").read_text())
    sb = json.loads((out / "summary.json").read_text())
    assert sa == sb


def test_a_saved_calibrator_is_applied_to_a_new_run(
    tmp_path: Path, answers: tuple[Path, Path]
) -> None:
    data, table = answers
    first = replay_eval(table, data, tmp_path / "fit", "--modes", "policy", "--folds", "2")
    assert first.returncode == 0, first.stderr
    saved = tmp_path / "fit" / "calibrator.json"
    res = replay_eval(table, data, tmp_path / "apply", "--modes", "policy", "--calibrator", saved)
    assert res.returncode == 0, res.stderr
    assert "(given calibrator)" in res.stdout
    records = read_records(tmp_path / "apply" / "records.jsonl")
    assert {r.confidence_method for r in records} == {"token-mean+given"}
    config = json.loads((tmp_path / "apply" / "config.json").read_text())
    assert config["calibrator"] == json.loads(saved.read_text())
    saved.write_text('{"params": {}}')
    bad = replay_eval(table, data, tmp_path / "bad", "--calibrator", saved)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        f"halluc: error: {saved}: not a calibrator.json: not a calibrator (no 'method')"
    ]
    assert not (tmp_path / "bad").exists()

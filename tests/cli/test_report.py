"""`halluc report` as a user runs it: a real subprocess and real files."""

import subprocess
import sys
from pathlib import Path

from tests.report.synth import Behaviour, make_run


def halluc(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "halluc", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def test_report_defaults_to_the_run_folder_and_prints_its_path(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run", {"m": Behaviour("guesser")}, n_items=15)
    res = halluc("report", run.path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == str(run.path / "report.html")
    assert (run.path / "report.html").read_text().startswith("<!DOCTYPE html>")


def test_markdown_of_two_runs(tmp_path: Path) -> None:
    a = make_run(tmp_path / "a", {"m1": Behaviour("guesser")}, n_items=15)
    b = make_run(tmp_path / "b", {"m2": Behaviour("calibrated")}, n_items=15)
    res = halluc("report", a.path, b.path, "--format", "md", "--targets", "0,0.5", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    text = (tmp_path / "report.md").read_text()
    assert "| m1 |" in text and "| m2 |" in text
    assert "| 0.75 |" not in text  # only the targets asked for


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    res = halluc("report", tmp_path / "nope")
    assert res.returncode == 2
    assert res.stderr.strip().count("\n") == 0
    assert "nope" in res.stderr and "no such run folder" in res.stderr
    run = make_run(tmp_path / "run", {"m": Behaviour("guesser")}, n_items=5)
    res = halluc("report", run.path, "--targets", "0,1.5")
    assert res.returncode == 2 and "--targets" in res.stderr
    res = halluc("report", run.path, "--bins", "0")
    assert res.returncode == 2 and "field '--bins'" in res.stderr
    assert not (run.path / "report.html").exists()
    (run.path / "records.jsonl").write_text('{"item_id": "a", "model": "m"}\n')
    res = halluc("report", run.path)
    assert res.returncode == 2
    assert "records.jsonl:1" in res.stderr and "outcome" in res.stderr

"""`halluc score` as a user runs it: a real subprocess, real files."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "simpleqa_blog.csv"


def halluc(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "halluc", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_blog_example_table_and_saved_numbers(tmp_path: Path) -> None:
    out = tmp_path / "scores.json"
    res = halluc("score", EXAMPLE, "--targets", "0,0.5,0.75,0.9", "--save", out)
    assert res.returncode == 0, res.stderr
    assert "-0.040" in res.stdout and "-0.510" in res.stdout
    assert "⇅" in res.stdout
    saved = json.loads(out.read_text())
    assert saved["parameters"]["targets"] == [0.0, 0.5, 0.75, 0.9]
    assert saved["parameters"]["error_policy"] == "exclude"
    rows = {(r["model"], r["target"]): r for r in saved["table"]}
    assert rows[("o4-mini", 0.5)]["score"] == pytest.approx(-0.51)
    assert rows[("gpt-5-thinking-mini", 0.5)]["score"] == pytest.approx(-0.04)


@pytest.mark.parametrize("fmt", ["markdown", "json", "csv"])
def test_other_formats(fmt: str, tmp_path: Path) -> None:
    res = halluc("score", EXAMPLE, "--format", fmt, "--no-save")
    assert res.returncode == 0, res.stderr
    if fmt == "json":
        assert json.loads(res.stdout)["table"]
    elif fmt == "markdown":
        rows = [line for line in res.stdout.splitlines() if line.startswith("| o4-mini |")]
        assert len(rows) == 5  # 4 targets + the leaderboard
    else:
        assert res.stdout.splitlines()[0].startswith("model,mode,rule,target,idk_credit,penalty")


def test_letter_grades_and_simpleqa_labels(tmp_path: Path) -> None:
    p = tmp_path / "grades.csv"
    p.write_text(
        "model,id,grade\nm,1,A\nm,2,B\nm,3,C\nn,1,CORRECT\nn,2,NOT_ATTEMPTED\nn,3,INCORRECT\n"
    )
    res = halluc("score", p, "--format", "json", "--targets", "0.5", "--no-save")
    assert res.returncode == 0, res.stderr
    table = json.loads(res.stdout)["table"]
    assert {r["model"]: r["score"] for r in table} == {"m": 0.0, "n": 0.0}


BAD = {
    "unknown_label.csv": (b"model,item_id,outcome\nm,1,correct\nm,2,D\n", ":3: field 'outcome'"),
    "missing_column.csv": (b"model,item_id\nm,1\n", ":1: field 'outcome'"),
    "duplicate.csv": (
        b"model,item_id,outcome\nm,1,correct\nm,2,correct\nm,1,incorrect\n",
        ":4: field 'item_id': duplicate",
    ),
    "latin1.csv": (b"model,item_id,outcome\nm,1,correct\nm,caf\xe9,correct\n", ":3: not UTF-8"),
    "truncated.jsonl": (
        b'{"model": "m", "item_id": "1", "outcome": "correct"}\n{"model": "m", "item_',
        ":2: invalid JSON",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_one_line_exit_2_nothing_written(name: str, tmp_path: Path) -> None:
    data, expected = BAD[name]
    p = tmp_path / name
    p.write_bytes(data)
    res = halluc("score", p)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert str(p) in lines[0] and expected in lines[0]
    assert sorted(x.name for x in tmp_path.iterdir()) == [name]


def test_bad_targets() -> None:
    res = halluc("score", EXAMPLE, "--targets", "0,1")
    assert res.returncode == 2 and "--targets" in res.stderr


def test_a_bad_setting_is_named_by_its_flag(tmp_path: Path) -> None:
    res = halluc("score", EXAMPLE, "--n-boot", "0", "--no-save")
    assert res.returncode == 2
    assert res.stderr.strip() == "halluc: error: field '--n-boot': must be at least 1, got 0"


def test_a_general_rule_is_scored_beside_the_targets(tmp_path: Path) -> None:
    res = halluc(
        "score", EXAMPLE, "--targets", "0", "--general", "0.25,1", "--format", "json", "--no-save"
    )
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["parameters"]["rules"] == ["binary", "general(idk=0.25, penalty=1)"]
    rows = {(r["model"], r["rule"]): r for r in doc["table"]}
    general = rows[("gpt-5-thinking-mini", "general(idk=0.25, penalty=1)")]
    assert general["score"] == pytest.approx((22 - 26 + 0.25 * 52) / 100)
    assert general["target"] is None and general["always_abstain_score"] == 0.25
    bad = halluc("score", EXAMPLE, "--general", "1.5,1", "--no-save")
    assert bad.returncode == 2 and "field '--general'" in bad.stderr

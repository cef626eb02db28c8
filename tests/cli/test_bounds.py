"""``halluc bounds`` as a user runs it."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from halluc.cli import app
from halluc.cli._errors import for_command_line
from halluc.errors import InputError

runner = CliRunner()


def run(*args: str) -> tuple[int, str, BaseException | None]:
    res = runner.invoke(app, ["bounds", *args])
    return res.exit_code, res.output, res.exception


def test_help_explains_each_input() -> None:
    code, out, _ = run("theorem2", "--help")
    assert code == 0
    for needle in ("--min-error-set", "--sr", "--n", "--facts", "--delta", "--gamma", "364"):
        assert needle in out
    for cmd in ("theorem1", "theorem3", "observation2", "goodturing"):
        code, out, _ = run(cmd, "--help")
        assert code == 0 and "Usage" in out


def test_theorem2_numbers_prints_every_term() -> None:
    code, out, _ = run("theorem2", "--sr", "0.2", "--n", "1e9", "--min-error-set", "364")
    assert code == 0
    for needle in ("sr", "2/min|E_c|", "slack", "delta", "(35 + 6 ln N)/sqrt(N)", "13/sqrt(N)"):
        assert needle in out
    lower = 0.2 - 2 / 364 - (35 + 6 * math.log(1e9)) / math.sqrt(1e9)
    assert f"{lower:.6g}" in out


def test_theorem2_json_from_facts_file(tmp_path: Path) -> None:
    f = tmp_path / "facts.jsonl"
    rows = [{"prompt": f"p{i}", "response": "a"} for i in range(8)]
    rows += [{"prompt": "p0", "response": "a"}, {"prompt": "p9", "response": None}]
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, _ = run("theorem2", "--facts", str(f), "--min-error-set", "364", "--format", "json")
    assert code == 0, out
    doc = json.loads(out)
    lower, upper = doc["bounds"]
    assert lower["terms"]["sr"] == pytest.approx(7 / 10)
    assert lower["terms"]["N"] == 10
    assert upper["kind"] == "upper"


def test_theorem1_from_table(tmp_path: Path) -> None:
    t = tmp_path / "t.csv"
    t.write_text(
        "prompt,response,valid,p,p_hat\nq,a,true,1,0.6\nq,b,false,0,0.3\nq,c,false,0,0.1\n"
    )
    code, out, _ = run("theorem1", "--table", str(t), "-f", "json")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["bounds"][0]["name"] == "Theorem 1"
    inst = doc[f"instance ({t})"]
    assert inst["err = p_hat(E)"] == pytest.approx(0.4)
    assert inst["bound holds"] is True


def test_other_commands() -> None:
    code, out, _ = run("theorem3", "--opt-g", "0.5", "--choices", "2", "-f", "json")
    assert code == 0 and json.loads(out)["bounds"][0]["value"] == pytest.approx(0.5)
    code, out, _ = run("observation2", "--beta", "0.1", "--message-space", "11", "-f", "json")
    assert json.loads(out)["bounds"][0]["value"] == pytest.approx(0.7)
    code, out, _ = run("goodturing", "--counts", "1,1,2,3", "--extrapolate-to", "10", "-f", "json")
    doc = json.loads(out)["Good-Turing"]
    assert doc["missing_mass"] == pytest.approx(2 / 7)
    assert "sr at N = 10 (Good-Toulmin)" in doc
    code, out, _ = run(
        "theorem1",
        "--err-iiv",
        "0.3",
        "--max-valid-set",
        "2",
        "--min-error-set",
        "364",
        "-f",
        "markdown",
    )
    assert code == 0 and "Theorem 1" in out


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["theorem2", "--sr", "0.2", "--n", "-5", "--min-error-set", "364"], "--n"),
        (["theorem2", "--sr", "0.2", "--n", "100", "--min-error-set", "0"], "--min-error-set"),
        (["theorem2", "--sr", "1.5", "--n", "100", "--min-error-set", "3"], "--sr"),
        (["theorem2", "--n", "100", "--min-error-set", "3"], "--sr"),
        (["theorem3", "--opt-g", "0.5", "--choices", "1"], "--choices"),
        (["goodturing", "--counts", "1,-2"], "--counts"),
        (["goodturing", "--counts", "1,x"], "--counts"),
        (["goodturing", "--counts", "1,2", "--extrapolate-to", "9"], "--extrapolate-to"),
        (["observation2", "--beta", "0.1"], "--message-space"),
        (["observation2", "--beta", "0.1", "--message-space", "1e0"], "--message-space"),
    ],
)
def test_bad_numbers_are_shown_with_the_flag_typed(args: list[str], flag: str) -> None:
    _, _, exc = run(*args)
    assert isinstance(exc, InputError), exc
    assert for_command_line(exc).startswith(f"field '{flag}': ")


def test_csv_is_read_back_cell_for_cell(tmp_path: Path) -> None:
    """Titles hold file names, which may hold commas and quotes: the CSV quotes them."""
    f = tmp_path / 'odd, "name".jsonl'
    f.write_text(
        "".join(json.dumps({"prompt": f"p{i % 3}", "response": "a"}) + "\n" for i in range(4))
    )
    code, out, _ = run("theorem2", "--facts", str(f), "--min-error-set", "9", "-f", "csv")
    assert code == 0, out
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["section", "name", "value"]
    assert [f"training data ({f})", "N (all examples)", "4"] in rows
    assert ["Theorem 2 (upper): upper bound", "max|E_c|", "9"] in rows
    assert all(len(r) == 3 for r in rows)


def halluc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "halluc", "bounds", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_bad_table_one_line_exit_2(tmp_path: Path) -> None:
    t = tmp_path / "t.csv"
    t.write_text("prompt,response,valid,p,p_hat\nq,a,true,1,0.6\nq,b,false,0,0.3\n")
    res = halluc("theorem1", "--table", str(t))
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert str(t) in lines[0] and "p_hat" in lines[0] and "sums to 0.9" in lines[0]


def test_zero_error_set_one_line_exit_2() -> None:
    res = halluc("theorem2", "--sr", "0.2", "--n", "1000", "--min-error-set", "0")
    assert res.returncode == 2
    assert res.stderr.strip() == (
        "halluc: error: field '--min-error-set': too small: 0 (must be at least 1)"
    )

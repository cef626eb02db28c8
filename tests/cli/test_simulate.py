from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from halluc.cli import app
from halluc.log.records import read_records

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    if res.exception and not isinstance(res.exception, SystemExit):
        raise res.exception
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture(scope="module")
def world_and_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cli")
    w, m = root / "world", root / "model"
    code, out, _ = invoke(
        "simulate", "world", str(w), "--examples", "500", "--sr", "0.3", "--seed", "4"
    )
    assert code == 0 and "singleton_rate" in out
    code, out, _ = invoke(
        "simulate",
        "train",
        str(w),
        str(m),
        "--model",
        "16x1x2",
        "--epochs",
        "2",
        "--batch-size",
        "64",
        "--threads",
        "1",
        "--no-bf16",
    )
    assert code == 0 and "parameters" in out
    return w, m


def test_world_train_measure(world_and_model: tuple[Path, Path], tmp_path: Path) -> None:
    w, m = world_and_model
    for name in ("world.json", "people.parquet", "examples.parquet", "corpus.txt"):
        assert (w / name).is_file()
    for name in ("config.json", "model.safetensors", "tokenizer.json", "train.json", "loss.png"):
        assert (m / name).is_file()
    out_dir = tmp_path / "meas"
    code, out, _ = invoke("simulate", "measure", str(w), str(m), "--out", str(out_dir))
    assert code == 0 and "singleton rate sr" in out
    meas = json.loads((out_dir / "measurement.json").read_text())
    world = json.loads((w / "world.json").read_text())
    assert meas["sr"] == world["stats"]["singleton_rate"]
    assert (out_dir / "buckets.png").stat().st_size > 1000
    records = read_records(out_dir / "records.jsonl")
    assert len(records) == world["stats"]["n_people"]
    assert {r.mode for r in records} == {"greedy"}


def test_incentives_from_a_given_model(world_and_model: tuple[Path, Path], tmp_path: Path) -> None:
    w, m = world_and_model
    out = tmp_path / "inc"
    args = (
        "simulate",
        "incentives",
        str(out),
        "--world",
        str(w),
        "--model",
        str(m),
        "--targets",
        "0,0.5",
        "--seeds",
        "0,1",
        "--steps",
        "2",
        "--batch",
        "8",
        "--samples",
        "2",
        "--threads",
        "1",
    )
    code, text, _ = invoke(*args)
    assert code == 0 and "binary" in text and "t=0.5" in text
    summary = json.loads((out / "summary.json").read_text())
    assert {r["grader"] for r in summary["table"]} == {"binary", "t=0.5"}
    assert (out / "incentives.png").is_file() and (out / "table.md").is_file()
    # resuming reuses every finished post-training run
    code, _, err = invoke(*args)
    assert code == 0 and err.count("reusing") >= 4


def test_tiny_sweep_writes_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    args = (
        "simulate",
        "sweep",
        str(out),
        "--srs",
        "0.1,0.4",
        "--examples",
        "300",
        "--epochs",
        "1",
        "--model",
        "16x1x2",
        "--poor-model",
        "8x1x1",
        "--threads",
        "1",
        "--no-bf16",
        "--format",
        "markdown",
    )
    code, text, _ = invoke(*args)
    assert code == 0 and "| sr0.10-s0 |" in text
    summary = json.loads((out / "summary.json").read_text())
    assert [r["role"] for r in summary["rows"]] == ["main", "main", "poor"]
    for r in summary["rows"]:
        assert r["lower"] < r["upper"]
        assert r["theorem1_holds"]
    for name in ("table.md", "err_vs_sr.png", "buckets.png", "loss.png"):
        assert (out / name).stat().st_size > 500
    code, text2, err = invoke(*args)
    assert code == 0 and text2 == text and "reusing" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("world", "{tmp}/w", "--sr", "1.5"), "field '--sr': must be in (0, 1)"),
        (("world", "{tmp}/w", "--zipf", "-1"), "field '--zipf': must be >= 0"),
        (("sweep", "{tmp}/s", "--srs", "0.1,abc"), "--srs"),
        (("incentives", "{tmp}/i", "--seeds", "0"), "field '--seeds': need at least two seeds"),
        (("incentives", "{tmp}/i", "--world", "{tmp}"), "field '--model': give both"),
        (("sweep", "{tmp}/s", "--poor-model", "8x0x1"), "field '--poor-model': n_layer must be"),
        (("measure", "{tmp}", "{tmp}"), "not a world folder"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    res = subprocess.run(
        [sys.executable, "-m", "halluc", "simulate", *argv],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("halluc: error:") and message in lines[0]

"""Fixtures of the report tests: one Chromium per session, the screenshot folder, and a real
``halluc eval`` run of the default model (made once per session)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from halluc.report.browser import Browser

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "report"
"""Screenshots and reports the browser tests leave for people to look at (gitignored)."""


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    b = Browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT


@pytest.fixture(scope="session")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run: `halluc eval` of the default model (SmolLM2-135M in llama.cpp) on 12 items
    of the built-in sample at t = 0 and 0.5, both modes, written to a run folder. A fresh
    response cache makes the model answer every question now."""
    base = tmp_path_factory.mktemp("real-run")
    out = base / "run"
    env = {**os.environ, "HALLUC_CACHE_DIR": str(base / "cache")}
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "halluc",
            "eval",
            "--limit",
            "12",
            "--targets",
            "0,0.5",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
        env=env,
    )
    assert res.returncode == 0, f"halluc eval failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    assert (out / "records.jsonl").exists()
    return out

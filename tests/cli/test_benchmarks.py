"""`halluc benchmarks` as a user runs it: the paper's Table 2 and task-name matching."""

from __future__ import annotations

import subprocess
import sys


def halluc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "halluc", *args], capture_output=True, text=True, timeout=120
    )


def test_match_names_the_benchmark_of_a_harness_task() -> None:
    res = halluc("benchmarks", "--match", "leaderboard_ifeval")
    assert res.returncode == 0, res.stderr
    assert "IFEval" in res.stdout and "Programmatic instruction verification" in res.stdout


def test_table_2_as_markdown_lists_ten_benchmarks() -> None:
    res = halluc("benchmarks", "--format", "markdown")
    assert res.returncode == 0, res.stderr
    rows = [line for line in res.stdout.splitlines() if line.startswith("| ")]
    assert len(rows) == 11  # the header and ten benchmarks

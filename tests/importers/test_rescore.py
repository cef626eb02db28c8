"""Re-scoring: detection, grouping by task (the command itself: tests/cli/test_rescore.py)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from halluc.errors import InputError
from halluc.importers import import_paths
from halluc.importers.detect import detect_file, discover
from halluc.importers.rescore import rescore


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

"""simple-evals SimpleQA full results (fixture follows its code; see the fixture's README)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from halluc.errors import InputError
from halluc.importers import ImportOptions, import_path
from halluc.importers.simple_evals import import_simple_evals, parse_name
from halluc.log.outcomes import Outcome

LETTER = {"A": Outcome.CORRECT, "B": Outcome.INCORRECT, "C": Outcome.ABSTAINED}


def _fixture_runs(folder: Path) -> dict[str, list[tuple[str, str]]]:
    spec = importlib.util.spec_from_file_location("se_fixture", folder / "make_fixture.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    runs: dict[str, list[tuple[str, str]]] = module.RUNS
    return runs


def test_allresults_files_recover_the_graders_letters(foreign: Path) -> None:
    folder = foreign / "simple_evals"
    runs = _fixture_runs(folder)
    result = import_path(folder)
    assert len(result.reports) == 2
    for report in result.reports:
        assert report.task == "simpleqa"
        assert report.matches_source is True
        data = json.loads(Path(report.path).read_text())
        assert report.source_accuracy == data["score"] == data["metrics"]["is_correct"]
    for rec in result.records:
        response, letter = runs[rec.model][rec.metadata["source_id"]]
        assert rec.response == response
        # only is_correct is saved; abstention detection recovers the C letters
        assert rec.outcome is LETTER[letter], (rec.model, response)
    second = [r for r in result.records if r.metadata["source_id"] == 1]
    assert all("Jerlov" in (r.metadata["question"] or "") for r in second)
    assert {tuple(r.metadata["answers"]) for r in second} == {("Annick Bricaud",)}


def test_rank_flip_between_the_two_models(foreign: Path) -> None:
    from halluc.importers.rescore import rescore

    res = rescore([foreign / "simple_evals"], targets=[0.0, 0.5])
    board = res.reports["simpleqa"].leaderboard.set_index("entry")
    assert board.loc["o4-mini", "score@0"] == board.loc["gpt-4o-mini-2024-07-18", "score@0"]
    assert board.loc["o4-mini", "rank@0.5"] == 2
    assert "0.5" in board.loc["o4-mini", "flips"]


def test_metrics_only_file_points_to_allresults(tmp_path: Path) -> None:
    path = tmp_path / "simpleqa_gpt-4o_20250101_000000.json"
    path.write_text(json.dumps({"is_correct": 0.4, "score": 0.4}))
    with pytest.raises(InputError, match="allresults"):
        import_simple_evals(path)


def test_example_level_metadata_letters_take_precedence(tmp_path: Path, foreign: Path) -> None:
    src = next((foreign / "simple_evals").glob("simpleqa_o4-mini_*"))
    data = json.loads(src.read_text())
    data["metadata"] = {"example_level_metadata": [{"grade_letter": "C"} for _ in data["htmls"]]}
    dst = tmp_path / src.name
    dst.write_text(json.dumps(data))
    result = import_simple_evals(dst, ImportOptions(model="m"))
    assert {r.outcome for r in result.records} == {Outcome.ABSTAINED}


@pytest.mark.parametrize(
    ("name", "parsed"),
    [
        ("simpleqa_gpt-4o_20250101_120000_allresults.json", ("simpleqa", "gpt-4o")),
        ("simpleqa_o4-mini_DEBUG_allresults.json", ("simpleqa", "o4-mini")),
        ("mmlu_gpt-4.1_assistant_allresults.json", ("mmlu", "gpt-4.1_assistant")),
        ("results.json", (None, None)),
    ],
)
def test_parse_name(name: str, parsed: tuple[str | None, str | None]) -> None:
    assert parse_name(Path(name)) == parsed

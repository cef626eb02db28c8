"""lm-evaluation-harness samples files, as the real harness writes them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from halluc.errors import InputError
from halluc.importers import ImportOptions, import_path
from halluc.importers.lm_eval import import_lm_eval, parse_target, task_type_from_arguments
from halluc.log.outcomes import Outcome
from tests.importers.harness import EASY_QA


def _lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def test_generation_task_imports_every_doc_with_targets_and_aliases(
    dummy_lm_eval: dict[str, Any],
) -> None:
    result = import_lm_eval(dummy_lm_eval["gen"])
    lines = [x for x in _lines(dummy_lm_eval["gen"]) if x["filter"] == "none"]
    assert len(result.records) == len(lines) == len(EASY_QA)
    model = dummy_lm_eval["results"]["model_name"]
    by_id = {r.item_id: r for r in result.records}
    for line, item in zip(lines, EASY_QA, strict=True):
        rec = by_id[f"gen_qa/{line['doc_id']}"]
        assert rec.model == model
        assert rec.mode == "imported" and rec.target is None
        assert rec.metadata["answers"] == item["answers"]  # the list repr, parsed back
        assert rec.metadata["question"] == item["question"]
        assert rec.metadata["source_grade"] == line["exact_match"]
        assert rec.response == line["resps"][0][0]
        assert rec.prompt_hash == line["prompt_hash"]
        # lm-eval's grade decides correct vs not; "lol" is never an abstention
        expected = Outcome.CORRECT if line["exact_match"] == 1.0 else Outcome.INCORRECT
        assert rec.outcome is expected
    report = result.reports[0]
    assert report.task == "gen_qa"
    assert report.grade_source == "lm-eval:exact_match,none"
    assert (
        report.source_accuracy == dummy_lm_eval["results"]["results"]["gen_qa"]["exact_match,none"]
    )
    assert report.matches_source is True
    assert any("last-word" in note for note in report.notes)


def test_filter_option_imports_the_chosen_filter(dummy_lm_eval: dict[str, Any]) -> None:
    result = import_lm_eval(dummy_lm_eval["gen"], ImportOptions(lm_eval_filter="last-word"))
    lines = [x for x in _lines(dummy_lm_eval["gen"]) if x["filter"] == "last-word"]
    assert len(result.records) == len(lines)
    assert {r.metadata["filter"] for r in result.records} == {"last-word"}
    assert result.reports[0].source_accuracy == pytest.approx(
        dummy_lm_eval["results"]["results"]["gen_qa"]["exact_match,last-word"]
    )
    with pytest.raises(InputError, match="filter 'nope' not in file"):
        import_lm_eval(dummy_lm_eval["gen"], ImportOptions(lm_eval_filter="nope"))


def test_multiple_choice_file_is_refused_naming_file_and_record(
    dummy_lm_eval: dict[str, Any],
) -> None:
    with pytest.raises(InputError) as info:
        import_path(dummy_lm_eval["mc"])
    err = info.value
    assert err.path == str(dummy_lm_eval["mc"])
    assert err.line == 1 and err.field == "arguments"
    assert "multiple_choice" in str(err) and "I don't" in str(err)


def test_without_results_file_the_task_type_comes_from_the_arguments(
    dummy_lm_eval: dict[str, Any], tmp_path: Path
) -> None:
    mc = tmp_path / dummy_lm_eval["mc"].name
    shutil.copy(dummy_lm_eval["mc"], mc)
    with pytest.raises(InputError, match="multiple_choice"):
        import_path(mc)
    gen = tmp_path / dummy_lm_eval["gen"].name
    shutil.copy(dummy_lm_eval["gen"], gen)
    result = import_path(gen, ImportOptions(model="dummy-model"))
    assert {r.model for r in result.records} == {"dummy-model"}
    assert result.reports[0].source_accuracy is None
    assert any("no results_" in note for note in result.reports[0].notes)


def test_truncated_samples_file_names_the_line(
    dummy_lm_eval: dict[str, Any], tmp_path: Path
) -> None:
    data = dummy_lm_eval["gen"].read_bytes()
    cut = tmp_path / dummy_lm_eval["gen"].name
    cut.write_bytes(data[: len(data) - 200])
    with pytest.raises(InputError) as info:
        import_lm_eval(cut)
    assert info.value.path == str(cut)
    assert info.value.line == data[: len(data) - 200].count(b"\n") + 1


def test_unknown_metric_is_an_error(dummy_lm_eval: dict[str, Any]) -> None:
    with pytest.raises(InputError, match="metric 'bleu' not in the samples"):
        import_lm_eval(dummy_lm_eval["gen"], ImportOptions(metric="bleu"))


def test_task_type_from_arguments() -> None:
    gen = {"gen_args_0": {"arg_0": "Q?", "arg_1": {"until": ["\n"]}}}
    mc = {
        "gen_args_0": {"arg_0": "Q?", "arg_1": " A"},
        "gen_args_1": {"arg_0": "Q?", "arg_1": " B"},
    }
    assert task_type_from_arguments(gen) == "generate_until"
    assert task_type_from_arguments(mc) == "multiple_choice"
    assert task_type_from_arguments({"gen_args_0": {"arg_0": "text"}}) == "loglikelihood_rolling"


@given(st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=6))
def test_parse_target_reads_back_a_list_repr(aliases: list[str]) -> None:
    # lm-eval writes str(target): a list of aliases arrives as its Python repr
    assert parse_target(str(aliases)) == aliases


@given(st.text(max_size=20).filter(lambda s: not s.strip().startswith("[")))
def test_parse_target_keeps_a_plain_string(text: str) -> None:
    assert parse_target(text) == [text]

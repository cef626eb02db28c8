"""Plain CSV tables with simple-evals letter grades or SimpleQA labels."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from halluc.errors import InputError
from halluc.importers import ImportOptions, import_path
from halluc.log.outcomes import Outcome


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_letter_grades_with_question_answer_and_response(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "grades.csv",
        ["model", "id", "problem", "answer", "predicted_answer", "grade_letter"],
        [
            ["m1", "1", "Capital of France?", "Paris", "Paris", "A"],
            ["m1", "2", "Capital of Peru?", "Lima", "Cusco", "B"],
            ["m1", "3", "Capital of Chad?", "N'Djamena", "I don't know", "C"],
        ],
    )
    result = import_path(path)
    assert [r.outcome for r in result.records] == [
        Outcome.CORRECT,
        Outcome.INCORRECT,
        Outcome.ABSTAINED,
    ]
    first = result.records[0]
    assert first.item_id == "1" and first.model == "m1" and first.target is None
    assert first.metadata["question"] == "Capital of France?"
    assert first.metadata["answers"] == ["Paris"]
    assert first.metadata["source_grade"] == "A"
    assert first.response == "Paris"


def test_unknown_grade_letter_names_file_line_and_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "bad.csv",
        ["model", "id", "grade"],
        [["m", "1", "A"], ["m", "2", "B"], ["m", "3", "D"]],
    )
    with pytest.raises(InputError) as info:
        import_path(path)
    err = info.value
    assert (err.path, err.line, err.field) == (str(path), 4, "grade")
    assert "'D'" in str(err)


def test_simpleqa_words_and_model_for_a_table_without_model_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "simpleqa.csv",
        ["id", "task", "grade"],
        [
            ["1", "simpleqa", "CORRECT"],
            ["2", "simpleqa", "NOT_ATTEMPTED"],
            ["3", "simpleqa", "INCORRECT"],
        ],
    )
    with pytest.raises(InputError, match="no model column"):
        import_path(path)
    result = import_path(path, ImportOptions(model="gpt"))
    assert [r.outcome for r in result.records] == [
        Outcome.CORRECT,
        Outcome.ABSTAINED,
        Outcome.INCORRECT,
    ]
    assert {r.item_id for r in result.records} == {"simpleqa/1", "simpleqa/2", "simpleqa/3"}
    assert result.reports[0].task == "simpleqa"


LABELS = {
    "A": Outcome.CORRECT,
    "B": Outcome.INCORRECT,
    "C": Outcome.ABSTAINED,
    "CORRECT": Outcome.CORRECT,
    "INCORRECT": Outcome.INCORRECT,
    "NOT_ATTEMPTED": Outcome.ABSTAINED,
    "error": Outcome.ERROR,
}


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(sorted(LABELS)), min_size=1, max_size=40))
def test_every_label_maps_and_counts_add_up(tmp_path: Path, labels: list[str]) -> None:
    path = _write(
        tmp_path / "t.csv",
        ["model", "id", "grade"],
        [["m", str(i), lab] for i, lab in enumerate(labels)],
    )
    result = import_path(path)
    assert [r.outcome for r in result.records] == [LABELS[lab] for lab in labels]
    assert result.reports[0].n == len(labels)

"""halluc's Inspect solver, scorer and metrics, run by inspect_ai itself (mockllm model)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.dataset import Sample
from inspect_ai.model import get_model
from inspect_ai.scorer import SampleScore, Score

from halluc.eval.prompts import confidence_instruction
from halluc.importers import import_path
from halluc.importers.rescore import rescore
from halluc.integrations.inspect_scorer import (
    accuracy,
    confidence_task,
    f_score,
    outcome_of,
    penalized_score,
)
from halluc.log.outcomes import Outcome
from tests.importers.harness import mock_outputs

SAMPLES = [
    Sample(id="paris", input="What is the capital of France?", target=["Paris"]),
    Sample(id="idk", input="Who wrote Zorbeline's Quiet Harbour?", target="Edith Varnholm"),
    Sample(id="wrong", input="What is the largest planet?", target="Jupiter"),
    Sample(id="empty", input="How many legs does a spider have?", target=["8", "eight"]),
]
OUTPUTS = ["It is Paris.", "I don't know.", "Mars", ""]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    log_dir = tmp_path_factory.mktemp("inspect_confidence")
    logs = inspect_eval(
        confidence_task(SAMPLES, 0.75, name="confidence_qa"),
        model=get_model("mockllm/model", custom_outputs=mock_outputs(OUTPUTS)),
        log_dir=str(log_dir),
        display="none",
        max_connections=1,
    )
    return logs[0], Path(logs[0].location)


def test_instruction_scores_and_metrics(run: tuple[object, Path]) -> None:
    log, _ = run
    assert log.status == "success"  # type: ignore[attr-defined]
    by_id = {s.id: s for s in log.samples}  # type: ignore[attr-defined]
    # the instruction is the system message, with the penalty computed: 0.75 -> 3
    system = by_id["paris"].messages[0]
    assert system.role == "system" and system.text == confidence_instruction(0.75)
    assert "penalized 3 points" in system.text
    values = {sid: s.scores["confidence_scorer"].value for sid, s in by_id.items()}
    assert values == {"paris": "C", "idk": "N", "wrong": "I", "empty": "E"}
    metrics = {
        name: m.value
        for name, m in log.results.scores[0].metrics.items()  # type: ignore[attr-defined]
    }
    # three graded samples (the empty answer is an error, reported and left out)
    assert metrics["accuracy"] == pytest.approx(1 / 3)
    assert metrics["abstention_rate"] == pytest.approx(1 / 3)
    assert metrics["accuracy_given_attempted"] == pytest.approx(1 / 2)
    assert metrics["f_score"] == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))
    assert metrics["penalized_score"] == pytest.approx((1 - 3) / 3)
    assert metrics["error_count"] == 1


def test_the_log_rescores_to_the_same_numbers(run: tuple[object, Path]) -> None:
    log, path = run
    imported = import_path(path)
    outcomes = {r.metadata["source_id"]: r.outcome for r in imported.records}
    assert outcomes == {
        "paris": Outcome.CORRECT,
        "idk": Outcome.ABSTAINED,
        "wrong": Outcome.INCORRECT,
        "empty": Outcome.ERROR,
    }
    table = rescore([path], targets=[0.5, 0.75]).reports["confidence_qa"].table
    at = dict(zip(table["target"], table["score"], strict=True))
    inspect_value = log.results.scores[0].metrics["penalized_score"].value  # type: ignore[attr-defined]
    assert at[0.75] == pytest.approx(inspect_value)
    assert at[0.5] == pytest.approx((1 - 1) / 3)


def _scores(values: list[tuple[str, float]]) -> list[SampleScore]:
    return [
        SampleScore(score=Score(value=v, metadata={"halluc_target": t}), sample_id=i)
        for i, (v, t) in enumerate(values)
    ]


def test_penalized_score_at_another_target_and_plain_values() -> None:
    scores = _scores([("C", 0.75), ("I", 0.75), ("N", 0.75), ("E", 0.75)])
    assert penalized_score()(scores) == pytest.approx((1 - 3) / 3)
    assert penalized_score(t=0.5)(scores) == pytest.approx(0.0)
    assert penalized_score(t=0.0)(scores) == pytest.approx(1 / 3)
    assert accuracy()(scores) == pytest.approx(1 / 3)
    assert math.isnan(f_score()(_scores([("N", 0.5)])))  # nothing attempted
    assert outcome_of(Score(value="N")) is Outcome.ABSTAINED
    assert outcome_of(Score(value="x")) is None

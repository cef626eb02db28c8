"""Real harness runs shared by the importer tests (one run per session)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.importers.harness import (
    EASY_QA,
    generation_task,
    multiple_choice_task,
    run_lm_eval,
    samples_file,
)


@pytest.fixture(scope="session")
def dummy_lm_eval(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """lm-evaluation-harness with its ``dummy`` model on a generation and a multiple-choice
    task: real samples and results files, written as ``--log_samples`` writes them."""
    root = tmp_path_factory.mktemp("lm_eval_dummy")
    tasks = root / "tasks"
    tasks.mkdir()
    generation_task(tasks, "gen_qa", EASY_QA)
    mc_rows = [
        {"question": q["question"], "choices": [q["answers"][0], "none of these"], "label": 0}
        for q in EASY_QA
    ]
    multiple_choice_task(tasks, "mc_qa", mc_rows)
    out = root / "out"
    results = run_lm_eval("dummy", "", ["gen_qa", "mc_qa"], tasks, out)
    return {
        "results": results,
        "out": out,
        "gen": samples_file(out, "gen_qa"),
        "mc": samples_file(out, "mc_qa"),
    }


@pytest.fixture(scope="session")
def foreign() -> Path:
    return Path(__file__).resolve().parents[1] / "fixtures" / "foreign"


@pytest.fixture(scope="session")
def inspect_logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Real Inspect logs written by ``inspect_ai.eval`` with its ``mockllm/model``.

    ``includes``: Inspect's own ``includes()`` scorer over two epochs, .eval format (zstd).
    ``graded``: a scorer that returns C, I, N and P, and a sample whose solver fails (with
    ``fail_on_error=False`` Inspect logs it with an ``error``), .json format.
    """
    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import Sample
    from inspect_ai.model import get_model
    from inspect_ai.scorer import Score, Target, accuracy, scorer
    from inspect_ai.solver import Generate, TaskState, generate, solver

    from tests.importers.harness import mock_outputs

    root = tmp_path_factory.mktemp("inspect_logs")
    samples = [
        Sample(id="paris", input="What is the capital of France?", target=["Paris", "paris city"]),
        Sample(id="spider", input="How many legs does a spider have?", target="8"),
        Sample(id=3, input="Who was the first president of the USA?", target="George Washington"),
        Sample(id="harbour", input="Who wrote Zorbeline's Quiet Harbour?", target="Edith Varnholm"),
    ]
    texts = ["Paris", "I don't know.", "John F. Kennedy", "Edith Varnholm wrote it."]
    task = Task(
        dataset=samples, solver=[generate()], scorer=includes_scorer(), name="easy_qa", epochs=2
    )
    logs = inspect_eval(
        task,
        model=get_model("mockllm/model", custom_outputs=mock_outputs(texts * 2)),
        log_dir=str(root / "eval"),
        display="none",
        max_connections=1,
    )

    grades = {"a": "C", "b": "I", "c": "N", "d": "P"}

    @scorer(metrics=[accuracy()])
    def lettered():  # type: ignore[no-untyped-def]
        async def score(state: TaskState, target: Target) -> Score:
            return Score(value=grades[str(state.sample_id)], answer=state.output.completion)

        return score

    @solver
    def fail_on_e():  # type: ignore[no-untyped-def]
        async def solve(state: TaskState, generate: Generate) -> TaskState:
            if state.sample_id == "e":
                raise RuntimeError("backend unavailable")
            return await generate(state)

        return solve

    graded_samples = [Sample(id=k, input=f"question {k}?", target="x") for k in "abcde"]
    graded = inspect_eval(
        Task(dataset=graded_samples, solver=[fail_on_e()], scorer=lettered(), name="lettered"),
        model=get_model(
            "mockllm/model", custom_outputs=mock_outputs(["x", "y", "no idea", "x-ish"])
        ),
        log_dir=str(root / "json"),
        log_format="json",
        display="none",
        max_connections=1,
        fail_on_error=False,
    )
    return {
        "includes": Path(logs[0].location),
        "includes_log": logs[0],
        "graded": Path(graded[0].location),
        "graded_log": graded[0],
    }


def includes_scorer() -> Any:
    from inspect_ai.scorer import includes

    return includes()

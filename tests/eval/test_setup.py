"""A plain `halluc eval`'s choices, made by the library: backend options, grader, run folder."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from halluc.errors import InputError
from halluc.eval.setup import BackendOptions, GraderChoice, default_run_folder
from halluc.grading import LLMJudgeGrader, MatchGrader
from halluc.models.replay import ReplayBackend


def test_each_backend_gets_only_its_own_options() -> None:
    options = BackendOptions(concurrency=None, parallel=1, threads=3, batch_size=2, seed=7)
    assert options.constructor_options("llamacpp") == {"n_parallel": 1, "threads": 3}
    assert options.constructor_options("hf") == {"batch_size": 2}
    assert options.constructor_options("replay") == {}
    openai = options.constructor_options("openai")
    assert openai["concurrency"] == 8 and openai["seed"] == 7 and "threads" not in openai


def test_unknown_backend_and_grader_name_their_fields() -> None:
    with pytest.raises(InputError, match="unknown backend 'nope'") as backend:
        BackendOptions(backend="nope").build()
    assert backend.value.field == "backend"
    with pytest.raises(InputError, match="unknown grader 'vibes'") as grader:
        GraderChoice("vibes")
    assert grader.value.field == "grader"


def test_the_judge_reuses_the_evaluated_model_unless_told_otherwise(tmp_path: Path) -> None:
    table = tmp_path / "answers.csv"
    table.write_text("item_id,response\nq0,a\n")
    options = BackendOptions(backend="replay", model=str(table))
    evaluated = options.build()
    match, extra = GraderChoice().build(options, evaluated)
    assert isinstance(match, MatchGrader) and extra is None
    judge, extra = GraderChoice("judge").build(options, evaluated)
    assert isinstance(judge, LLMJudgeGrader) and extra is None
    assert judge.name == f"judge:{evaluated.model}"
    other = tmp_path / "judge.csv"
    other.write_text("item_id,response\nq0,CORRECT\n")
    judge, extra = GraderChoice("judge", judge_model=str(other)).build(options, evaluated)
    assert isinstance(extra, ReplayBackend) and extra is not evaluated
    assert judge.name == "judge:judge"


def test_default_run_folders_are_named_and_never_reused(tmp_path: Path) -> None:
    now = datetime(2025, 9, 4, 12, 30, 0)
    first = default_run_folder("Smol LM/2", "simpleqa:data/simple_qa.csv", tmp_path, now)
    assert first == tmp_path / "20250904-123000-Smol-LM-2-simple_qa"
    first.mkdir()
    assert default_run_folder("Smol LM/2", "simpleqa:data/simple_qa.csv", tmp_path, now) == (
        tmp_path / "20250904-123000-Smol-LM-2-simple_qa-2"
    )

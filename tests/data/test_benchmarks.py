"""The paper's Table 2 as data and the task-name recogniser (the command: tests/cli)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from halluc.data.benchmarks import (
    BENCHMARKS,
    get_benchmark,
    recognise,
    render_table,
    resolve_matches,
)
from halluc.render.tables import OutputFormat

# Table 2 of Kalai et al. (2025), as printed: (benchmark, scoring method, binary, IDK credit)
TABLE_2 = [
    ("GPQA", "Multiple-choice accuracy", True, "none"),
    ("MMLU-Pro", "Multiple-choice accuracy", True, "none"),
    ("IFEval", "Programmatic instruction verification", True, "none"),
    ("Omni-MATH", "Equivalence grading", True, "none"),
    ("WildBench", "LM-graded rubric", False, "partial"),
    ("BBH", "Multiple-choice / exact-match", True, "none"),
    ("MATH (L5 split)", "Equivalence grading", True, "none"),
    ("MuSR", "Multiple-choice accuracy", True, "none"),
    ("SWE-bench", "Patch passes unit tests", True, "none"),
    ("HLE", "Multiple-choice / equivalence grading", True, "none"),
]


def test_rows_are_the_papers_table_2() -> None:
    assert [(b.name, b.scoring_method, b.binary, b.idk_credit) for b in BENCHMARKS] == TABLE_2
    # the asterisk: graded by language models
    assert {b.name for b in BENCHMARKS if b.lm_graded} == {
        "Omni-MATH",
        "WildBench",
        "MATH (L5 split)",
        "HLE",
    }
    assert sum(b.rewards_guessing for b in BENCHMARKS) == 9
    assert get_benchmark("ifeval").footnote is not None
    with pytest.raises(KeyError, match="unknown benchmark"):
        get_benchmark("mmlu")


@pytest.mark.parametrize(
    ("task", "key"),
    [
        ("leaderboard_gpqa_diamond", "gpqa"),
        ("gpqa_main_zeroshot", "gpqa"),
        ("gpqa:subset=gpqa_main,use_chain_of_thought=true", "gpqa"),
        ("inspect_evals/gpqa_diamond", "gpqa"),
        ("mmlu_pro", "mmlu_pro"),
        ("leaderboard_mmlu_pro", "mmlu_pro"),
        ("mmlu_pro:subset=all,use_chain_of_thought=true", "mmlu_pro"),
        ("leaderboard_ifeval", "ifeval"),
        ("ifeval", "ifeval"),
        ("omni_math", "omni_math"),
        ("wildbench:subset=v2", "wildbench"),
        ("leaderboard_bbh_boolean_expressions", "bbh"),
        ("bbh_cot_fewshot_date_understanding", "bbh"),
        ("leaderboard_math_hard", "math_l5"),
        ("leaderboard_math_algebra_hard", "math_l5"),
        ("math:subject=algebra,level=5", "math_l5"),
        ("leaderboard_musr_murder_mysteries", "musr"),
        ("swe_bench_verified", "swe_bench"),
        ("hle", "hle"),
        ("inspect_evals/hle", "hle"),
        ("humanitys_last_exam", "hle"),
    ],
)
def test_recognise_harness_task_names(task: str, key: str) -> None:
    bench = recognise(task)
    assert bench is not None and bench.key == key


@pytest.mark.parametrize(
    "task",
    [
        "mmlu",
        "triviaqa",
        "simpleqa",
        "gsm8k",
        "mathqa",
        "math_hardcore",
        "hellaswag",
        "nq_open",
        "",
    ],
)
def test_other_tasks_are_not_recognised(task: str) -> None:
    assert recognise(task) is None


@given(st.text(max_size=60))
def test_recognise_never_fails(text: str) -> None:
    bench = recognise(text)
    assert bench is None or bench.matches(text)


def test_renderings() -> None:
    md = render_table(OutputFormat.MARKDOWN)
    assert md.count("\n| ") == 11  # header + 10 rows
    assert "9 of 10" in md
    doc = json.loads(render_table(OutputFormat.JSON))
    assert [b["name"] for b in doc["benchmarks"]] == [r[0] for r in TABLE_2]
    csv_text = render_table(OutputFormat.CSV)
    assert csv_text.splitlines()[0].startswith("key,name,scoring_method,binary_grading")
    matched = json.loads(resolve_matches(["leaderboard_gpqa_diamond", "x"], OutputFormat.JSON))
    assert matched[0]["benchmark"]["key"] == "gpqa" and matched[1]["benchmark"] is None

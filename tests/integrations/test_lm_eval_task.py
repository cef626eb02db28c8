"""halluc's lm-evaluation-harness task template and metric, run by the real harness against the
real llama.cpp HTTP server (SmolLM2-135M), then read back by the importer."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import orjson
import pytest

from halluc.errors import InputError
from halluc.eval.prompts import confidence_instruction
from halluc.importers import ImportOptions, import_path
from halluc.importers.rescore import rescore
from halluc.integrations.lm_eval_task import (
    FunctionRef,
    TargetSpec,
    document_metrics,
    load_task_yaml,
    mean_scored,
    variant_name,
    write_task,
)
from halluc.log.outcomes import Outcome
from tests.importers.harness import (
    EASY_QA,
    generation_task,
    multiple_choice_task,
    run_lm_eval,
    samples_file,
)

T = 0.5


@pytest.fixture(scope="module")
def harness_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from halluc.models.llamacpp import serve_http

    root = tmp_path_factory.mktemp("lm_eval_llamacpp")
    tasks = root / "tasks"
    tasks.mkdir()
    base = generation_task(tasks, "easy_qa", EASY_QA)
    (variant,) = write_task(base, [T], tasks)
    out = root / "out"
    with serve_http() as url:
        args = (
            f"model=smollm2,base_url={url}/chat/completions,num_concurrent=2,max_retries=2,"
            "tokenized_requests=False"
        )
        results = run_lm_eval(
            "local-chat-completions",
            args,
            ["easy_qa", variant_name("easy_qa", T)],
            tasks,
            out,
            apply_chat_template=True,
        )
    return {
        "results": results["results"],
        "tasks": tasks,
        "variant": variant,
        "base_samples": samples_file(out, "easy_qa"),
        "variant_samples": samples_file(out, variant_name("easy_qa", T)),
    }


def _lines(path: Path, filt: str = "none") -> list[dict[str, Any]]:
    rows = [orjson.loads(x) for x in path.read_bytes().splitlines() if x.strip()]
    return [r for r in rows if r["filter"] == filt]


@pytest.mark.slow
def test_importing_the_base_task_reproduces_lm_evals_accuracy(harness_run: dict[str, Any]) -> None:
    for filt in ("none", "last-word"):
        imported = import_path(harness_run["base_samples"], ImportOptions(lm_eval_filter=filt))
        lines = _lines(harness_run["base_samples"], filt)
        assert len(imported.records) == len(lines) == len(EASY_QA)
        own = harness_run["results"]["easy_qa"][f"exact_match,{filt}"]
        report = imported.reports[0]
        assert report.source_accuracy == own
        assert report.accuracy == pytest.approx(own, abs=1e-12)
        correct = {f"easy_qa/{x['doc_id']}" for x in lines if x["exact_match"] == 1.0}
        assert {r.item_id for r in imported.records if r.outcome is Outcome.CORRECT} == correct
    # the last-word filter makes exact match succeed on some answers: a non-trivial check
    assert harness_run["results"]["easy_qa"]["exact_match,last-word"] > 0


@pytest.mark.slow
def test_variant_states_the_target_and_scores_with_halluc(harness_run: dict[str, Any]) -> None:
    lines = _lines(harness_run["variant_samples"])
    prompt = lines[0]["arguments"]["gen_args_0"]["arg_0"]
    prompt = prompt[0] if isinstance(prompt, list) else prompt  # chat: the JSON of the messages
    messages = orjson.loads(prompt)
    assert messages[0]["role"] == "system"
    assert messages[0]["content"].startswith(confidence_instruction(T))
    assert "penalized 1 points" in messages[0]["content"]
    for row in lines:
        flags = [
            row[m]
            for m in ("halluc_correct", "halluc_incorrect", "halluc_abstained", "halluc_error")
        ]
        assert sorted(flags) == [0.0, 0.0, 0.0, 1.0]  # exactly one outcome per document
        if row["halluc_error"]:
            assert row["halluc_score"] is None
        else:
            assert row["halluc_score"] in (1.0, 0.0, -1.0)
    agg = harness_run["results"][variant_name("easy_qa", T)]
    assert agg["halluc_score,none"] == pytest.approx(
        mean_scored([r["halluc_score"] for r in lines])
    )
    assert agg["halluc_correct,none"] == pytest.approx(
        sum(r["halluc_correct"] for r in lines) / len(lines)
    )


@pytest.mark.slow
def test_variant_log_rescores_to_the_harness_numbers(harness_run: dict[str, Any]) -> None:
    path = harness_run["variant_samples"]
    lines = {f"easy_qa_halluc_t0p5/{r['doc_id']}": r for r in _lines(path)}
    imported = import_path(path)
    for rec in imported.records:
        row = lines[rec.item_id]
        assert row[f"halluc_{rec.outcome}"] == 1.0
    assert imported.reports[0].grade_source == "lm-eval:halluc"
    table = rescore([path], targets=[0.0, T]).reports["easy_qa_halluc_t0p5"].table
    at = dict(zip(table["target"], table["score"], strict=True))
    agg = harness_run["results"][variant_name("easy_qa", T)]
    assert at[T] == pytest.approx(agg["halluc_score,none"])
    assert at[0.0] == pytest.approx(agg["halluc_correct,none"])


def test_written_yaml_includes_the_base_and_refuses_log_likelihood_tasks(tmp_path: Path) -> None:
    base = generation_task(tmp_path, "qa", EASY_QA)
    paths = write_task(base, [0.9, 0.0, 0.9], tmp_path / "out")
    assert [p.name for p in paths] == ["qa_halluc_t0.yaml", "qa_halluc_t0p9.yaml"]
    cfg = load_task_yaml(paths[1])
    assert cfg["task"] == "qa_halluc_t0p9"
    assert cfg["doc_to_text"].startswith("Answer with a single word")  # from the base
    assert cfg["description"].startswith(confidence_instruction(0.9))
    assert "penalized 9 points" in cfg["description"]
    assert cfg["metadata"]["halluc_penalty"] == pytest.approx(9.0)
    assert isinstance(cfg["process_results"], FunctionRef)
    mc = multiple_choice_task(
        tmp_path, "mc", [{"question": "q", "choices": ["a", "b"], "label": 0}]
    )
    with pytest.raises(InputError, match="multiple_choice task"):
        write_task(mc, [0.5], tmp_path / "out")


def test_target_spec_follows_lm_evals_doc_to_target_rules(tmp_path: Path) -> None:
    doc = {"question": "q", "answers": ["Paris", "paris city"], "label": 1, "choices": ["a", "b"]}
    assert TargetSpec("{{answers}}").answers(doc) == ["Paris", "paris city"]
    assert TargetSpec("answers").answers(doc) == ["Paris", "paris city"]
    assert TargetSpec("{{label}}", "{{choices}}").answers(doc) == ["b"]
    assert TargetSpec("{{question}}!").answers(doc) == ["q!"]
    (tmp_path / "utils.py").write_text("def target(doc):\n    return doc['answers'][0]\n")
    assert TargetSpec(FunctionRef(str(tmp_path), "utils.target")).answers(doc) == ["Paris"]


def test_document_metrics_and_mean() -> None:
    assert document_metrics(Outcome.INCORRECT, 0.75)["halluc_score"] == pytest.approx(-3.0)
    assert document_metrics(Outcome.ABSTAINED, 0.75)["halluc_score"] == 0.0
    err = document_metrics(Outcome.ERROR, 0.75)
    assert err["halluc_score"] is None and err["halluc_error"] == 1.0
    assert mean_scored([1.0, None, -3.0]) == pytest.approx(-1.0)
    assert math.isnan(mean_scored([None]))

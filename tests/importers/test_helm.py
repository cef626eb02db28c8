"""HELM run folders (the fixture is the real HELM pipeline's output; see its README)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from halluc.errors import InputError
from halluc.importers import ImportOptions, import_path
from halluc.importers.helm import import_helm, scenario_name
from halluc.log.outcomes import Outcome

RUN_A = "halluc_triviaqa:model=halluc_replay-a"


def _per_instance(run: Path) -> dict[str, dict[str, float]]:
    out = {}
    for entry in json.loads((run / "per_instance_stats.json").read_text()):
        out[entry["instance_id"]] = {
            s["name"]["name"]: s.get("mean")
            for s in entry["stats"]
            if "perturbation" not in s["name"]
        }
    return out


def test_run_folder_reproduces_helms_exact_match_and_keeps_max_prob(foreign: Path) -> None:
    run = foreign / "helm" / "runs" / RUN_A
    result = import_helm(run)
    stats = _per_instance(run)
    report = result.reports[0]
    assert len(result.records) == len(stats) == 8
    aggregate = next(
        s["mean"]
        for s in json.loads((run / "stats.json").read_text())
        if s["name"] == {"name": "exact_match", "split": "test"}
    )
    assert report.source_accuracy == aggregate
    assert report.matches_source is True
    for rec in result.records:
        sid = rec.metadata["source_id"]
        assert rec.item_id == f"halluc_triviaqa/{sid}"
        assert rec.model == "halluc/replay-a"
        assert rec.confidence == pytest.approx(stats[sid]["max_prob"])
        assert rec.confidence_method == "helm:max_prob"
        if stats[sid]["exact_match"] == 1.0:
            assert rec.outcome is Outcome.CORRECT
        else:
            assert rec.outcome in (Outcome.INCORRECT, Outcome.ABSTAINED)
    by_response = {r.response: r for r in result.records}
    assert by_response["I don't know"].outcome is Outcome.ABSTAINED
    assert by_response["I'm not sure."].outcome is Outcome.ABSTAINED
    assert by_response["A ladder"].outcome is Outcome.INCORRECT
    assert (
        by_response["The Palace of Versailles"].metadata["answers"][-1]
        == "The Palace of Versailles"
    )
    assert report.reclassified_as_abstained == 2


def test_suite_folder_imports_every_run_with_shared_item_ids(foreign: Path) -> None:
    result = import_path(foreign / "helm" / "runs")
    assert sorted(r.models[0] for r in result.reports) == ["halluc/replay-a", "halluc/replay-b"]
    ids = {
        m: {r.item_id for r in result.records if r.model == m}
        for m in ("halluc/replay-a", "halluc/replay-b")
    }
    assert ids["halluc/replay-a"] == ids["halluc/replay-b"]


def test_perturbed_instances_are_skipped_and_counted(foreign: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(foreign / "helm" / "runs" / RUN_A, run)
    entries = json.loads((run / "per_instance_stats.json").read_text())
    extra = dict(entries[0], perturbation={"name": "typos", "robustness": True, "fairness": False})
    (run / "per_instance_stats.json").write_text(json.dumps([*entries, extra]))
    result = import_helm(run)
    assert len(result.records) == 8
    assert any("skipped 1 perturbed" in n for n in result.reports[0].notes)


def test_without_scenario_state_grades_still_import(foreign: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(foreign / "helm" / "runs" / RUN_A, run)
    (run / "scenario_state.json").unlink()
    result = import_helm(run, ImportOptions(model="renamed"))
    assert {r.model for r in result.records} == {"renamed"}
    assert sum(r.outcome is Outcome.CORRECT for r in result.records) == 4
    assert all(r.response is None for r in result.records)


def test_not_a_run_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a HELM run folder"):
        import_helm(tmp_path)


def test_broken_per_instance_stats_names_the_file(foreign: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(foreign / "helm" / "runs" / RUN_A, run)
    text = (run / "per_instance_stats.json").read_text()
    (run / "per_instance_stats.json").write_text(text[: len(text) // 2])
    with pytest.raises(InputError) as info:
        import_helm(run)
    assert info.value.path == str(run / "per_instance_stats.json")
    assert "truncated" in str(info.value)


@pytest.mark.parametrize(
    ("name", "scenario"),
    [
        (
            "mmlu:subject=anatomy,method=multiple_choice_joint,model=openai_gpt-4",
            "mmlu:subject=anatomy,method=multiple_choice_joint",
        ),
        ("gpqa:subset=gpqa_main,model=a_b,model_deployment=x_y", "gpqa:subset=gpqa_main"),
        ("simple1:model=simple_model1", "simple1"),
        ("ifeval", "ifeval"),
    ],
)
def test_scenario_name_drops_the_model(name: str, scenario: str) -> None:
    assert scenario_name(name) == scenario

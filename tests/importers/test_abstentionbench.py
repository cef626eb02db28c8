"""AbstentionBench stage files (fixture follows its code; see the fixture's README)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from halluc.errors import InputError
from halluc.importers import import_path
from halluc.importers.abstentionbench import import_abstentionbench
from halluc.log.outcomes import Outcome

LLAMA = "SelfAwareDataset_Llama3_1_8B_Instruct/2025-06-01_12-00-00"
QWEN = "SelfAwareDataset_Qwen2_5_32B_Instruct/2025-06-01_12-00-00"


def test_folder_reads_the_latest_stage_and_keeps_the_judges_labels(foreign: Path) -> None:
    folder = foreign / "abstentionbench" / LLAMA
    result = import_abstentionbench(folder)
    report = result.reports[0]
    assert Path(report.path).name == "LLMJudgeCorrectnessEvaluator.json"
    data = json.loads(Path(report.path).read_text())["responses"]
    assert len(result.records) == len(data) == 8
    for rec, resp in zip(result.records, data, strict=True):
        assert rec.model == "Llama3_1_8B_Instruct"
        assert rec.metadata["question"] == resp["prompt"]["question"]
        qid = resp["prompt"]["metadata"]["SelfAware_question_id"]
        assert rec.item_id == f"abstentionbench/SelfAwareDataset/{qid}"
        if resp["is_abstention"] is True:
            assert rec.outcome is Outcome.ABSTAINED
        elif resp["is_response_correct"] is not None:
            assert rec.outcome is (
                Outcome.CORRECT if resp["is_response_correct"] else Outcome.INCORRECT
            )
        elif resp["prompt"]["should_abstain"]:
            # answered a question that has no answer
            assert rec.outcome is Outcome.INCORRECT
    assert report.counts == {"correct": 2, "incorrect": 4, "abstained": 2, "error": 0}
    assert any("undecided" in n for n in report.notes)


def test_pre_detection_stage_is_graded_by_halluc(foreign: Path) -> None:
    result = import_abstentionbench(foreign / "abstentionbench" / QWEN)
    report = result.reports[0]
    assert Path(report.path).name == "DirectAbstention.json"
    by_response = {r.response: r.outcome for r in result.records}
    assert by_response["I cannot answer that."] is Outcome.ABSTAINED
    assert by_response["Cane Corso"] is Outcome.CORRECT
    assert by_response["Robert Lisp invented it in 1723."] is Outcome.INCORRECT
    assert report.counts == {"correct": 3, "incorrect": 2, "abstained": 3, "error": 0}
    assert any("precedes abstention detection" in n for n in report.notes)


def test_both_models_share_item_ids(foreign: Path) -> None:
    result = import_path(foreign / "abstentionbench")
    ids = {}
    for rec in result.records:
        ids.setdefault(rec.model, set()).add(rec.item_id)
    assert ids["Llama3_1_8B_Instruct"] == ids["Qwen2_5_32B_Instruct"]


def test_not_a_stage_file(tmp_path: Path) -> None:
    path = tmp_path / "DirectAbstention.json"
    path.write_text(json.dumps({"responses": [{"no_prompt": 1}]}))
    with pytest.raises(InputError, match="not an AbstentionBench stage file"):
        import_abstentionbench(path)

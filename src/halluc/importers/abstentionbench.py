"""AbstentionBench (facebookresearch/AbstentionBench) stage files.

Each stage of its pipeline saves the whole response set as ``{"responses": [...]}`` (pydantic
``model_dump(mode="json")``) under the stage's class name, in a run folder
``<Dataset>_<Model>/<date>/`` that also holds ``config.json`` (``model_name``,
``dataset_name``): ``InferencePipeline.json`` (``prompt``, ``response``), ``DirectAbstention.json``
(adds ``response_or_abstention``), the abstention detector's file (e.g.
``LLMJudgeAbstentionDetector.json``; adds ``is_abstention``, ``None`` when the judge could not
decide, and ``full_judge_response``), ``GroundTruthAbstentionEvaluator.json``
(``is_abstention_correct``) and ``LLMJudgeCorrectnessEvaluator.json``
(``is_response_correct``). ``prompt`` is ``{question, reference_answers, should_abstain,
metadata}``.

Mapping: an abstention (the judge's, or halluc's detection where the stage has no judge label)
-> abstained; otherwise ``is_response_correct`` when the correctness judge ran; otherwise a
question that should be abstained on has no right answer -> incorrect; otherwise halluc grades
the answer against ``reference_answers``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from halluc.errors import InputError
from halluc.importers.base import (
    IMPORTED_MODE,
    ImportOptions,
    ImportReport,
    ImportResult,
    base_metadata,
    item_id,
    read_json_file,
)
from halluc.importers.resolve import HALLUC_GRADER, OutcomeResolver, SourceGrade
from halluc.log.outcomes import Outcome
from halluc.log.records import Record

FORMAT = "abstentionbench"
STAGES = (
    "LLMJudgeCorrectnessEvaluator.json",
    "GroundTruthAbstentionEvaluator.json",
    "LLMJudgeAbstentionDetector.json",
    "ContainsAbstentionKeywordAbstentionDetector.json",
    "DirectAbstention.json",
    "InferencePipeline.json",
)
"""Stage files from the most processed to the least: a folder is read from the first found."""


def looks_like_stage(data: object) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("responses"), list):
        return False
    first = data["responses"][0] if data["responses"] else {}
    return isinstance(first, dict) and isinstance(first.get("prompt"), dict)


def stage_file(folder: Path) -> Path | None:
    for name in STAGES:
        if (folder / name).is_file():
            return folder / name
    detectors = sorted(folder.glob("*AbstentionDetector.json"))
    return detectors[0] if detectors else None


def _names(path: Path) -> tuple[str | None, str | None]:
    """(model, dataset) from config.json beside the file, else ``<Dataset>_<Model>/<date>``."""
    cfg_path = path.parent / "config.json"
    if cfg_path.is_file():
        cfg = read_json_file(cfg_path, "AbstentionBench config")
        if isinstance(cfg, dict):
            model, dataset = cfg.get("model_name"), cfg.get("dataset_name")
            if isinstance(model, str) or isinstance(dataset, str):
                return (
                    model if isinstance(model, str) else None,
                    dataset if isinstance(dataset, str) else None,
                )
    run_dir = path.parent.parent.name
    if "_" in run_dir:
        dataset, model = run_dir.split("_", 1)
        return model, dataset
    return None, None


def _source_id(prompt: dict[str, Any], index: int) -> object:
    md = prompt.get("metadata")
    if isinstance(md, dict):
        for key, value in md.items():
            if key.lower().endswith(("question_id", "_id")) and isinstance(value, str | int):
                return value
    return index


def import_abstentionbench(path: str | Path, options: ImportOptions | None = None) -> ImportResult:
    """Import one AbstentionBench stage file, or the latest stage file of a run folder."""
    opts = options or ImportOptions()
    p = Path(path)
    if p.is_dir():
        found = stage_file(p)
        if found is None:
            raise InputError(
                f"no AbstentionBench stage file here (looked for {', '.join(STAGES)})", path=p
            )
        p = found
    data = read_json_file(p, "AbstentionBench responses")
    if not looks_like_stage(data):
        raise InputError(
            "not an AbstentionBench stage file ({'responses': [{'prompt': ...}, ...]})", path=p
        )
    file_model, dataset = _names(p)
    model = opts.model or file_model or "unknown"
    task = opts.task or (f"abstentionbench/{dataset}" if dataset else "abstentionbench")
    report = ImportReport(path=str(p), format=FORMAT, task=task)
    stage = p.stem
    report.grade_source = f"{FORMAT}:{stage}"
    resolver = OutcomeResolver(report, report.grade_source, detect=opts.detect_abstention)
    judge_ran = stage not in ("InferencePipeline", "DirectAbstention")
    undecided = 0
    records: list[Record] = []
    seen: dict[str, int] = {}
    for i, resp in enumerate(data["responses"]):
        where = f"{p} (responses[{i}])"
        if not isinstance(resp, dict) or not isinstance(resp.get("prompt"), dict):
            raise InputError(
                "each response needs a 'prompt' object", path=p, field=f"responses[{i}]"
            )
        prompt = resp["prompt"]
        question = prompt.get("question")
        refs = prompt.get("reference_answers")
        answers = [str(a) for a in refs] if isinstance(refs, list) else None
        should_abstain = prompt.get("should_abstain")
        text = resp.get("response_or_abstention", resp.get("response"))
        response = text if isinstance(text, str) else None
        is_abstention = resp.get("is_abstention")
        is_correct = resp.get("is_response_correct")
        if judge_ran and is_abstention is None:
            undecided += 1
        sid = _source_id(prompt, i)
        iid = item_id(task, sid)
        if iid in seen:
            sid = i
            iid = item_id(task, i)
        seen[iid] = i
        error: str | None = None
        if is_abstention is True:
            outcome, grader = Outcome.ABSTAINED, f"{report.grade_source}:judge"
        else:
            abstained = False
            if is_abstention is None and response is not None and opts.detect_abstention:
                verdict = resolver.abstention(response)
                if verdict == "abstained":
                    abstained = True
                elif verdict != "answered":
                    error = "abstention undetermined by the source's judge and by halluc"
            if abstained:
                report.graded_by_halluc += 1
                outcome, grader = Outcome.ABSTAINED, f"{HALLUC_GRADER}.abstention"
            elif error is not None:
                report.add_unmapped(where, error)
                outcome, grader = Outcome.ERROR, HALLUC_GRADER
            elif isinstance(is_correct, bool):
                outcome = Outcome.CORRECT if is_correct else Outcome.INCORRECT
                grader = f"{report.grade_source}:correctness-judge"
            elif should_abstain is True:
                # Nothing to answer: an answer to an unanswerable question is an error of fact.
                outcome, grader = Outcome.INCORRECT, f"{report.grade_source}:should_abstain"
            else:
                outcome, grader, error = resolver.resolve(
                    SourceGrade.NONE, response, answers, where
                )
        records.append(
            Record(
                item_id=iid,
                model=model,
                outcome=outcome,
                target=None,
                mode=IMPORTED_MODE,
                response=response,
                grader=grader,
                grader_version=OutcomeResolver.version(grader),
                error=error,
                metadata=base_metadata(
                    source=FORMAT,
                    task=task,
                    source_id=sid,
                    source_grade={
                        "is_abstention": is_abstention,
                        "is_response_correct": is_correct,
                        "should_abstain": should_abstain,
                    },
                    question=question if isinstance(question, str) else None,
                    answers=answers,
                    extra={"stage": stage, "dataset": dataset},
                ),
            )
        )
    if not judge_ran:
        report.notes.append(
            f"stage {stage!r} precedes abstention detection: abstentions detected by halluc"
        )
    elif undecided:
        report.notes.append(
            f"the source's abstention judge left {undecided} item(s) undecided: halluc's "
            "abstention detection decided them"
        )
    report.count(records)
    return ImportResult(records=records, reports=[report])


__all__ = ["FORMAT", "STAGES", "import_abstentionbench", "looks_like_stage", "stage_file"]

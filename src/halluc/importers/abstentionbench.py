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
    HALLUC_GRADER,
    ImportOptions,
    ImportResult,
    ImportSource,
    item_id,
    read_json_file,
)
from halluc.importers.resolve import OutcomeResolver, SourceGrade
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


def _outcome(
    resp: dict[str, Any],
    response: str | None,
    answers: list[str] | None,
    resolver: OutcomeResolver,
    where: str,
    detect: bool,
) -> tuple[Outcome, str, str | None]:
    """``(outcome, grader, error)`` of one response, by the rules in the module docstring."""
    source = resolver.source_grader
    is_abstention, is_correct = resp.get("is_abstention"), resp.get("is_response_correct")
    if is_abstention is True:
        return Outcome.ABSTAINED, f"{source}:judge", None
    if is_abstention is None and response is not None and detect:
        verdict = resolver.abstention(response)
        if verdict == "abstained":
            resolver.report.graded_by_halluc += 1
            return Outcome.ABSTAINED, f"{HALLUC_GRADER}.abstention", None
        if verdict != "answered":
            error = "abstention undetermined by the source's judge and by halluc"
            resolver.report.add_unmapped(where, error)
            return Outcome.ERROR, HALLUC_GRADER, error
    if isinstance(is_correct, bool):
        outcome = Outcome.CORRECT if is_correct else Outcome.INCORRECT
        return outcome, f"{source}:correctness-judge", None
    if resp["prompt"].get("should_abstain") is True:
        # Nothing to answer: an answer to an unanswerable question is an error of fact.
        return Outcome.INCORRECT, f"{source}:should_abstain", None
    return resolver.resolve(SourceGrade.NONE, response, answers, where)


def _stage_data(path: Path) -> tuple[Path, dict[str, Any]]:
    """The stage file (the latest one of a run folder) and its parsed responses."""
    if path.is_dir():
        found = stage_file(path)
        if found is None:
            raise InputError(
                f"no AbstentionBench stage file here (looked for {', '.join(STAGES)})", path=path
            )
        path = found
    data = read_json_file(path, "AbstentionBench responses")
    if not looks_like_stage(data):
        raise InputError(
            "not an AbstentionBench stage file ({'responses': [{'prompt': ...}, ...]})",
            path=path,
        )
    return path, data


def import_abstentionbench(path: str | Path, options: ImportOptions | None = None) -> ImportResult:
    """Import one AbstentionBench stage file, or the latest stage file of a run folder."""
    opts = options or ImportOptions()
    p, data = _stage_data(Path(path))
    file_model, dataset = _names(p)
    task = opts.task or (f"abstentionbench/{dataset}" if dataset else "abstentionbench")
    source = ImportSource(FORMAT, task, opts.model or file_model or "unknown")
    stage = p.stem
    report = source.report(p, grade_source=f"{FORMAT}:{stage}")
    resolver = OutcomeResolver(report, f"{FORMAT}:{stage}", detect=opts.detect_abstention)
    judge_ran = stage not in ("InferencePipeline", "DirectAbstention")
    records: list[Record] = []
    seen: set[str] = set()
    for i, resp in enumerate(data["responses"]):
        if not isinstance(resp, dict) or not isinstance(resp.get("prompt"), dict):
            raise InputError(
                "each response needs a 'prompt' object", path=p, field=f"responses[{i}]"
            )
        prompt = resp["prompt"]
        refs = prompt.get("reference_answers")
        answers = [str(a) for a in refs] if isinstance(refs, list) else None
        text = resp.get("response_or_abstention", resp.get("response"))
        response = text if isinstance(text, str) else None
        sid = _source_id(prompt, i)
        if item_id(task, sid) in seen:
            sid = i
        seen.add(item_id(task, sid))
        where = f"{p} (responses[{i}])"
        outcome, grader, error = _outcome(
            resp, response, answers, resolver, where, opts.detect_abstention
        )
        question = prompt.get("question")
        records.append(
            source.record(
                sid,
                outcome,
                grader,
                response=response,
                error=error,
                source_grade={
                    "is_abstention": resp.get("is_abstention"),
                    "is_response_correct": resp.get("is_response_correct"),
                    "should_abstain": prompt.get("should_abstain"),
                },
                question=question if isinstance(question, str) else None,
                answers=answers,
                extra={"stage": stage, "dataset": dataset},
            )
        )
    undecided = sum(1 for r in data["responses"] if r.get("is_abstention") is None)
    if not judge_ran:
        report.notes.append(
            f"stage {stage!r} precedes abstention detection: abstentions detected by halluc"
        )
    elif undecided:
        report.notes.append(
            f"the source's abstention judge left {undecided} item(s) undecided: halluc's "
            "abstention detection decided them"
        )
    return report.result(records)


__all__ = ["FORMAT", "STAGES", "import_abstentionbench", "looks_like_stage", "stage_file"]

"""HELM run folders (``benchmark_output/runs/<suite>/<run name>/``).

``Runner.run_one`` writes ``run_spec.json`` (the model in ``adapter_spec.model``),
``scenario_state.json`` (``request_states``: each instance with its references and tags, the
request, and the result's completions), ``per_instance_stats.json`` (a list of
``PerInstanceStats``: ``instance_id``, ``train_trial_index``, optional ``perturbation``, and
``stats``, each a ``Stat`` with ``name`` = ``{name, split, perturbation?}``, ``count``, ``sum``,
``mean``, ...) and ``stats.json`` (the same stats aggregated). For generation runs
``BasicGenerationMetric`` adds a per-instance ``max_prob`` (the probability of the top
completion), which becomes the record's confidence.

The grade is the first binary per-instance stat among :data:`GRADE_STATS` (or ``metric=``).
Perturbed instances (robustness, fairness) are skipped and counted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from halluc.errors import InputError
from halluc.importers.base import (
    ImportOptions,
    ImportReport,
    ImportResult,
    ImportSource,
    read_json_file,
)
from halluc.importers.resolve import OutcomeResolver, SourceGrade
from halluc.log.records import Record

FORMAT = "helm"
PER_INSTANCE = "per_instance_stats.json"
SCENARIO_STATE = "scenario_state.json"
RUN_SPEC = "run_spec.json"
STATS = "stats.json"
GRADE_STATS = (
    "exact_match",
    "quasi_exact_match",
    "prefix_exact_match",
    "quasi_prefix_exact_match",
    "math_equiv_chain_of_thought",
    "math_equiv",
    "chain_of_thought_correctness",
    "final_number_exact_match",
    "exact_set_match",
    "exact_match_indicator",
    "ifeval_strict_accuracy",
)
CORRECT_TAG = "correct"
_MODEL_ARG = re.compile(r"(?:^|,)(?:model|model_deployment)=[^,]*")


def is_run_folder(path: Path) -> bool:
    return path.is_dir() and (path / PER_INSTANCE).is_file()


def scenario_name(run_name: str) -> str:
    """The run name without its model: ``mmlu:subject=anatomy,model=x`` -> ``mmlu:subject=anatomy``.

    Runs of the same scenario for different models then share item ids.
    """
    if ":" not in run_name:
        return run_name
    head, args = run_name.split(":", 1)
    rest = _MODEL_ARG.sub("", args).strip(",")
    return f"{head}:{rest}" if rest else head


def _stat_value(stat: Mapping[str, Any]) -> float | None:
    mean = stat.get("mean")
    if isinstance(mean, int | float) and not isinstance(mean, bool):
        return float(mean)
    count, total = stat.get("count"), stat.get("sum")
    if isinstance(count, int | float) and count and isinstance(total, int | float):
        return float(total) / float(count)
    return None


def _instance_stats(entry: Mapping[str, Any]) -> dict[str, tuple[float | None, str | None]]:
    out: dict[str, tuple[float | None, str | None]] = {}
    for stat in entry.get("stats") or []:
        if not isinstance(stat, dict):
            continue
        name = stat.get("name") or {}
        if not isinstance(name, dict) or name.get("perturbation"):
            continue
        key = name.get("name")
        if isinstance(key, str):
            out[key] = (_stat_value(stat), name.get("split"))
    return out


def _aggregate(stats: object, metric: str, split: str | None) -> float | None:
    if not isinstance(stats, list):
        return None
    for stat in stats:
        if not isinstance(stat, dict):
            continue
        name = stat.get("name") or {}
        if (
            isinstance(name, dict)
            and name.get("name") == metric
            and not name.get("perturbation")
            and (split is None or name.get("split") == split)
            and not name.get("sub_split")
        ):
            return _stat_value(stat)
    return None


def _request_index(state: object) -> dict[tuple[str, int], dict[str, Any]]:
    """(instance id, train trial) -> the generation request state (no perturbation)."""
    index: dict[tuple[str, int], dict[str, Any]] = {}
    if not isinstance(state, dict):
        return index
    for rs in state.get("request_states") or []:
        if not isinstance(rs, dict):
            continue
        inst = rs.get("instance") or {}
        if not isinstance(inst, dict) or inst.get("perturbation"):
            continue
        if rs.get("reference_index") is not None:
            continue  # one request per reference (multiple_choice_separate): no free answer
        iid = inst.get("id")
        if iid is None:
            continue
        index.setdefault((str(iid), int(rs.get("train_trial_index") or 0)), rs)
    return index


def _response(rs: Mapping[str, Any]) -> tuple[str | None, list[str], bool]:
    result = rs.get("result") or {}
    if not isinstance(result, dict):
        return None, [], False
    success = bool(result.get("success", True))
    comps = [c for c in result.get("completions") or [] if isinstance(c, dict)]
    # HELM grades the completion with the highest log-probability.
    comps.sort(key=lambda c: -float(c.get("logprob") or 0.0))
    texts = [str(c.get("text", "")) for c in comps]
    return (texts[0] if texts else None), texts[1:], success


def _answers(rs: Mapping[str, Any]) -> tuple[str | None, list[str]]:
    inst = rs.get("instance")
    if not isinstance(inst, dict):
        return None, []
    question = None
    inp = inst.get("input") or {}
    if isinstance(inp, dict) and isinstance(inp.get("text"), str):
        question = inp["text"]
    golds: list[str] = []
    for ref in inst.get("references") or []:
        if isinstance(ref, dict) and CORRECT_TAG in (ref.get("tags") or []):
            out = ref.get("output") or {}
            if isinstance(out, dict) and isinstance(out.get("text"), str):
                golds.append(out["text"])
    mapping = rs.get("output_mapping")
    if isinstance(mapping, dict):
        # Multiple choice (joint): the model answers with a letter that maps to a choice.
        golds += [str(k) for k, v in mapping.items() if v in golds]
    return question, golds


Entry = tuple[int, dict[str, Any], dict[str, tuple[float | None, str | None]]]
"""(index in per_instance_stats.json, the entry, its stats by name: (value, split))."""


def _read_run(run: Path) -> tuple[list[Any], dict[str, Any], dict[str, Any] | None, object]:
    """per-instance stats, run spec, scenario state (or None) and aggregate stats of a run."""
    if not is_run_folder(run):
        raise InputError(f"not a HELM run folder (no {PER_INSTANCE})", path=run)
    per_instance = read_json_file(run / PER_INSTANCE, "HELM per-instance stats")
    if not isinstance(per_instance, list):
        raise InputError("must be a JSON list of per-instance stats", path=run / PER_INSTANCE)

    def optional(name: str, what: str) -> Any:
        return read_json_file(run / name, what) if (run / name).is_file() else None

    spec = optional(RUN_SPEC, "HELM run spec")
    state = optional(SCENARIO_STATE, "HELM scenario state")
    stats = optional(STATS, "HELM stats")
    return per_instance, spec if isinstance(spec, dict) else {}, state, stats


def _entries(per_instance: list[Any], run: Path, report: ImportReport) -> list[Entry]:
    """Unperturbed entries (perturbed ones are counted in a note)."""
    entries: list[Entry] = []
    perturbed = 0
    for i, entry in enumerate(per_instance):
        if not isinstance(entry, dict) or "instance_id" not in entry:
            raise InputError(
                "each per-instance entry needs an instance_id",
                path=run / PER_INSTANCE,
                field=f"[{i}]",
            )
        if entry.get("perturbation"):
            perturbed += 1
            continue
        entries.append((i, entry, _instance_stats(entry)))
    if perturbed:
        report.notes.append(f"skipped {perturbed} perturbed instances (robustness/fairness)")
    return entries


def _split(
    entries: list[Entry], wanted: str | None, report: ImportReport
) -> tuple[list[Entry], str | None]:
    """The entries of one split: ``wanted``, else 'test' when present, else all."""
    splits = {s for _, _, st in entries for _, s in st.values() if s}
    split = wanted or ("test" if "test" in splits else None)
    if split is None:
        return entries, None
    kept = [e for e in entries if any(s == split for _, s in e[2].values())]
    if len(kept) < len(entries):
        others = ", ".join(sorted(splits - {split}))
        report.notes.append(
            f"imported split {split!r}; skipped {len(entries) - len(kept)} instances of {others}"
        )
    return kept, split


def _metric(entries: list[Entry], wanted: str | None, run: Path) -> str | None:
    """The stat taken as the grade: ``wanted``, else the first binary one of GRADE_STATS."""
    if wanted is not None:
        if not any(wanted in st for _, _, st in entries):
            raise InputError(
                f"metric {wanted!r} not in the per-instance stats",
                path=run / PER_INSTANCE,
                field="metric",
            )
        return wanted
    for name in GRADE_STATS:
        values = [st[name][0] for _, _, st in entries if name in st]
        if values and all(v in (0.0, 1.0) for v in values):
            return name
    return None


def _grade(value: float | None, metric: str | None, success: bool) -> SourceGrade | None:
    """The source's grade of one instance; None when its value is not 0/1."""
    if not success:
        return SourceGrade.ERROR
    if metric is None:
        return SourceGrade.NONE
    if value in (0.0, 1.0):
        return SourceGrade.CORRECT if value == 1.0 else SourceGrade.INCORRECT
    return None


def import_helm(path: str | Path, options: ImportOptions | None = None) -> ImportResult:
    """Import one HELM run folder (the folder that holds ``per_instance_stats.json``)."""
    opts = options or ImportOptions()
    run = Path(path)
    per_instance, spec, state, stats = _read_run(run)
    adapter = spec.get("adapter_spec") or (state or {}).get("adapter_spec") or {}
    model = opts.model or adapter.get("model") or adapter.get("model_deployment") or run.name
    task = opts.task or scenario_name(str(spec.get("name") or run.name))
    source = ImportSource(FORMAT, task, str(model))
    report = source.report(run)
    if state is None:
        report.notes.append(f"no {SCENARIO_STATE}: no responses, questions or gold answers")
    entries, split = _split(_entries(per_instance, run, report), opts.split, report)
    metric = _metric(entries, opts.metric, run)
    if metric is None:
        report.notes.append(f"no binary stat among {', '.join(GRADE_STATS)}: graded by halluc")
    report.grade_source = f"{FORMAT}:{metric}" if metric else FORMAT
    agg = _aggregate(stats, metric, split) if metric is not None else None
    if agg is not None:
        report.source_accuracy = agg
        report.source_accuracy_name = f"HELM {metric} ({split or 'all splits'})"
    trials = {int(e.get("train_trial_index") or 0) for _, e, _ in entries}
    requests = _request_index(state)
    resolver = OutcomeResolver(report, report.grade_source, detect=opts.detect_abstention)
    records: list[Record] = []
    for i, entry, st in entries:
        sid = str(entry["instance_id"])
        trial = int(entry.get("train_trial_index") or 0)
        where = f"{run / PER_INSTANCE}[{i}] (instance {sid})"
        rs = requests.get((sid, trial))
        response, others, success = _response(rs) if rs else (None, [], True)
        question, golds = _answers(rs) if rs else (None, [])
        value = st.get(metric, (None, None))[0] if metric else None
        grade = _grade(value, metric, success)
        if grade is None:
            report.add_unmapped(where, f"{metric} = {value!r} is not 0/1")
        outcome, grader, error = resolver.resolve(grade or SourceGrade.NONE, response, golds, where)
        if not success:
            error = str((rs or {}).get("result", {}).get("error") or "request failed")
        confidence = st.get("max_prob", (None, None))[0]
        records.append(
            source.record(
                sid,
                outcome,
                grader,
                item_key=sid if len(trials) == 1 else f"{sid}@trial{trial}",
                response=response,
                samples=others,
                confidence=confidence,
                confidence_method="helm:max_prob" if confidence is not None else None,
                error=error,
                source_grade=value,
                question=question,
                answers=golds if rs else None,
                extra={"train_trial_index": trial, "split": split},
            )
        )
    return report.result(records)


__all__ = ["FORMAT", "import_helm", "is_run_folder", "scenario_name"]

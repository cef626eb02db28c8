"""lm-evaluation-harness per-sample logs: ``samples_<task>_<date>.jsonl`` (``--log_samples``).

Each line is one (document, filter) pair as ``EvaluationTracker.save_results_samples`` writes
it (lm_eval 0.4): ``doc_id``, ``doc``, ``target`` (``str()`` of the task's target, so a list of
aliases arrives as its Python repr), ``arguments`` (``gen_args_<i>`` -> ``arg_<j>``), ``resps``
and ``filtered_resps`` (leaves turned into strings), ``filter``, ``metrics`` (names) and one
key per metric with its value. The aggregate ``results_<date>.json`` beside it (same date) gives
the model name, the task's ``output_type`` and the harness's own number for each metric.

Only generation tasks (``output_type: generate_until``) can be re-scored: in a log-likelihood
task (``multiple_choice``, ``loglikelihood``) the model scores fixed choices and has no way to
say "I don't know".
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path
from typing import Any

from halluc.errors import InputError
from halluc.importers.base import (
    ImportOptions,
    ImportReport,
    ImportResult,
    ImportSource,
    read_json_file,
    read_json_lines,
)
from halluc.importers.resolve import OutcomeResolver, SourceGrade
from halluc.log.outcomes import Outcome
from halluc.log.records import Record

FORMAT = "lm-eval"
SAMPLES_RE = re.compile(r"^samples_(?P<task>.+)_(?P<date>\d{4}-\d{2}-\d{2}T[\d\-.]+)\.jsonl$")
REQUIRED_KEYS = ("doc_id", "resps", "filtered_resps", "arguments")
QUESTION_KEYS = ("question", "problem", "query", "Question", "input", "prompt", "text")
HALLUC_METRICS = ("halluc_correct", "halluc_incorrect", "halluc_abstained", "halluc_error")
"""Per-document indicators written by halluc's own lm-eval metric (halluc.integrations)."""


def looks_like_samples(path: Path, first: dict[str, Any] | None = None) -> bool:
    if SAMPLES_RE.match(path.name):
        return True
    return first is not None and all(k in first for k in REQUIRED_KEYS)


def split_name(path: Path) -> tuple[str | None, str | None]:
    m = SAMPLES_RE.match(path.name)
    if m is None:
        return None, None
    return m.group("task"), m.group("date")


def find_results_file(path: Path, date: str | None) -> Path | None:
    if date is not None:
        candidate = path.with_name(f"results_{date}.json")
        if candidate.is_file():
            return candidate
    return None


def parse_target(target: object) -> list[str]:
    """The gold answers: a list repr (``"['Paris', 'paris']"``) becomes its elements."""
    if isinstance(target, list):
        return [str(t) for t in target]
    return list(_parse_target_text(str(target)))


@functools.lru_cache(maxsize=65536)
def _parse_target_text(text: str) -> tuple[str, ...]:
    # Memoised: every model of a task repeats the same targets, and literal_eval is slow.
    stripped = text.strip()
    if len(stripped) >= 2 and stripped[0] == "[" and stripped[-1] == "]":
        try:
            value = ast.literal_eval(stripped)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return (text,)
        if isinstance(value, list | tuple):
            return tuple(str(v) for v in value)
    return (text,)


def task_type_from_arguments(args: object) -> str | None:
    """Infer the request type from a sanitized ``arguments`` object."""
    if not isinstance(args, dict) or not args:
        return None
    first = args.get("gen_args_0")
    if not isinstance(first, dict):
        return None
    second = first.get("arg_1")
    if isinstance(second, dict):
        return "generate_until"
    if isinstance(second, str):
        return "multiple_choice" if len(args) > 1 else "loglikelihood"
    if len(first) == 1:
        return "loglikelihood_rolling"
    return None


def _binary(value: object) -> bool | None:
    """True/False for a 0/1 metric value, ``None`` for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip() in ("0", "1", "0.0", "1.0", "True", "False"):
        return value.strip() in ("1", "1.0", "True")
    return None


def _first_text(value: object) -> str | None:
    while isinstance(value, list | tuple) and value:
        value = value[0]
    if isinstance(value, str):
        return value
    return None


def _all_texts(value: object) -> list[str]:
    if isinstance(value, list | tuple) and value and isinstance(value[0], list | tuple):
        value = value[0]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return [value] if isinstance(value, str) else []


def _question(doc: object) -> str | None:
    if isinstance(doc, dict):
        for key in QUESTION_KEYS:
            value = doc.get(key)
            if isinstance(value, str) and value.strip():
                return value
    return None


def _results_info(results: dict[str, Any] | None, task: str) -> dict[str, Any]:
    info: dict[str, Any] = {}
    if not results:
        return info
    configs = results.get("configs") or {}
    cfg = configs.get(task) if isinstance(configs, dict) else None
    if isinstance(cfg, dict):
        info["output_type"] = cfg.get("output_type")
    res = (results.get("results") or {}).get(task)
    if isinstance(res, dict):
        info["metrics"] = res
    for key in ("model_name", "model_name_sanitized"):
        if isinstance(results.get(key), str) and results[key]:
            info.setdefault("model", results[key])
    return info


Row = tuple[int, dict[str, Any]]
"""(line, sample) of a samples file."""


def _read_samples(p: Path) -> list[Row]:
    rows: list[Row] = []
    for line_no, value in read_json_lines(p, "lm-eval samples"):
        if not isinstance(value, dict):
            raise InputError("each line must be a JSON object", path=p, line=line_no)
        missing = [k for k in REQUIRED_KEYS if k not in value]
        if missing:
            raise InputError(
                f"not an lm-evaluation-harness sample (missing {', '.join(missing)})",
                path=p,
                line=line_no,
                field=missing[0],
            )
        rows.append((line_no, value))
    if not rows:
        raise InputError("no samples in file", path=p, line=1)
    return rows


def _check_generation(rows: list[Row], declared: object, task: str, p: Path) -> None:
    """Only generation tasks can say "I don't know" (the results file or the first line's
    request arguments say which kind a task is)."""
    line_no, row = rows[0]
    kind = declared or task_type_from_arguments(row["arguments"])
    if kind != "generate_until":
        raise InputError(
            f"task {task!r} is a {kind or 'non-generation'} task, not generate_until: the "
            "model scores fixed choices by log-likelihood and cannot answer \"I don't "
            'know", so confidence targets do not apply; re-run a generative variant of '
            "the task",
            path=p,
            line=line_no,
            field="arguments",
        )


def _filter_rows(rows: list[Row], wanted: str | None, p: Path) -> tuple[str, list[str], list[Row]]:
    """The filter to import (``wanted``, else the file's first), every filter of the file, and
    the rows of the chosen one."""
    filters = list(dict.fromkeys(str(r.get("filter", "none")) for _, r in rows))
    chosen = wanted or filters[0]
    if chosen not in filters:
        raise InputError(
            f"filter {chosen!r} not in file (filters: {', '.join(filters)})",
            path=p,
            field="filter",
        )
    return chosen, filters, [(ln, r) for ln, r in rows if str(r.get("filter", "none")) == chosen]


def _grade_metric(rows: list[Row], wanted: str | None, p: Path) -> str | None:
    """The per-sample metric taken as the grade: ``halluc`` for halluc's own metric, else
    ``wanted``, else the first metric that is 0/1 on every row, else None (halluc grades)."""
    first = rows[0][1]
    names = [str(m) for m in first.get("metrics") or []]
    if wanted is None and all(m in first for m in HALLUC_METRICS):
        return "halluc"
    if wanted is not None:
        if wanted not in first:
            raise InputError(
                f"metric {wanted!r} not in the samples (metrics: {', '.join(names)})",
                path=p,
                line=rows[0][0],
                field="metric",
            )
        return wanted
    return next((n for n in names if all(_binary(r.get(n)) is not None for _, r in rows)), None)


class _RowGrader:
    """Grades the rows of one samples file under its grade metric, counting into the report."""

    def __init__(
        self, report: ImportReport, metric: str | None, chosen_filter: str, detect: bool
    ) -> None:
        self.metric = metric
        if metric is None:
            source = FORMAT
        elif metric == "halluc":
            source = f"{FORMAT}:halluc"
        else:
            source = f"{FORMAT}:{metric},{chosen_filter}"
        report.grade_source = source
        self.resolver = OutcomeResolver(report, source, detect=detect)

    def grade(
        self, row: dict[str, Any], response: str | None, answers: list[str], where: str
    ) -> tuple[Outcome, str, str | None, object]:
        """``(outcome, grader, error, the source's grade)`` of one row."""
        resolver, metric = self.resolver, self.metric
        if metric == "halluc":
            source_grade: object = {m: row.get(m) for m in HALLUC_METRICS}
            if _binary(row.get("halluc_correct")):
                grade = SourceGrade.CORRECT
            elif _binary(row.get("halluc_abstained")):
                grade = SourceGrade.ABSTAINED
            elif _binary(row.get("halluc_error")):
                grade = SourceGrade.ERROR
            else:
                # halluc's own metric already separated abstentions: never reclassify.
                return Outcome.INCORRECT, resolver.source_grader, None, source_grade
            return (*resolver.resolve(grade, response, answers, where), source_grade)
        if metric is not None:
            value = row.get(metric)
            ok = _binary(value)
            if ok is None:
                resolver.report.add_unmapped(where, f"{metric} = {value!r} is not 0/1")
                grade = SourceGrade.NONE
            else:
                grade = SourceGrade.CORRECT if ok else SourceGrade.INCORRECT
            return (*resolver.resolve(grade, response, answers, where), value)
        names = [str(m) for m in row.get("metrics") or []]
        filtered = _first_text(row.get("filtered_resps"))
        graded = filtered if filtered is not None else response
        outcome, grader, error = resolver.resolve(SourceGrade.NONE, graded, answers, where)
        return outcome, grader, error, {m: row.get(m) for m in names}


def _source_number(
    report: ImportReport, info: dict[str, Any], metric: str | None, filt: str
) -> None:
    """The harness's own aggregate of the grade metric, to compare halluc's t = 0 with."""
    if metric is None:
        return
    key = f"halluc_correct,{filt}" if metric == "halluc" else f"{metric},{filt}"
    agg = info.get("metrics", {}).get(key)
    if isinstance(agg, int | float) and not isinstance(agg, bool):
        report.source_accuracy = float(agg)
        report.source_accuracy_name = f"lm-eval {key}"


def _notes(
    report: ImportReport,
    chosen: str,
    filters: list[str],
    metric: str | None,
    rows: list[Row],
    has_results: bool,
) -> None:
    if len(filters) > 1:
        others = ", ".join(f for f in filters if f != chosen)
        report.notes.append(f"imported filter {chosen!r}; also in the file: {others}")
    if not has_results:
        report.notes.append(
            "no results_<date>.json beside the samples file: model name from the folder, "
            "task type from the request arguments, no source aggregate to compare with"
        )
    if metric is None:
        names = [str(m) for m in rows[0][1].get("metrics") or []]
        report.notes.append(
            f"no binary metric among {', '.join(names) or 'none'}: graded by halluc "
            "against the targets"
        )


def import_lm_eval(path: str | Path, options: ImportOptions | None = None) -> ImportResult:
    """Import one ``samples_<task>_<date>.jsonl`` file."""
    opts = options or ImportOptions()
    p = Path(path)
    file_task, date = split_name(p)
    rows = _read_samples(p)
    results_path = find_results_file(p, date)
    results = read_json_file(results_path, "lm-eval results") if results_path else None
    task = opts.task or file_task or p.stem
    info = _results_info(results if isinstance(results, dict) else None, file_task or task)
    _check_generation(rows, info.get("output_type"), task, p)
    chosen, filters, rows = _filter_rows(rows, opts.lm_eval_filter, p)
    source = ImportSource(
        FORMAT, task, opts.model or info.get("model") or p.parent.name or "unknown"
    )
    report = source.report(p)
    metric = _grade_metric(rows, opts.metric, p)
    _notes(report, chosen, filters, metric, rows, results_path is not None)
    grader = _RowGrader(report, metric, chosen, opts.detect_abstention)
    _source_number(report, info, metric, chosen)
    records: list[Record] = []
    seen: dict[object, int] = {}
    for line_no, row in rows:
        doc_id = row["doc_id"]
        if doc_id in seen:
            raise InputError(
                f"doc_id {doc_id} appears twice for filter {chosen!r} (first on line "
                f"{seen[doc_id]})",
                path=p,
                line=line_no,
                field="doc_id",
            )
        seen[doc_id] = line_no
        answers = parse_target(row.get("target", ""))
        raw_responses = _all_texts(row.get("resps"))
        response = raw_responses[0] if raw_responses else None
        outcome, by, error, grade = grader.grade(row, response, answers, f"{p}:{line_no}")
        records.append(
            source.record(
                doc_id,
                outcome,
                by,
                prompt_hash=row.get("prompt_hash"),
                response=response,
                samples=raw_responses[1:],
                error=error,
                source_grade=grade,
                question=_question(row.get("doc")),
                answers=answers,
                extra={
                    "filter": chosen,
                    "filtered_response": _first_text(row.get("filtered_resps")),
                },
            )
        )
    return report.result(records)


__all__ = ["FORMAT", "import_lm_eval", "looks_like_samples", "parse_target"]

"""openai/simple-evals full results: ``<eval>_<model>[_<date>][_DEBUG]_allresults.json``.

``simple_evals.py`` writes, per (eval, model), ``{"score", "metrics", "htmls", "convos",
"metadata"}``: ``convos[i]`` is the i-th example's prompt messages plus the sampled assistant
message, and ``htmls[i]`` its rendering of ``common.HTML_JINJA``, which carries
``<p>Correct Answer: …</p>``, ``<p>Extracted Answer: …</p>`` and ``<p>Score: …</p>``
(autoescaped). Newer versions add ``metadata.example_level_metadata[i]``.

SimpleQA's grader decides A (CORRECT), B (INCORRECT) or C (NOT_ATTEMPTED), but only
``score = is_correct`` reaches the per-example record; where the letter is not in the example
metadata, halluc's abstention detection separates "not attempted" from "incorrect" among the
examples scored False. (CSV files with the letters themselves are read by ``csv_table``.)
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from halluc.errors import InputError
from halluc.importers.base import (
    ImportOptions,
    ImportResult,
    ImportSource,
    read_json_file,
    text_of,
)
from halluc.importers.resolve import OutcomeResolver, SourceGrade
from halluc.log.records import Record

FORMAT = "simple-evals"
SUFFIX = "_allresults"
_DATE = re.compile(r"_\d{8}_\d{6}$")
_P = r"<p>{}:\s*(.*?)</p>"
_CORRECT = re.compile(_P.format("Correct Answer"), re.DOTALL)
_EXTRACTED = re.compile(_P.format("Extracted Answer"), re.DOTALL)
_SCORE = re.compile(_P.format("Score"), re.DOTALL)
_LETTERS = {"A": SourceGrade.CORRECT, "B": SourceGrade.INCORRECT, "C": SourceGrade.ABSTAINED}
_WORDS = {
    "CORRECT": SourceGrade.CORRECT,
    "INCORRECT": SourceGrade.INCORRECT,
    "NOT_ATTEMPTED": SourceGrade.ABSTAINED,
    "NOT ATTEMPTED": SourceGrade.ABSTAINED,
}


def looks_like_allresults(data: object) -> bool:
    return isinstance(data, dict) and "htmls" in data and "convos" in data


def parse_name(path: Path) -> tuple[str | None, str | None]:
    """``simpleqa_gpt-4o_20250101_120000_allresults.json`` -> ("simpleqa", "gpt-4o")."""
    stem = path.stem
    if not stem.endswith(SUFFIX):
        return None, None
    stem = stem[: -len(SUFFIX)]
    if stem.endswith("_DEBUG"):
        stem = stem[: -len("_DEBUG")]
    stem = _DATE.sub("", stem)
    if "_" not in stem:
        return stem, None
    eval_name, model = stem.split("_", 1)
    return eval_name, model


def _html_field(pattern: re.Pattern[str], text: str) -> str | None:
    m = pattern.search(text)
    return None if m is None else html.unescape(m.group(1)).strip()


def _score_grade(score: str | None) -> SourceGrade:
    if score is None or score in ("None", ""):
        return SourceGrade.NONE
    if score in ("True", "1", "1.0"):
        return SourceGrade.CORRECT
    if score in ("False", "0", "0.0"):
        return SourceGrade.INCORRECT
    try:
        value = float(score)
    except ValueError:
        return SourceGrade.NONE
    return SourceGrade.CORRECT if value == 1.0 else SourceGrade.NONE


def _metadata_grade(md: object) -> SourceGrade | None:
    if not isinstance(md, dict):
        return None
    for key in ("grade_letter", "grade"):
        value = md.get(key)
        if isinstance(value, str):
            v = value.strip().upper()
            if v in _LETTERS:
                return _LETTERS[v]
            if v in _WORDS:
                return _WORDS[v]
    if md.get("is_not_attempted") is True:
        return SourceGrade.ABSTAINED
    if md.get("is_correct") is True:
        return SourceGrade.CORRECT
    if md.get("is_incorrect") is True:
        return SourceGrade.INCORRECT
    return None


def _convo_parts(convo: object) -> tuple[str | None, str | None]:
    question = response = None
    if isinstance(convo, list):
        for msg in convo:
            if isinstance(msg, dict) and msg.get("role") == "user" and question is None:
                question = text_of(msg.get("content"))
        for msg in reversed(convo):
            if isinstance(msg, dict) and msg.get("role") == "assistant":
                response = text_of(msg.get("content"))
                break
    return question, response


def import_simple_evals(path: str | Path, options: ImportOptions | None = None) -> ImportResult:
    """Import one simple-evals ``*_allresults.json``."""
    opts = options or ImportOptions()
    p = Path(path)
    data = read_json_file(p, "simple-evals results")
    if not looks_like_allresults(data):
        if isinstance(data, dict) and ("score" in data or "f1_score" in data):
            raise InputError(
                "this is simple-evals' aggregate metrics file; the per-example results are in "
                "the matching *_allresults.json",
                path=p,
            )
        raise InputError("not a simple-evals *_allresults.json (no htmls/convos)", path=p)
    htmls, convos = data["htmls"], data["convos"]
    if not isinstance(htmls, list) or not isinstance(convos, list) or len(htmls) != len(convos):
        raise InputError("htmls and convos must be lists of the same length", path=p, field="htmls")
    md = data.get("metadata")
    example_md: list[Any] = []
    if isinstance(md, dict) and isinstance(md.get("example_level_metadata"), list):
        example_md = md["example_level_metadata"]
    eval_name, file_model = parse_name(p)
    source = ImportSource(
        FORMAT, opts.task or eval_name or p.stem, opts.model or file_model or "unknown"
    )
    report = source.report(p, grade_source=f"{FORMAT}:score")
    if isinstance(data.get("score"), int | float):
        report.source_accuracy = float(data["score"])
        report.source_accuracy_name = "simple-evals score"
    resolver = OutcomeResolver(report, f"{FORMAT}:score", detect=opts.detect_abstention)
    records: list[Record] = []
    for i, (page, convo) in enumerate(zip(htmls, convos, strict=True)):
        where = f"{p} (example {i})"
        text = page if isinstance(page, str) else ""
        gold = _html_field(_CORRECT, text)
        score = _html_field(_SCORE, text)
        question, response = _convo_parts(convo)
        meta = example_md[i] if i < len(example_md) else None
        grade = _metadata_grade(meta) or _score_grade(score)
        if grade is SourceGrade.NONE and score not in (None, "None"):
            report.add_unmapped(where, f"score {score!r} is not a 0/1 grade; graded by halluc")
        answers = [gold] if gold else []
        outcome, grader, error = resolver.resolve(grade, response, answers, where)
        records.append(
            source.record(
                i,
                outcome,
                grader,
                response=response,
                error=error,
                source_grade=score,
                question=question,
                answers=answers or None,
                extra={"extracted_answer": _html_field(_EXTRACTED, text)},
            )
        )
    if not example_md:
        report.notes.append(
            "per-example grades are booleans (the A/B/C letter is not saved): examples scored "
            "False were split into incorrect and abstained by abstention detection"
            if opts.detect_abstention
            else "per-example grades are booleans; abstention detection is off, so "
            "NOT_ATTEMPTED examples count as incorrect"
        )
    return report.result(records)


__all__ = ["FORMAT", "import_simple_evals", "looks_like_allresults", "parse_name"]

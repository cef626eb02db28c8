"""The paper's Table 2 as data: how ten influential benchmarks grade, and whether "I don't know"
earns anything.

Kalai et al. (2025, §4.1, Table 2 and Appendix F) survey the evaluations that dominate
leaderboards (HELM Capabilities, the Open LLM Leaderboard v2, SWE-bench, HLE): nine of ten grade
binarily and give no credit for abstaining, so a model that guesses always scores at least as
well as one that says "I don't know" (Observation 1). Importers attach the matching entry to
results whose task they recognise, so a re-scored table can say what the original scoring was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import orjson
import pandas as pd

from halluc.render.tables import OutputFormat, render_text_table


@dataclass(frozen=True, slots=True)
class Benchmark:
    """One row of Table 2.

    ``binary`` is the paper's "Binary grading" column; ``idk_credit`` its "IDK credit" column
    (``"none"`` or ``"partial"``). ``lm_graded`` marks the paper's asterisk: grading is done by
    language models, so incorrect bluffs may occasionally be scored as correct.
    """

    key: str
    name: str
    scoring_method: str
    binary: bool
    idk_credit: str
    lm_graded: bool = False
    footnote: str | None = None
    sources: tuple[str, ...] = ()
    task_patterns: tuple[str, ...] = ()
    """Regular expressions (case-insensitive, searched) matching this benchmark's task names in
    lm-evaluation-harness, Inspect, HELM and simple-evals."""
    _compiled: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.idk_credit not in ("none", "partial"):
            raise ValueError(f"idk_credit must be 'none' or 'partial', got {self.idk_credit!r}")
        compiled = tuple(re.compile(p, re.IGNORECASE) for p in self.task_patterns)
        object.__setattr__(self, "_compiled", compiled)

    @property
    def rewards_guessing(self) -> bool:
        """Observation 1: binary grading without IDK credit makes abstaining never optimal."""
        return self.binary and self.idk_credit == "none"

    def matches(self, task: str) -> bool:
        return any(p.search(task) for p in self._compiled)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "scoring_method": self.scoring_method,
            "binary_grading": self.binary,
            "idk_credit": self.idk_credit,
            "lm_graded": self.lm_graded,
            "footnote": self.footnote,
            "sources": list(self.sources),
        }


HELM_CAPABILITIES = "HELM Capabilities"
OPEN_LLM_LEADERBOARD = "Open LLM Leaderboard v2"

# A task-name boundary: start, end, or one of the separators harnesses use in task names.
_B = r"(?:^|[\s_:/.,=-])"
_E = r"(?:$|[\s_:/.,=-])"

BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(
        "gpqa",
        "GPQA",
        "Multiple-choice accuracy",
        binary=True,
        idk_credit="none",
        sources=(HELM_CAPABILITIES, OPEN_LLM_LEADERBOARD),
        task_patterns=(_B + r"gpqa",),
    ),
    Benchmark(
        "mmlu_pro",
        "MMLU-Pro",
        "Multiple-choice accuracy",
        binary=True,
        idk_credit="none",
        sources=(HELM_CAPABILITIES, OPEN_LLM_LEADERBOARD),
        task_patterns=(_B + r"mmlu[_-]?pro" + _E, _B + r"mmlu[_-]?pro"),
    ),
    Benchmark(
        "ifeval",
        "IFEval",
        "Programmatic instruction verification",
        binary=True,
        idk_credit="none",
        footnote="IFEval aggregates several binary rubric sub-scores into a composite score.",
        sources=(HELM_CAPABILITIES, OPEN_LLM_LEADERBOARD),
        task_patterns=(_B + r"if[_-]?eval",),
    ),
    Benchmark(
        "omni_math",
        "Omni-MATH",
        "Equivalence grading",
        binary=True,
        idk_credit="none",
        lm_graded=True,
        sources=(HELM_CAPABILITIES,),
        task_patterns=(_B + r"omni[_-]?math",),
    ),
    Benchmark(
        "wildbench",
        "WildBench",
        "LM-graded rubric",
        binary=False,
        idk_credit="partial",
        lm_graded=True,
        footnote=(
            "The 1-10 rubric suggests IDK may score lower than 'fair' responses with "
            "hallucination (3-4 against 5-6), which reinforces hallucination."
        ),
        sources=(HELM_CAPABILITIES,),
        task_patterns=(_B + r"wild[_-]?bench",),
    ),
    Benchmark(
        "bbh",
        "BBH",
        "Multiple-choice / exact-match",
        binary=True,
        idk_credit="none",
        sources=(OPEN_LLM_LEADERBOARD,),
        task_patterns=(_B + r"bbh" + _E, _B + r"bbh_", r"big[_-]?bench[_-]?hard"),
    ),
    Benchmark(
        "math_l5",
        "MATH (L5 split)",
        "Equivalence grading",
        binary=True,
        idk_credit="none",
        lm_graded=True,
        sources=(OPEN_LLM_LEADERBOARD,),
        task_patterns=(
            _B + r"math(?:_[a-z]+)*[_-]?hard" + _E,
            _B + r"math[_-]?(?:l|lvl|level)[_-]?5" + _E,
            _B + r"math:.*level=5",
        ),
    ),
    Benchmark(
        "musr",
        "MuSR",
        "Multiple-choice accuracy",
        binary=True,
        idk_credit="none",
        sources=(OPEN_LLM_LEADERBOARD,),
        task_patterns=(_B + r"musr",),
    ),
    Benchmark(
        "swe_bench",
        "SWE-bench",
        "Patch passes unit tests",
        binary=True,
        idk_credit="none",
        sources=("SWE-bench",),
        task_patterns=(_B + r"swe[_-]?bench",),
    ),
    Benchmark(
        "hle",
        "HLE",
        "Multiple-choice / equivalence grading",
        binary=True,
        idk_credit="none",
        lm_graded=True,
        sources=("Humanity's Last Exam",),
        task_patterns=(_B + r"hle" + _E, r"humanity'?s?[_ -]?last[_ -]?exam"),
    ),
)

LM_GRADED_NOTE = (
    "Grading is done by language models, so incorrect bluffs may occasionally be scored as correct."
)
SOURCE = "Kalai, Nachum, Vempala, Zhang (2025), 'Why Language Models Hallucinate', Table 2"

_BY_KEY = {b.key: b for b in BENCHMARKS}


def get_benchmark(key: str) -> Benchmark:
    """The entry for ``key`` (e.g. ``"gpqa"``); a helpful error for an unknown key."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown benchmark {key!r} (known: {', '.join(sorted(_BY_KEY))})") from None


def recognise(task: str | None) -> Benchmark | None:
    """The Table 2 benchmark a harness task name belongs to, or ``None``.

    ``"leaderboard_gpqa_diamond"``, ``"gpqa_diamond"`` and ``"gpqa:subset=gpqa_main"`` are all
    GPQA; ``"mmlu"`` is not MMLU-Pro. When several entries match (it does not happen with the
    names harnesses use), the first in table order wins.
    """
    if not task:
        return None
    for bench in BENCHMARKS:
        if bench.matches(task):
            return bench
    return None


def table_rows() -> list[dict[str, Any]]:
    """Table 2 as plain rows (for JSON, CSV and the ``halluc benchmarks`` command)."""
    return [b.as_dict() for b in BENCHMARKS]


def _footnotes() -> list[str]:
    notes = [f"* {LM_GRADED_NOTE}"]
    letters = "abcdefghij"
    i = 0
    for b in BENCHMARKS:
        if b.footnote:
            notes.append(f"{letters[i]}: {b.footnote}")
            i += 1
    return notes


def render_table(fmt: OutputFormat = OutputFormat.TABLE) -> str:
    """Table 2 in the requested output format, with the paper's footnotes."""
    if fmt is OutputFormat.JSON:
        doc = {"source": SOURCE, "benchmarks": table_rows(), "notes": _footnotes()}
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"
    if fmt is OutputFormat.CSV:
        frame = pd.DataFrame(table_rows())
        frame["sources"] = frame["sources"].map("; ".join)
        return frame.to_csv(index=False)
    letters = iter("abcdefghij")
    rows = []
    for b in BENCHMARKS:
        mark = f" ({next(letters)})" if b.footnote else ""
        rows.append(
            [
                b.name,
                b.scoring_method + ("*" if b.lm_graded else ""),
                ("Yes" if b.binary else "No") + (mark if b.binary else ""),
                ("None" if b.idk_credit == "none" else "Partial") + ("" if b.binary else mark),
                ", ".join(b.sources),
            ]
        )
    headers = ["Benchmark", "Scoring method", "Binary grading", "IDK credit", "Leaderboard"]
    out = render_text_table(headers, rows, fmt, title=SOURCE, numeric_from=len(headers))
    n_binary = sum(b.rewards_guessing for b in BENCHMARKS)
    if fmt is OutputFormat.MARKDOWN:
        out += "\n"
    out += "\n".join(_footnotes()) + "\n"
    out += (
        f'{n_binary} of {len(BENCHMARKS)} grade binarily with no credit for "I don\'t know": '
        "under them guessing is never worse than abstaining (Observation 1).\n"
    )
    return out


def resolve_matches(tasks: list[str], fmt: OutputFormat = OutputFormat.TABLE) -> str:
    """Which Table 2 benchmark each task name belongs to."""
    found = [(t, recognise(t)) for t in tasks]
    if fmt is OutputFormat.JSON:
        doc = [{"task": t, "benchmark": None if b is None else b.as_dict()} for t, b in found]
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"
    if fmt is OutputFormat.CSV:
        frame = pd.DataFrame(
            [{"task": t, "benchmark": None if b is None else b.key} for t, b in found]
        )
        return frame.to_csv(index=False)
    rows = [
        [t, "–" if b is None else b.name, "–" if b is None else b.scoring_method] for t, b in found
    ]
    return render_text_table(["task", "benchmark", "scoring method"], rows, fmt, numeric_from=3)


__all__ = [
    "BENCHMARKS",
    "LM_GRADED_NOTE",
    "SOURCE",
    "Benchmark",
    "get_benchmark",
    "recognise",
    "render_table",
    "resolve_matches",
    "table_rows",
]

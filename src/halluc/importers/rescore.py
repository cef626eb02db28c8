"""Re-scoring other harnesses' results: import, group by task, score under confidence targets.

The library behind ``halluc rescore``: :func:`rescore` imports any number of foreign logs
(:mod:`halluc.importers`), scores each task's records with
:func:`halluc.scoring.report.score_report`
(the same table and leaderboard ``halluc score`` prints, with rank flips marked) and keeps the
import reports, so every printed number can be traced to its source and checked against the
source's own accuracy at t = 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

from halluc.data.benchmarks import Benchmark, get_benchmark
from halluc.importers import ImportOptions, ImportReport, import_paths
from halluc.log.records import Record
from halluc.render.tables import OutputFormat, fmt_num, render_text_table
from halluc.scoring.metrics import DEFAULT_TARGETS, MetricSettings
from halluc.scoring.report import ScoreReport, score_report
from halluc.scoring.rules import ScoringRule

NO_TASK = "(no task)"


@dataclass
class RescoreResult:
    records: list[Record]
    imports: list[ImportReport]
    reports: dict[str, ScoreReport] = field(default_factory=dict)
    """One score report per task, in the order tasks were first seen."""

    @property
    def benchmarks(self) -> list[Benchmark]:
        keys = []
        for rep in self.imports:
            if rep.benchmark and rep.benchmark not in keys:
                keys.append(rep.benchmark)
        return [get_benchmark(k) for k in keys]

    def to_dict(self) -> dict[str, Any]:
        return {
            "imports": [r.as_dict() for r in self.imports],
            "benchmarks": [b.as_dict() for b in self.benchmarks],
            "tasks": {task: rep.to_dict() for task, rep in self.reports.items()},
        }

    def render(self, fmt: OutputFormat = OutputFormat.TABLE, width: int | None = None) -> str:
        if fmt is OutputFormat.JSON:
            return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"
        if fmt is OutputFormat.CSV:
            frames = [rep.table.assign(task=task) for task, rep in self.reports.items()]
            if not frames:
                return ""
            return pd.concat(frames, ignore_index=True).to_csv(index=False)
        parts = [self._imports_text(fmt, width)]
        bench = self._benchmarks_text()
        if bench:
            parts.append(bench)
        for task, rep in self.reports.items():
            heading = f"Task: {task}"
            parts.append(f"\n## {heading}\n" if fmt is OutputFormat.MARKDOWN else f"\n{heading}")
            parts.append(rep.render(fmt, width))
        return "\n".join(parts)

    def _imports_text(self, fmt: OutputFormat, width: int | None) -> str:
        headers = [
            "source",
            "format",
            "task",
            "model",
            "n",
            "grade",
            "accuracy (t=0)",
            "source's own",
            "→IDK",
            "unmapped",
        ]
        rows = []
        for r in self.imports:
            match = r.matches_source
            own = fmt_num(r.source_accuracy, 4)
            if match is True:
                own += " ✓"
            elif match is False:
                own += " ✗"
            rows.append(
                [
                    _short(r.path),
                    r.format,
                    str(r.task or "–"),
                    ", ".join(r.models) or "–",
                    str(r.n),
                    str(r.grade_source or "–"),
                    fmt_num(r.accuracy, 4),
                    own,
                    str(r.reclassified_as_abstained + r.graded_by_halluc),
                    str(r.unmapped_total),
                ]
            )
        n = sum(r.n for r in self.imports)
        title = f"Imported {len(self.imports)} source(s), {n} records"
        out = render_text_table(headers, rows, fmt, title=title, numeric_from=4, width=width)
        notes = []
        for r in self.imports:
            for note in r.notes:
                notes.append(f"  {_short(r.path)}: {note}")
            for u in r.unmapped:
                notes.append(f"  unmapped: {u.where}: {u.reason}")
            if r.unmapped_total > len(r.unmapped):
                notes.append(f"  ... and {r.unmapped_total - len(r.unmapped)} more unmapped")
        if notes:
            out += "Notes:\n" + "\n".join(notes) + "\n"
        out += (
            "→IDK: answers the source graded wrong (or did not grade) that halluc found to be "
            "abstentions. ✓: halluc's accuracy at t=0 equals the source's own number.\n"
        )
        return out

    def _benchmarks_text(self) -> str:
        lines = []
        for b in self.benchmarks:
            grading = "binary" if b.binary else "non-binary"
            idk = "no credit for IDK" if b.idk_credit == "none" else "partial credit for IDK"
            line = f"  {b.name}: {b.scoring_method.lower()}, {grading} grading, {idk}"
            if b.rewards_guessing:
                line += ' (guessing is never worse than "I don\'t know")'
            lines.append(line)
        if not lines:
            return ""
        return "Recognised benchmarks (Table 2 of Kalai et al. 2025):\n" + "\n".join(lines) + "\n"


def _short(path: str, keep: int = 60) -> str:
    return path if len(path) <= keep else "…" + path[-(keep - 1) :]


def group_by_task(records: Iterable[Record]) -> dict[str, list[Record]]:
    groups: dict[str, list[Record]] = defaultdict(list)
    for rec in records:
        task = rec.metadata.get("task")
        groups[str(task) if task else NO_TASK].append(rec)
    return dict(groups)


def rescore(
    paths: Sequence[str | Path],
    targets: Sequence[float] = DEFAULT_TARGETS,
    settings: MetricSettings | None = None,
    options: ImportOptions | None = None,
    source_format: str | None = None,
    *,
    rules: Sequence[ScoringRule] | None = None,
) -> RescoreResult:
    """Import ``paths`` and score each task's records under every rule (``rules``, or the
    confidence target of each of ``targets``)."""
    imported = import_paths(paths, options, source_format)
    result = RescoreResult(records=imported.records, imports=imported.reports)
    for task, recs in group_by_task(imported.records).items():
        rep = score_report(recs, targets, settings, rules=rules)
        rep.sources = sorted({r.path for r in imported.reports if (r.task or NO_TASK) == task})
        result.reports[task] = rep
    return result


__all__ = ["NO_TASK", "RescoreResult", "group_by_task", "rescore"]

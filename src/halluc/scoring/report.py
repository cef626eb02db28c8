"""Scoring per-item outcomes under scoring rules: the table, the leaderboard, the rank flips
and the parameters that made them, in one object that renders and saves itself."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from halluc.errors import InputError
from halluc.io.outcome_table import ColumnMap, read_outcome_table
from halluc.log.records import Record
from halluc.render.result_tables import crossings_table, leaderboard_table, score_table
from halluc.render.tables import OutputFormat
from halluc.scoring.crossings import Crossing, fixed_crossings
from halluc.scoring.leaderboard import leaderboard
from halluc.scoring.metrics import DEFAULT_TARGETS, MetricSettings, as_frame, summarize
from halluc.scoring.rules import ScoringRule, as_rules, check_target

Source = str | Path | pd.DataFrame | Iterable[Record]

SCORING = (
    "points per rule: +1 correct, the rule's IDK credit for an abstention, minus its penalty for "
    "a wrong answer; confidence target t: IDK 0, penalty t/(1-t)"
)


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a frame as JSON-ready dicts (missing values as None)."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [{str(k): v for k, v in r.items()} for r in clean.to_dict(orient="records")]


@dataclass
class ScoreReport:
    table: pd.DataFrame
    leaderboard: pd.DataFrame
    targets: tuple[float, ...]
    """The confidence targets among the rules (the t of each), sorted."""
    settings: MetricSettings
    sources: list[str] = field(default_factory=list)
    crossings: list[Crossing] = field(default_factory=list)
    rules: tuple[ScoringRule, ...] = ()

    def parameters(self) -> dict[str, Any]:
        return {
            "targets": list(self.targets),
            "rules": [r.name for r in self.rules],
            "scoring": SCORING,
            **self.settings.as_dict(),
            "sources": self.sources,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "parameters": self.parameters(),
            "table": frame_records(self.table),
            "leaderboard": frame_records(self.leaderboard),
            "crossings": [c.to_dict() for c in self.crossings],
        }

    def render(self, fmt: OutputFormat = OutputFormat.TABLE, width: int | None = None) -> str:
        if fmt is OutputFormat.JSON:
            import orjson

            return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"
        if fmt is OutputFormat.CSV:
            return self.table.to_csv(index=False)
        pol = self.settings.error_policy
        title = f"Scores under each rule (errors: {pol}; always abstain scores the IDK credit)"
        out = score_table(self.table, title).render(fmt, width)
        if len(self.leaderboard) > 1:
            title = "Leaderboard (⇅: rank changed from the previous rule)"
            board = leaderboard_table(self.leaderboard, self.table, title)
            out += "\n" + board.render(fmt, width)
        if self.crossings:
            title = "Rank flips between fixed outcome profiles (exact)"
            out += "\n" + crossings_table(self.crossings, title=title).render(fmt, width)
        return out


def read_sources(
    sources: Source | Sequence[str | Path], columns: ColumnMap | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Outcomes from files, run folders, a frame or records, and the names of the files."""
    if isinstance(sources, str | Path):
        return read_outcome_table(sources, columns), [str(sources)]
    if isinstance(sources, pd.DataFrame):
        return sources, []
    items = list(sources)
    if items and all(isinstance(x, str | Path) for x in items):
        frames = [read_outcome_table(x, columns) for x in items]  # type: ignore[arg-type]
        return pd.concat(frames, ignore_index=True), [str(x) for x in items]
    return as_frame(items), []  # type: ignore[arg-type]


def score_report(
    sources: Source | Sequence[str | Path],
    targets: Sequence[float] = DEFAULT_TARGETS,
    settings: MetricSettings | None = None,
    columns: ColumnMap | None = None,
    *,
    rules: Sequence[ScoringRule] | None = None,
) -> ScoreReport:
    """Read outcomes (files, run folders, a frame or records) and score them under each rule
    (``rules``, or ``confidence_target(t)`` for each of ``targets``)."""
    chosen = as_rules([check_target(t) for t in targets], rules)
    if not chosen:
        raise InputError("no targets or rules given", field="targets")
    s = settings or MetricSettings()
    frame, names = read_sources(sources, columns)
    table = summarize(frame, settings=s, rules=chosen)
    return ScoreReport(
        table=table,
        leaderboard=leaderboard(table),
        targets=tuple(float(r.target) for r in chosen if r.target is not None),
        settings=s,
        sources=names,
        crossings=fixed_crossings(table),
        rules=chosen,
    )


def score(
    sources: Source | Sequence[str | Path],
    targets: Sequence[float] = DEFAULT_TARGETS,
    settings: MetricSettings | None = None,
    columns: ColumnMap | None = None,
    *,
    rules: Sequence[ScoringRule] | None = None,
) -> pd.DataFrame:
    """The score table as a DataFrame: one row per model, mode and rule."""
    return score_report(sources, targets, settings, columns, rules=rules).table


__all__ = ["ScoreReport", "read_sources", "score", "score_report"]

"""Scoring per-item outcomes under confidence targets: the table, the leaderboard, and the
parameters that made them, in one object that renders and saves itself."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from halluc.eval.prompts import format_number
from halluc.io.outcome_table import ColumnMap, read_outcome_table
from halluc.log.outcomes import Mode
from halluc.log.records import Record
from halluc.render.tables import OutputFormat, fmt_interval, fmt_num, render_text_table
from halluc.scoring.leaderboard import crossing_target, leaderboard
from halluc.scoring.metrics import DEFAULT_TARGETS, MetricSettings, as_frame, summarize
from halluc.scoring.rules import check_target

Source = str | Path | pd.DataFrame | Iterable[Record]


@dataclass
class ScoreReport:
    table: pd.DataFrame
    leaderboard: pd.DataFrame
    targets: tuple[float, ...]
    settings: MetricSettings
    sources: list[str] = field(default_factory=list)
    crossings: list[dict[str, Any]] = field(default_factory=list)

    def parameters(self) -> dict[str, Any]:
        return {
            "targets": list(self.targets),
            "scoring": "confidence target: +1 correct, 0 abstained, -t/(1-t) incorrect",
            **self.settings.as_dict(),
            "sources": self.sources,
        }

    def to_dict(self) -> dict[str, Any]:
        def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
            clean = frame.astype(object).where(frame.notna(), None)
            return [{str(k): v for k, v in r.items()} for r in clean.to_dict(orient="records")]

        return {
            "parameters": self.parameters(),
            "table": records(self.table),
            "leaderboard": records(self.leaderboard),
            "crossings": self.crossings,
        }

    def render(self, fmt: OutputFormat = OutputFormat.TABLE, width: int | None = None) -> str:
        if fmt is OutputFormat.JSON:
            import orjson

            return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"
        if fmt is OutputFormat.CSV:
            return self.table.to_csv(index=False)
        return self._render_text(fmt, width)

    def _render_text(self, fmt: OutputFormat, width: int | None) -> str:
        t = self.table
        show_mode = t["mode"].nunique() > 1
        headers = [
            "model",
            *(["mode"] if show_mode else []),
            "t",
            "penalty",
            "n",
            "errors",
            "accuracy",
            "wrong",
            "IDK",
            "acc|answered",
            "F",
            "score [95% CI]",
            "always answer",
        ]
        rows = []
        for _, r in t.iterrows():
            rows.append(
                [
                    str(r["model"]),
                    *([str(r["mode"])] if show_mode else []),
                    format_number(r["target"]),
                    format_number(round(r["penalty"], 3)),
                    str(r["n"]),
                    str(r["error"]),
                    fmt_num(r["accuracy"]),
                    fmt_num(r["error_rate"]),
                    fmt_num(r["abstention_rate"]),
                    fmt_num(r["accuracy_given_attempted"]),
                    fmt_num(r["f_score"]),
                    fmt_interval(r["score"], r["score_lo"], r["score_hi"]),
                    fmt_num(r["always_answer_score"]),
                ]
            )
        pol = self.settings.error_policy
        title = f"Confidence-target scores (errors: {pol}; always abstain scores 0)"
        out = render_text_table(headers, rows, fmt, title=title, numeric_from=1, width=width)
        lb = self.leaderboard
        if len(lb) > 1:
            lb_headers = ["entry", *[f"t={format_number(x)}" for x in self.targets]]
            lb_rows = []
            for _, r in lb.iterrows():
                flips = set(str(r["flips"]).split(",")) if r["flips"] else set()
                cells = [str(r["entry"])]
                for x in self.targets:
                    sc, rk = r.get(f"score@{x:g}"), r.get(f"rank@{x:g}")
                    if sc is None or pd.isna(sc):
                        cells.append("–")
                        continue
                    mark = " ⇅" if f"{x:g}" in flips else ""
                    cells.append(f"{sc:.3f} (#{int(str(rk).split('.')[0])}){mark}")
                lb_rows.append(cells)
            out += "\n" + render_text_table(
                lb_headers,
                lb_rows,
                fmt,
                numeric_from=1,
                width=width,
                title="Leaderboard by penalized score (⇅: rank changed from the previous t)",
            )
        if self.crossings:
            lines = [
                f"  {c['a']} and {c['b']} swap places at t = {c['t']:.3f}" for c in self.crossings
            ]
            out += "\nRank flips between fixed outcome profiles:\n" + "\n".join(lines) + "\n"
        return out


def _crossings(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Exact crossing targets for entries whose outcomes do not depend on t (imported)."""
    fixed = table[table["mode"] == Mode.IMPORTED]
    out = []
    profiles = (
        fixed.groupby("model")[["accuracy", "error_rate"]].first()
        if not fixed.empty
        else pd.DataFrame()
    )
    for a, b in itertools.combinations(profiles.index, 2):
        t = crossing_target(*profiles.loc[a].to_numpy(), *profiles.loc[b].to_numpy())
        if t is not None:
            out.append({"a": str(a), "b": str(b), "t": t})
    return sorted(out, key=lambda c: c["t"])


def score_report(
    sources: Source | Sequence[str | Path],
    targets: Sequence[float] = DEFAULT_TARGETS,
    settings: MetricSettings | None = None,
    columns: ColumnMap | None = None,
) -> ScoreReport:
    """Read outcomes (files, run folders, a frame or records) and score them at each target."""
    tg = tuple(sorted({check_target(t) for t in targets}))
    if not tg:
        raise ValueError("no targets given")
    s = settings or MetricSettings()
    names: list[str] = []
    if isinstance(sources, str | Path):
        frame = read_outcome_table(sources, columns)
        names.append(str(sources))
    elif isinstance(sources, pd.DataFrame):
        frame = sources
    else:
        items = list(sources)
        if items and all(isinstance(x, str | Path) for x in items):
            frames = [read_outcome_table(x, columns) for x in items]  # type: ignore[arg-type]
            names += [str(x) for x in items]
            frame = pd.concat(frames, ignore_index=True)
        else:
            frame = as_frame(items)  # type: ignore[arg-type]
    table = summarize(frame, tg, s)
    return ScoreReport(
        table=table,
        leaderboard=leaderboard(table),
        targets=tg,
        settings=s,
        sources=names,
        crossings=_crossings(table),
    )


def score(
    sources: Source | Sequence[str | Path],
    targets: Sequence[float] = DEFAULT_TARGETS,
    settings: MetricSettings | None = None,
    columns: ColumnMap | None = None,
) -> pd.DataFrame:
    """The confidence-target table as a DataFrame: one row per model, mode and t."""
    return score_report(sources, targets, settings, columns).table


__all__ = ["ScoreReport", "score", "score_report"]

"""What every figure of the report shares: colours per outcome and per entry, the score axis
floor, and turning records (or a run folder) into the frame or table a figure draws."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from halluc.log.outcomes import Outcome
from halluc.log.records import Record
from halluc.scoring.intervals import FloatArray
from halluc.scoring.metrics import DEFAULT_TARGETS, MetricSettings, as_frame, summarize

Data = pd.DataFrame | Iterable[Record] | str | Path

OUTCOME_COLORS: dict[Outcome, str] = {
    Outcome.CORRECT: "#2e7d32",
    Outcome.INCORRECT: "#c62828",
    Outcome.ABSTAINED: "#9e9e9e",
    Outcome.ERROR: "#6a1b9a",
}
OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.CORRECT: "correct",
    Outcome.INCORRECT: "wrong",
    Outcome.ABSTAINED: "abstained (IDK)",
    Outcome.ERROR: "error",
}
_TAB10 = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]
_TAB20_EXTRA = [
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#c7c7c7",
    "#dbdb8d",
    "#9edae5",
]
SCORE_FLOOR = -2.0
"""The score axis stops here; scores far below it (large t, many wrong answers) are in the
tables. Without a floor the t -> 1 tail hides every crossing."""


def entry_colors(entries: Sequence[str]) -> dict[str, str]:
    """A stable colour per entry (in sorted order), the same in every figure."""
    palette = _TAB10 + _TAB20_EXTRA
    return {e: palette[i % len(palette)] for i, e in enumerate(sorted(set(entries)))}


def records_frame(data: Data) -> pd.DataFrame:
    if isinstance(data, str | Path):
        from halluc.report.data import load_report_data

        return load_report_data([data]).frame
    return as_frame(data)


def score_table_of(data: Data, targets: Sequence[float] | None = None) -> pd.DataFrame:
    """A summarize table as given, or computed from records."""
    if isinstance(data, pd.DataFrame) and "accuracy_given_attempted" in data.columns:
        return data
    frame = records_frame(data)
    if targets is None:
        found = sorted(set(frame["target"].dropna().tolist()))
        targets = found or list(DEFAULT_TARGETS)
    return summarize(frame, targets, MetricSettings())


def yerr(v: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """Error-bar lengths from an interval (floored at 0: a Wilson bound can miss the point
    by a rounding error)."""
    out: FloatArray = np.maximum(np.vstack([v - lo, hi - v]), 0.0)
    return out


def legend(ax: Axes, n: int, **kw: Any) -> None:
    if n == 0:
        return
    ncol = 1 if n <= 10 else 2
    ax.legend(fontsize=8 if n <= 10 else 7, ncol=ncol, frameon=False, **kw)


def wrap(text: str, width: int = 40) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


__all__ = [
    "OUTCOME_COLORS",
    "OUTCOME_LABELS",
    "SCORE_FLOOR",
    "Data",
    "entry_colors",
    "legend",
    "records_frame",
    "score_table_of",
    "wrap",
    "yerr",
]

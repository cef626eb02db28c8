"""The report's figures. Each function returns a :class:`matplotlib.figure.Figure` (no pyplot
state is touched, so they are safe in scripts, servers and notebooks).

Every function accepts the precomputed object it draws (curves, a score table, confidence
sets, a census) or, for convenience in a notebook, records, a records frame or a run folder
path, from which it computes that object itself. Shared colours and helpers are in
:mod:`halluc.report.figure_style`; the confidence figures in :mod:`halluc.report.confidence_plots`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from halluc.calibration.audit import FAIL, PASS, audit_table
from halluc.log.outcomes import OUTCOMES
from halluc.render.numbers import format_number
from halluc.report.census import bucket_label, census_frame
from halluc.report.confidence_plots import plot_reliability, plot_risk_coverage
from halluc.report.curves import DEFAULT_T_MAX, ScoreCurve, ScoreCurves, score_curves
from halluc.report.figure_style import (
    OUTCOME_COLORS,
    OUTCOME_LABELS,
    SCORE_FLOOR,
    Data,
    entry_colors,
    legend,
    records_frame,
    score_table_of,
    yerr,
)
from halluc.scoring.crossings import Crossing
from halluc.scoring.intervals import FloatArray
from halluc.scoring.rules import penalty


def _targets_only(table: pd.DataFrame) -> pd.DataFrame:
    """The confidence-target rows of a score table (the audit is a function of t)."""
    return table[table["target"].notna()]


def _draw_curve(ax: Axes, c: ScoreCurve, color: str, t_max: float) -> FloatArray:
    """One entry's curve (dotted between measured targets) with its measured intervals;
    returns the values drawn, for the axis range."""
    if c.kind == "measured":
        ax.plot(
            c.measured_t,
            c.measured_score,
            ls=":",
            marker="o",
            ms=4,
            color=color,
            label=f"{c.entry} (measured)",
        )
    else:
        keep = c.t <= t_max + 1e-12
        label = c.entry + (" (policy, all t)" if c.kind == "policy" else "")
        ax.plot(c.t[keep], c.score[keep], color=color, lw=1.8, label=label)
    ok = np.isfinite(c.measured_lo) & np.isfinite(c.measured_hi)
    if ok.any():
        ax.errorbar(
            c.measured_t[ok],
            c.measured_score[ok],
            yerr=yerr(c.measured_score[ok], c.measured_lo[ok], c.measured_hi[ok]),
            fmt="none",
            ecolor=color,
            elinewidth=1,
            capsize=3,
            alpha=0.8,
        )
    vals = np.r_[c.score, c.measured_hi, c.measured_score]
    return np.asarray(vals[np.isfinite(vals)], dtype=np.float64)


def _mark_crossings(ax: Axes, shown: Sequence[Crossing]) -> None:
    """Rank flips as open circles, numbered when there are few."""
    ax.scatter(
        [x.t for x in shown],
        [x.score for x in shown],
        s=46,
        facecolors="white",
        edgecolors="black",
        zorder=5,
        label="rank flip (crossing)",
    )
    if len(shown) <= 15:
        for i, x in enumerate(shown, 1):
            ax.annotate(
                str(i), (x.t, x.score), textcoords="offset points", xytext=(4, 5), fontsize=8
            )


def _score_axes(ax: Axes, t_max: float, lowest: float, highest: float, floor: float) -> None:
    bottom = max(lowest, floor)
    pad = 0.05 * max(highest - bottom, 0.2)
    ax.set_ylim(bottom - pad, highest + pad)
    ax.set_xlim(0.0, t_max)
    ax.set_xlabel("confidence target t (wrong answers cost t/(1−t); IDK scores 0)")
    ax.set_ylabel("penalized score (+1 right, 0 IDK, −t/(1−t) wrong)")
    title = "Score against the confidence target"
    if lowest < floor:
        title += f" (axis stops at {floor:g}; lower scores are in the tables)"
    ax.set_title(title, fontsize=11)
    top = ax.secondary_xaxis("top")
    ticks = [t for t in (0.0, 0.5, 0.75, 0.9) if t <= t_max]
    top.set_xticks(ticks, labels=[format_number(penalty(t)) for t in ticks])
    top.set_xlabel("penalty for a wrong answer", fontsize=9)
    ax.grid(alpha=0.25)


def plot_score_vs_target(
    data: ScoreCurves | Data, *, t_max: float = DEFAULT_T_MAX, floor: float = SCORE_FLOOR
) -> Figure:
    """Penalized score against t from 0 to ``t_max`` for every entry on one plot, with the
    crossing points where ranks flip marked (numbered when there are few)."""
    curves = (
        data if isinstance(data, ScoreCurves) else score_curves(records_frame(data), t_max=t_max)
    )
    colors = entry_colors([c.entry for c in curves.curves])
    n = len(curves.curves)
    fig = Figure(figsize=(11.5 if n > 10 else 10.0 if n > 6 else 8.5, 5.6), layout="constrained")
    ax = fig.add_subplot()
    lowest, highest = 0.0, 0.0
    for c in curves.curves:
        vals = _draw_curve(ax, c, colors[c.entry], curves.t_max)
        if vals.size:
            lowest, highest = min(lowest, float(vals.min())), max(highest, float(vals.max()))
    ax.axhline(0.0, color="black", lw=0.8, ls="--")
    ax.text(0.005, 0.0, " always abstain = 0", va="bottom", ha="left", fontsize=8)
    if curves.crossings:
        _mark_crossings(ax, curves.crossings)
    _score_axes(ax, curves.t_max, lowest, highest, floor)
    legend(ax, n + (1 if curves.crossings else 0), loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig


def plot_outcome_bars(data: pd.DataFrame | Data) -> Figure:
    """Stacked bars of correct / wrong / abstained / error per entry and t (shares of all
    items, errors included), as in the paper's SimpleQA example."""
    table = score_table_of(data)
    modes_per_model = table.groupby("model")["mode"].nunique() if len(table) else None
    rows = table.sort_values(["model", "mode", "target"])
    labels, shares = [], []
    for _, r in rows.iterrows():
        assert modes_per_model is not None
        entry = str(r["model"])
        if int(modes_per_model[r["model"]]) > 1:
            entry += f" [{r['mode']}]"
        rule = f"t={r['target']:g}" if pd.notna(r["target"]) else str(r.get("rule", ""))
        labels.append(f"{entry}  {rule}")
        counts = np.array([r[str(o)] for o in OUTCOMES], dtype=np.float64)
        total = counts.sum()
        shares.append(counts / total if total else counts)
    n = len(labels)
    fig = Figure(figsize=(9.0, max(2.2, 0.32 * n + 1.4)), layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    left = np.zeros(n)
    mat = np.array(shares).reshape(n, len(OUTCOMES))
    for k, o in enumerate(OUTCOMES):
        widths = mat[:, k] if n else np.zeros(0)
        ax.barh(y, widths, left=left, color=OUTCOME_COLORS[o], label=OUTCOME_LABELS[o], height=0.75)
        for yi, w, lft in zip(y, widths, left, strict=True):
            if w >= 0.07:
                ax.text(
                    lft + w / 2,
                    yi,
                    f"{100 * w:.0f}%",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white",
                )
        left = left + widths
    ax.set_yticks(y, labels=labels, fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of items")
    ax.set_title("Outcomes per model and confidence target", fontsize=11)
    ax.legend(ncol=4, fontsize=8, frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.04))
    return fig


def plot_calibration_audit(data: pd.DataFrame | Data) -> Figure:
    """The behavioral-calibration audit: accuracy on answered items against t (with Wilson
    intervals; a behaviorally calibrated model stays above the diagonal), with pass/fail
    marks, and the answer rate against t."""
    audit = (
        data
        if isinstance(data, pd.DataFrame) and "verdict" in data.columns
        else audit_table(_targets_only(score_table_of(data)))
    )
    entries = sorted(audit["entry"].unique().tolist())
    colors = entry_colors(entries)
    fig = Figure(figsize=(11.0, 4.6), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    xs = np.linspace(0, 1, 2)
    ax1.fill_between(xs, 0, xs, color="#c62828", alpha=0.07, lw=0)
    ax1.plot(xs, xs, color="black", lw=0.9, ls="--", label="accuracy = t (the bar)")
    # Entries are nudged apart along t so their intervals do not hide each other.
    step = min(0.012, 0.08 / max(1, len(entries) - 1))
    spread = step * (len(entries) - 1)
    for i, e in enumerate(entries):
        part = audit[audit["entry"] == e].sort_values("target")
        dx = -spread / 2 + step * i
        t = part["target"].to_numpy(dtype=np.float64) + dx
        for ax, col in ((ax1, "accuracy_given_attempted"), (ax2, "answer_rate")):
            v = part[col].to_numpy(dtype=np.float64)
            lo = part[f"{col}_lo"].to_numpy(dtype=np.float64)
            hi = part[f"{col}_hi"].to_numpy(dtype=np.float64)
            ok = np.isfinite(v)
            ax.errorbar(
                t[ok],
                v[ok],
                yerr=yerr(v[ok], lo[ok], hi[ok]),
                color=colors[e],
                marker="o",
                ms=4,
                lw=1,
                capsize=2,
                label=e,
            )
        verdicts = part["verdict"].to_numpy()
        acc = part["accuracy_given_attempted"].to_numpy(dtype=np.float64)
        for mark, verdict, color in (("v", FAIL, "#c62828"), ("^", PASS, "#2e7d32")):
            sel = (verdicts == verdict) & np.isfinite(acc)
            if sel.any():
                ax1.scatter(
                    t[sel],
                    acc[sel] + (0.045 if verdict == PASS else -0.045),
                    marker=mark,
                    color=color,
                    s=18,
                    zorder=6,
                )
    ax1.set_xlim(-0.03, 1.0)
    ax1.set_ylim(0, 1.05)
    ax1.set_xlabel("confidence target t")
    ax1.set_ylabel("accuracy on answered items")
    ax1.set_title("Accuracy when answering (▲ pass, ▼ fail)", fontsize=10)
    ax2.set_xlim(-0.03, 1.0)
    ax2.set_ylim(0, 1.05)
    ax2.set_xlabel("confidence target t")
    ax2.set_ylabel("answer rate (1 − abstention)")
    ax2.set_title("How often it answers", fontsize=10)
    for ax in (ax1, ax2):
        ax.grid(alpha=0.25)
    legend(ax2, len(entries), loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig


def _census(data: dict[str, Any] | pd.DataFrame | str | Path) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, str | Path):
        from halluc.log.jsonl import read_json
        from halluc.report.data import CENSUS, validate_census

        p = Path(data)
        p = p / CENSUS if p.is_dir() else p
        return census_frame(validate_census(read_json(p), p))
    return census_frame(data)


def plot_fact_frequency(data: dict[str, Any] | pd.DataFrame | str | Path) -> Figure:
    """Hallucination (wrong-answer) rate and penalized score by how often the fact appears in
    the corpus, one column of panels per t, one line per model."""
    frame = _census(data)
    if frame.empty:
        fig = Figure(figsize=(6, 2))
        fig.add_subplot().text(0.5, 0.5, "no census rows", ha="center", va="center")
        return fig
    targets = sorted(frame["target"].dropna().unique().tolist()) or [math.nan]
    buckets = frame.drop_duplicates("order").sort_values("order")
    names = [
        bucket_label(lo, hi, b)
        for lo, hi, b in zip(buckets["lo"], buckets["hi"], buckets["bucket"], strict=True)
    ]
    pos = {o: i for i, o in enumerate(buckets["order"])}
    entries = sorted(frame["entry"].unique().tolist())
    colors = entry_colors(entries)
    ncols = len(targets)
    fig = Figure(figsize=(max(6.0, 3.4 * ncols + 1.5), 6.0), layout="constrained")
    axes = np.atleast_2d(fig.subplots(2, ncols, squeeze=False))
    for j, t in enumerate(targets):
        part_t = frame if math.isnan(t) else frame[frame["target"] == t]
        for e in entries:
            part = part_t[part_t["entry"] == e].sort_values("order")
            x = np.array([pos[o] for o in part["order"]])
            axes[0, j].plot(x, part["error_rate"], marker="o", ms=4, color=colors[e], label=e)
            sc = part["score"].to_numpy(dtype=np.float64)
            lo = part["score_lo"].to_numpy(dtype=np.float64)
            hi = part["score_hi"].to_numpy(dtype=np.float64)
            ok = np.isfinite(lo) & np.isfinite(hi)
            axes[1, j].plot(x, sc, marker="o", ms=4, color=colors[e])
            if ok.any():
                axes[1, j].errorbar(
                    x[ok],
                    sc[ok],
                    yerr=yerr(sc[ok], lo[ok], hi[ok]),
                    fmt="none",
                    ecolor=colors[e],
                    capsize=2,
                    lw=0.9,
                )
        axes[0, j].set_title("all t" if math.isnan(t) else f"t = {t:g}", fontsize=10)
        axes[1, j].axhline(0, color="black", lw=0.8, ls="--")
        for i in range(2):
            axes[i, j].set_xticks(range(len(names)), labels=names, fontsize=8)
            axes[i, j].grid(alpha=0.25)
        axes[1, j].set_xlabel("times the fact appears in the corpus")
    axes[0, 0].set_ylabel("wrong-answer (hallucination) rate")
    axes[1, 0].set_ylabel("penalized score")
    legend(axes[0, -1], len(entries), loc="upper right")
    return fig


__all__ = [
    "OUTCOME_COLORS",
    "entry_colors",
    "plot_calibration_audit",
    "plot_fact_frequency",
    "plot_outcome_bars",
    "plot_reliability",
    "plot_risk_coverage",
    "plot_score_vs_target",
]

"""The report's figures. Each function returns a :class:`matplotlib.figure.Figure` (no pyplot
state is touched, so they are safe in scripts, servers and notebooks).

Every function accepts the precomputed object it draws (curves, a summarize table, confidence
sets, a census) or, for convenience in a notebook, records, a records frame or a run folder
path, from which it computes that object itself.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from halluc.calibration.audit import FAIL, PASS, audit_table
from halluc.log.outcomes import OUTCOMES, Outcome
from halluc.log.records import Record
from halluc.report.census import bucket_label, census_frame
from halluc.report.confidence import ConfidenceSet, confidence_sets
from halluc.report.curves import DEFAULT_T_MAX, ScoreCurves, score_curves
from halluc.scoring.intervals import FloatArray
from halluc.scoring.metrics import MetricSettings, as_frame, summarize
from halluc.scoring.rules import penalty

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


def _frame(data: Data) -> pd.DataFrame:
    if isinstance(data, str | Path):
        from halluc.report.data import load_report_data

        return load_report_data([data]).frame
    return as_frame(data)


def _table(data: Data, targets: Sequence[float] | None = None) -> pd.DataFrame:
    """A summarize table as given, or computed from records."""
    if isinstance(data, pd.DataFrame) and "accuracy_given_attempted" in data.columns:
        return data
    frame = _frame(data)
    if targets is None:
        found = sorted(set(frame["target"].dropna().tolist()))
        targets = found or [0.0, 0.5, 0.75, 0.9]
    return summarize(frame, targets, MetricSettings())


def _yerr(v: FloatArray, lo: FloatArray, hi: FloatArray) -> FloatArray:
    """Error-bar lengths from an interval (floored at 0: a Wilson bound can miss the point
    by a rounding error)."""
    out: FloatArray = np.maximum(np.vstack([v - lo, hi - v]), 0.0)
    return out


def _legend(ax: Axes, n: int, **kw: Any) -> None:
    if n == 0:
        return
    ncol = 1 if n <= 10 else 2
    ax.legend(fontsize=8 if n <= 10 else 7, ncol=ncol, frameon=False, **kw)


def _wrap(text: str, width: int = 40) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def plot_score_vs_target(
    data: ScoreCurves | Data, *, t_max: float = DEFAULT_T_MAX, floor: float = SCORE_FLOOR
) -> Figure:
    """Penalized score against t from 0 to ``t_max`` for every entry on one plot, with the
    crossing points where ranks flip marked (numbered when there are few)."""
    curves = data if isinstance(data, ScoreCurves) else score_curves(_frame(data), t_max=t_max)
    entries = [c.entry for c in curves.curves]
    colors = entry_colors(entries)
    n = len(entries)
    fig = Figure(figsize=(11.5 if n > 10 else 10.0 if n > 6 else 8.5, 5.6), layout="constrained")
    ax = fig.add_subplot()
    lowest, highest = 0.0, 0.0
    for c in curves.curves:
        color = colors[c.entry]
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
            keep = c.t <= curves.t_max + 1e-12
            ax.plot(
                c.t[keep],
                c.score[keep],
                color=color,
                lw=1.8,
                label=c.entry + (" (policy, all t)" if c.kind == "policy" else ""),
            )
        ok = np.isfinite(c.measured_lo) & np.isfinite(c.measured_hi)
        if ok.any():
            ax.errorbar(
                c.measured_t[ok],
                c.measured_score[ok],
                yerr=_yerr(c.measured_score[ok], c.measured_lo[ok], c.measured_hi[ok]),
                fmt="none",
                ecolor=color,
                elinewidth=1,
                capsize=3,
                alpha=0.8,
            )
        vals = np.r_[c.score, c.measured_hi, c.measured_score]
        vals = vals[np.isfinite(vals)]
        if vals.size:
            lowest = min(lowest, float(vals.min()))
            highest = max(highest, float(vals.max()))
    ax.axhline(0.0, color="black", lw=0.8, ls="--")
    ax.text(0.005, 0.0, " always abstain = 0", va="bottom", ha="left", fontsize=8)
    shown = curves.crossings
    if shown:
        ts = np.array([x.t for x in shown])
        ss = np.array([x.score for x in shown])
        ax.scatter(
            ts,
            ss,
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
    bottom = max(lowest, floor)
    pad = 0.05 * max(highest - bottom, 0.2)
    ax.set_ylim(bottom - pad, highest + pad)
    ax.set_xlim(0.0, curves.t_max)
    ax.set_xlabel("confidence target t (wrong answers cost t/(1−t); IDK scores 0)")
    ax.set_ylabel("penalized score (+1 right, 0 IDK, −t/(1−t) wrong)")
    title = "Score against the confidence target"
    if lowest < floor:
        title += f" (axis stops at {floor:g}; lower scores are in the tables)"
    ax.set_title(title, fontsize=11)
    top = ax.secondary_xaxis("top")
    ticks = [t for t in (0.0, 0.5, 0.75, 0.9) if t <= curves.t_max]
    top.set_xticks(ticks, labels=[f"{penalty(t):g}" for t in ticks])
    top.set_xlabel("penalty for a wrong answer", fontsize=9)
    ax.grid(alpha=0.25)
    _legend(ax, n + (1 if shown else 0), loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig


def plot_outcome_bars(data: pd.DataFrame | Data) -> Figure:
    """Stacked bars of correct / wrong / abstained / error per entry and t (shares of all
    items, errors included), as in the paper's SimpleQA example."""
    table = _table(data)
    modes_per_model = table.groupby("model")["mode"].nunique() if len(table) else None
    rows = table.sort_values(["model", "mode", "target"])
    labels, shares = [], []
    for _, r in rows.iterrows():
        assert modes_per_model is not None
        entry = str(r["model"])
        if int(modes_per_model[r["model"]]) > 1:
            entry += f" [{r['mode']}]"
        labels.append(f"{entry}  t={r['target']:g}")
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
        else (audit_table(_table(data)))
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
                yerr=_yerr(v[ok], lo[ok], hi[ok]),
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
    _legend(ax2, len(entries), loc="center left", bbox_to_anchor=(1.01, 0.5))
    return fig


def _sets(data: Sequence[ConfidenceSet] | Data, n_bins: int) -> list[ConfidenceSet]:
    if isinstance(data, list | tuple) and all(isinstance(x, ConfidenceSet) for x in data):
        return [x for x in data if isinstance(x, ConfidenceSet)]
    if isinstance(data, pd.DataFrame | str | Path):
        return confidence_sets(_frame(data), n_bins)
    return confidence_sets(as_frame(x for x in data if isinstance(x, Record)), n_bins)


def plot_reliability(data: Sequence[ConfidenceSet] | Data, *, n_bins: int = 10) -> Figure:
    """Reliability diagrams, one panel per model and confidence method: accuracy against mean
    confidence in equal-width bins (circles, with Wilson intervals) and equal-mass bins
    (squares), the diagonal of perfect calibration, and the bin sizes underneath."""
    sets = [s for s in _sets(data, n_bins) if s.is_probability]
    n = max(1, len(sets))
    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(3.6 * ncols + 0.4, 3.5 * nrows + 0.3), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax in axes[len(sets) :]:
        ax.set_axis_off()
    if not sets:
        axes[0].text(0.5, 0.5, "no confidences in [0, 1] recorded", ha="center", va="center")
        return fig
    for ax, s in zip(axes, sets, strict=False):
        assert s.width is not None and s.mass is not None and s.summary is not None
        ax.plot([0, 1], [0, 1], color="black", lw=0.8, ls="--")
        w = s.width
        total = max(1, w.n)
        ax.bar(
            (w.lo + w.hi) / 2,
            w.count / total * 0.3,
            width=(w.hi - w.lo) * 0.9,
            color="#90a4ae",
            alpha=0.45,
            label="share of answers",
        )
        for curve, marker, ls, label in (
            (w, "o", "-", "equal-width"),
            (s.mass, "s", ":", "equal-mass"),
        ):
            ok = curve.count > 0
            acc = curve.accuracy[ok]
            ax.errorbar(
                curve.mean_confidence[ok],
                acc,
                yerr=_yerr(acc, curve.accuracy_lo[ok], curve.accuracy_hi[ok])
                if marker == "o"
                else None,
                marker=marker,
                ms=4,
                ls=ls,
                lw=1.1,
                capsize=2,
                label=label,
                color="#1565c0" if marker == "o" else "#ef6c00",
            )
        summ = s.summary
        ax.text(
            0.03,
            0.97,
            f"ECE {summ.ece_width:.3f} (width) / {summ.ece_mass:.3f} (mass)\n"
            f"Brier {summ.brier:.3f} · AURC {summ.aurc:.3f} · n = {summ.n}",
            transform=ax.transAxes,
            va="top",
            fontsize=7.5,
        )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_title(_wrap(s.label, 44), fontsize=9)
        ax.set_xlabel("confidence", fontsize=8)
        ax.set_ylabel("accuracy", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.2)
    axes[0].legend(fontsize=7, frameon=False, loc="lower right")
    return fig


def plot_risk_coverage(data: Sequence[ConfidenceSet] | Data, *, n_bins: int = 10) -> Figure:
    """Risk (share of wrong answers) against coverage (share of answers kept, most confident
    first), one panel per confidence method and one line per model, with AURC in the legend."""
    sets = _sets(data, n_bins)
    methods = sorted({s.method for s in sets}) or ["—"]
    colors = entry_colors([s.entry for s in sets])
    ncols = min(2, len(methods))
    nrows = math.ceil(len(methods) / ncols)
    fig = Figure(figsize=(6.2 * ncols, 4.2 * nrows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    for ax in axes[len(methods) :]:
        ax.set_axis_off()
    for ax, method in zip(axes, methods, strict=False):
        chosen = [s for s in sets if s.method == method]
        for s in chosen:
            rc = s.risk
            if rc.n == 0:
                continue
            ax.plot(
                np.r_[0.0, rc.coverage],
                np.r_[rc.risk[0], rc.risk],
                color=colors[s.entry],
                lw=1.4,
                label=f"{s.entry} (AURC {s.aurc:.3f})",
            )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("coverage (share of answers kept)")
        ax.set_ylabel("risk (share wrong among kept)")
        ax.set_title(f"Risk–coverage · {method}", fontsize=10)
        ax.grid(alpha=0.25)
        _legend(ax, len(chosen), loc="upper left")
        if not chosen:
            ax.text(0.5, 0.5, "no confidences recorded", ha="center", va="center")
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
                    yerr=_yerr(sc[ok], lo[ok], hi[ok]),
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
    _legend(axes[0, -1], len(entries), loc="upper right")
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

"""The report's confidence figures: reliability diagrams and risk–coverage curves, per model
and confidence method (the numbers come from :mod:`halluc.report.confidence`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from halluc.log.records import Record
from halluc.report.confidence import ConfidenceSet, confidence_sets
from halluc.report.figure_style import Data, entry_colors, legend, records_frame, wrap, yerr
from halluc.scoring.metrics import as_frame


def _sets(data: Sequence[ConfidenceSet] | Data, n_bins: int) -> list[ConfidenceSet]:
    if isinstance(data, list | tuple) and all(isinstance(x, ConfidenceSet) for x in data):
        return [x for x in data if isinstance(x, ConfidenceSet)]
    if isinstance(data, pd.DataFrame | str | Path):
        return confidence_sets(records_frame(data), n_bins)
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
                yerr=yerr(acc, curve.accuracy_lo[ok], curve.accuracy_hi[ok])
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
        ax.set_title(wrap(s.label, 44), fontsize=9)
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
        legend(ax, len(chosen), loc="upper left")
        if not chosen:
            ax.text(0.5, 0.5, "no confidences recorded", ha="center", va="center")
    return fig


__all__ = ["plot_reliability", "plot_risk_coverage"]

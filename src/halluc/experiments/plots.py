"""PNG plots of the simulations (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from halluc.experiments.train import smoothed

if TYPE_CHECKING:
    from halluc.experiments.incentives_stats import GraderRow
    from halluc.experiments.measurement import Measurement
    from halluc.experiments.sweep_result import SweepRow


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


CALIBRATED = "calibrated algorithm on this world"
TRAIN_MIX = "trained model: err on the training prompt mix"


def _finish(plt: Any, fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_err_vs_sr(rows: Sequence[SweepRow], path: Path, title: str) -> Path:
    """err of each model against its world's sr, with the Theorem 2 band and references."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 5.5), dpi=120)
    main = sorted((r for r in rows if r.role == "main"), key=lambda r: r.sr)
    poor = [r for r in rows if r.role == "poor"]
    if main:
        sr = np.array([r.sr for r in main])
        ax.fill_between(
            sr,
            np.clip([r.lower for r in main], 0, 1),
            np.clip([r.upper for r in main], 0, 1),
            color="tab:blue",
            alpha=0.12,
            label="Theorem 2 band at this N (99%)",
        )
        lines = (
            ("upper_no_slack", "--", "tab:blue", 1, "sr − sr/365 (band as N → ∞)"),
            ("calibrated_reference_err", ":", "tab:green", 1.5, CALIBRATED),
        )
        for key, ls, color, lw, label in lines:
            ax.plot(sr, [getattr(r, key) for r in main], ls=ls, color=color, lw=lw, label=label)
        points = (
            ("err", "tab:red", "o", None, "trained model: err"),
            ("err_on_training_mix", "tab:orange", "s", 18, TRAIN_MIX),
        )
        for key, color, marker, size, label in points:
            ys = [getattr(r, key) for r in main]
            ax.scatter(sr, ys, color=color, marker=marker, s=size, zorder=3, label=label)
    if poor:
        ax.scatter(
            [r.sr for r in poor],
            [r.err for r in poor],
            color="black",
            marker="x",
            s=60,
            zorder=4,
            label="poor (too small) model: err",
        )
    ax.plot([0, 1], [0, 1], color="grey", lw=0.6, ls="-.", label="err = sr")
    ax.set_xlim(0, max(0.7, max((r.sr for r in rows), default=0) + 0.05))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("singleton rate sr of the training corpus")
    ax.set_ylabel("error rate err = p̂(wrong date or nonsense), weighted by μ")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3)
    return _finish(plt, fig, path)


def plot_buckets(measurements: Sequence[tuple[str, Measurement]], path: Path, title: str) -> Path:
    """Error mass by how often the fact was stated, one bar group per model."""
    plt = _pyplot()
    if not measurements:
        raise ValueError("nothing to plot")
    labels = [b.bucket for b in measurements[0][1].buckets]
    x = np.arange(len(labels))
    width = 0.8 / len(measurements)
    fig, ax = plt.subplots(figsize=(8.5, 5), dpi=120)
    for i, (name, m) in enumerate(measurements):
        pos = x + i * width - 0.4 + width / 2
        ax.bar(pos, [b.err for b in m.buckets], width, label=name)
        ax.scatter(
            pos,
            [b.uniform_guess_err for b in m.buckets],
            marker="_",
            s=max(20, 400 * width),
            color="black",
            zorder=3,
            label="364/365 × (1 − IDK): a uniform guess" if i == 0 else None,
        )
    ax.set_xticks(x, [f"{lab}" for lab in labels])
    ax.set_xlabel("times the birthday was stated in training")
    ax.set_ylabel("error mass (μ-weighted within the group)")
    ax.set_ylim(0, 1.3)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, ncol=3, loc="upper center")
    ax.grid(axis="y", alpha=0.3)
    return _finish(plt, fig, path)


def plot_losses(curves: Sequence[tuple[str, Sequence[float]]], path: Path, title: str) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=120)
    for name, losses in curves:
        ys = smoothed(list(losses), max(1, len(losses) // 100))
        ax.plot(np.arange(len(ys)), ys, lw=1, label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("training cross-entropy (nats/token)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    return _finish(plt, fig, path)


def plot_incentives(
    table: Sequence[GraderRow], path: Path, title: str, groups: Sequence[str]
) -> Path:
    """IDK rate and error rate by grader and fact frequency, with intervals over seeds."""
    plt = _pyplot()
    graders = list(dict.fromkeys(r.grader for r in table))
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.5), dpi=120, sharey=True)
    for ax, metric, label in zip(
        axes, ("idk", "err"), ("IDK rate (abstention)", "error rate"), strict=True
    ):
        width = 0.8 / max(1, len(graders))
        for i, g in enumerate(graders):
            means, lows, highs = [], [], []
            for grp in groups:
                row = next(r for r in table if r.grader == g and r.group == grp)
                cell = row.cells[metric]
                means.append(cell.mean)
                lows.append(cell.mean - cell.lo)
                highs.append(cell.hi - cell.mean)
            pos = np.arange(len(groups)) + i * width - 0.4 + width / 2
            ax.bar(pos, means, width, yerr=[lows, highs], capsize=3, label=g)
        ax.set_xticks(np.arange(len(groups)), list(groups))
        ax.set_xlabel("times the birthday was stated in training (held-out people)")
        ax.set_title(label, fontsize=10)
        ax.set_ylim(0, 1.05)
        ax.grid(axis="y", alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    return _finish(plt, fig, path)

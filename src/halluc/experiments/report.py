"""Tables and saved outputs of the simulations (Markdown, terminal, JSON, PNG)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from halluc.render.tables import OutputFormat, fmt_num, render_text_table

if TYPE_CHECKING:
    from halluc.experiments.sweep import SweepConfig, SweepResult
    from halluc.log.runs import RunFolder

SWEEP_HEADERS = (
    "world",
    "model",
    "N",
    "sr",
    "MM",
    "err",
    "T2 lower",
    "T2 upper",
    "calib. alg.",
    "err (train mix)",
    "acc",
    "IDK",
    "δ",
    "err seen 1× [guess]",
    "err seen 6+×",
    "loss",
    "tok/s",
)


def sweep_rows(rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    out = []
    for r in sorted(rows, key=lambda r: (r["role"] != "main", r["sr_target"], r["seed"])):
        out.append(
            [
                r["world"],
                r["model"] + (" (poor)" if r["role"] == "poor" else ""),
                str(r["N"]),
                fmt_num(r["sr"]),
                fmt_num(r["missing_mass"]),
                fmt_num(r["err"]),
                fmt_num(r["lower"]),
                fmt_num(r["upper"]),
                fmt_num(r["calibrated_reference_err"]),
                fmt_num(r["err_on_training_mix"]),
                fmt_num(r["acc"]),
                fmt_num(r["idk"]),
                fmt_num(r["delta"]),
                f"{fmt_num(r['err_seen_once'])} [{fmt_num(r['uniform_guess_seen_once'])}]",
                fmt_num(r["err_seen_6plus"]),
                fmt_num(r["final_loss"]),
                f"{r['tokens_per_second']:,.0f}",
            ]
        )
    return out


BUCKET_HEADERS = (
    "model",
    "stated",
    "people",
    "μ mass",
    "err",
    "acc",
    "IDK",
    "other",
    "364/365·(1−IDK)",
)


def bucket_rows(measurements: Sequence[tuple[str, dict[str, Any]]]) -> list[list[str]]:
    out = []
    for name, m in measurements:
        for b in m["buckets"]:
            out.append(
                [
                    name,
                    b["bucket"],
                    str(b["people"]),
                    fmt_num(b["mass"]),
                    fmt_num(b["err"]),
                    fmt_num(b["acc"]),
                    fmt_num(b["idk"]),
                    fmt_num(b["other"], 4),
                    fmt_num(b["uniform_guess_err"]),
                ]
            )
    return out


SWEEP_NOTES = (
    "err = μ-weighted mass on wrong dates plus nonsense, over every person of the world "
    "(those never mentioned included), computed exactly over the 365 dates, IDK and the rest.",
    "T2 lower = sr − 2/364 − (35 + 6 ln N)/√N − δ (any algorithm), T2 upper = "
    "sr − sr/365 + 13/√N (the calibrated algorithm), both with probability ≥ 99%; at CPU "
    "sizes the √N slack dominates. 'calib. alg.' is the exact error of Theorem 2's calibrated "
    "algorithm on the same world; MM is the missing mass, which sr estimates (Good–Turing).",
    "err (train mix) weights each person by how often the corpus mentions them (no unseen people).",
    "err seen 1×: error mass on facts stated exactly once, against the uniform-guess level "
    "364/365 × (1 − IDK mass) of the same people.",
)


def sweep_table(rows: Sequence[dict[str, Any]], fmt: OutputFormat, title: str) -> str:
    return render_text_table(
        SWEEP_HEADERS, sweep_rows(rows), fmt, title=title, numeric_from=2, width=260
    )


def write_sweep_outputs(
    run: RunFolder,
    cfg: SweepConfig,
    result: SweepResult,
    measurements: dict[str, dict[str, Any]],
) -> None:
    from halluc.experiments.plots import plot_buckets, plot_err_vs_sr, plot_losses
    from halluc.log.jsonl import read_json

    rows = result.rows
    title = f"halluc simulate sweep ({cfg.preset}): err against singleton rate"
    main_ms = [(n, m) for n, m in measurements.items() if m.get("role") == "main"]
    poor_ms = [(n, m) for n, m in measurements.items() if m.get("role") == "poor"]
    md = [
        f"# {title}\n",
        sweep_table(rows, OutputFormat.MARKDOWN, "err against sr, with Theorem 2's bounds"),
        "",
        *[f"- {n}" for n in SWEEP_NOTES],
        "",
        render_text_table(
            BUCKET_HEADERS,
            bucket_rows(main_ms + poor_ms),
            OutputFormat.MARKDOWN,
            title="By how often the birthday was stated in training",
        ),
        f"\nTotal wall time: {result.seconds:.0f} s.\n",
    ]
    (run.path / "table.md").write_text("\n".join(md), encoding="utf-8")
    plot_err_vs_sr(rows, run.path / "err_vs_sr.png", title)
    shown = main_ms[:: max(1, len(main_ms) // 5)] + poor_ms[:1]
    plot_buckets(shown, run.path / "buckets.png", "Error mass by how often the fact was stated")
    curves = []
    for name in measurements:
        info = read_json(run.path / "models" / name / "train.json")
        curves.append((name, info.get("step_loss", [])))
    plot_losses(curves, run.path / "loss.png", "Training loss")
    run.write_summary(
        {
            "kind": "simulate-sweep",
            "rows": rows,
            "seconds": result.seconds,
            "notes": list(SWEEP_NOTES),
            "files": ["table.md", "err_vs_sr.png", "buckets.png", "loss.png"],
        }
    )


def measurement_table(name: str, m: dict[str, Any], fmt: OutputFormat) -> str:
    head = [
        ["N", str(m["singletons"]["n"])],
        ["singleton rate sr", fmt_num(m["sr"], 4)],
        ["missing mass MM", fmt_num(m["missing_mass"], 4)],
        ["err (μ-weighted)", fmt_num(m["err"], 4)],
        ["  of which nonsense", fmt_num(m["other"], 4)],
        ["acc", fmt_num(m["acc"], 4)],
        ["IDK mass", fmt_num(m["idk"], 4)],
        ["err on the training prompt mix", fmt_num(m["err_on_training_mix"], 4)],
        ["δ (Theorem 1 at 1/364)", fmt_num(m["delta"], 4)],
        ["err_iiv", fmt_num(m["err_iiv"], 4)],
        ["Theorem 1 lower bound", fmt_num(m["theorem1"]["value"], 4)],
        ["Theorem 2 lower bound (99%)", fmt_num(m["theorem2_lower"]["value"], 4)],
        ["Theorem 2 upper bound (99%, calibrated alg.)", fmt_num(m["theorem2_upper"]["value"], 4)],
        ["calibrated algorithm's err on this world", fmt_num(m["calibrated_reference_err"], 4)],
    ]
    a = render_text_table(["quantity", "value"], head, fmt, title=name, numeric_from=1)
    b = render_text_table(
        BUCKET_HEADERS, bucket_rows([(name, m)]), fmt, title="by times stated", numeric_from=2
    )
    return a + "\n" + b


def write_measurement_outputs(folder: Path, name: str, m: dict[str, Any]) -> None:
    from halluc.experiments.plots import plot_buckets

    (folder / "table.md").write_text(
        measurement_table(name, m, OutputFormat.MARKDOWN), encoding="utf-8"
    )
    plot_buckets([(name, m)], folder / "buckets.png", f"{name}: error mass by times stated")

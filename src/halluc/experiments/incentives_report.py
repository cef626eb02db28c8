"""Tables and plots of the incentives experiment."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from halluc.log.runs import RunFolder
from halluc.render.tables import OutputFormat, fmt_interval, fmt_num, render_text_table

HEADERS = (
    "grader",
    "stated",
    "people",
    "IDK rate",
    "error rate",
    "accuracy",
    "greedy IDK",
)

NOTES = (
    "Held-out people (never used in post-training), grouped by how often their birthday was "
    "stated in pre-training. Rates are the policy's exact probabilities, averaged over people; "
    "'greedy IDK' is the share whose most likely answer is IDK. Brackets: 95% t-intervals over "
    "post-training seeds.",
    "Score at t = accuracy − t/(1−t) × error rate (the expected score of the policy).",
)


def _cell(d: dict[str, float]) -> str:
    return fmt_interval(d["mean"], d["lo"], d["hi"])


def table_rows(table: Sequence[dict[str, Any]], base: dict[str, Any]) -> list[list[str]]:
    rows = []
    groups = list(dict.fromkeys(r["group"] for r in table))
    for g in groups:
        b = base.get(g, {})
        if b.get("people"):
            rows.append(
                [
                    "pre-trained",
                    g,
                    str(b["people"]),
                    fmt_num(b["idk"]),
                    fmt_num(b["err"]),
                    fmt_num(b["acc"]),
                    fmt_num(b["greedy_idk"]),
                ]
            )
        for r in (r for r in table if r["group"] == g):
            rows.append(
                [
                    r["grader"],
                    g,
                    str(r["people"]),
                    _cell(r["idk"]),
                    _cell(r["err"]),
                    _cell(r["acc"]),
                    _cell(r["greedy_idk"]),
                ]
            )
    return rows


def score_rows(table: Sequence[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    keys = sorted({k for r in table for k in r if k.startswith("score@")})
    headers = ["grader", "stated", *[k.replace("score@", "score at ") for k in keys]]
    rows = [[r["grader"], r["group"], *[_cell(r[k]) for k in keys]] for r in table]
    return headers, rows


def contrast_rows(contrasts: Sequence[dict[str, Any]]) -> list[list[str]]:
    return [
        [
            f"{c['grader']} − {c['versus']}",
            c["group"],
            fmt_interval(c["idk"]["diff"], c["idk"]["lo"], c["idk"]["hi"]),
            f"{c['idk']['p']:.2g}",
            fmt_interval(c["err"]["diff"], c["err"]["lo"], c["err"]["hi"]),
        ]
        for c in contrasts
    ]


def render(summary: dict[str, Any], fmt: OutputFormat) -> str:
    parts = [
        render_text_table(
            HEADERS,
            table_rows(summary["table"], summary["base"]),
            fmt,
            title="Held-out people: abstention and errors after post-training, by grader",
            numeric_from=2,
        )
    ]
    post = summary.get("posttrain")
    if post:
        parts.append(
            render_text_table(
                HEADERS,
                table_rows(post["table"], post["base"]),
                fmt,
                title="For comparison: the people whose questions were used in post-training",
                numeric_from=2,
            )
        )
    h, rows = score_rows(summary["table"])
    parts.append(
        render_text_table(h, rows, fmt, title="Held-out people: penalized scores", numeric_from=2)
    )
    if summary["contrasts"]:
        parts.append(
            render_text_table(
                ["contrast", "stated", "Δ IDK rate [95% Welch]", "p", "Δ error rate"],
                contrast_rows(summary["contrasts"]),
                fmt,
                title="Confidence targets against binary grading",
                numeric_from=2,
            )
        )
    return "\n".join(parts)


def write_incentive_outputs(run: RunFolder, summary: dict[str, Any], groups: list[str]) -> None:
    from halluc.experiments.plots import plot_incentives

    md = "# halluc simulate incentives\n\n" + render(summary, OutputFormat.MARKDOWN)
    md += "\n" + "\n".join(f"- {n}" for n in NOTES) + "\n"
    md += f"\nTotal wall time: {summary['seconds']:.0f} s.\n"
    (run.path / "table.md").write_text(md, encoding="utf-8")
    plot_incentives(
        summary["table"],
        run.path / "incentives.png",
        "Post-training under binary grading vs confidence targets (held-out people)",
        [g for g in groups if any(r["group"] == g for r in summary["table"])],
    )
    run.write_summary({**summary, "notes": list(NOTES), "files": ["table.md", "incentives.png"]})

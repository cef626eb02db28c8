"""What the incentives experiment found, as a typed result with ``to_dict``/``render``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from halluc.experiments.incentives_stats import (
    Contrast,
    GraderRow,
    GroupTable,
    table_to_dict,
)
from halluc.experiments.posttrain import GROUPS, PostTrainLog
from halluc.experiments.train import TrainingRecord
from halluc.experiments.world import WorldConfig, WorldStats
from halluc.log.runs import RunFolder
from halluc.render.tables import OutputFormat, fmt_num, render_text_table

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


@dataclass(frozen=True)
class IncentivesResult:
    """Each grader's effect on abstention and errors, on held-out and post-training people."""

    base: GroupTable
    """The pre-trained model on the held-out people."""
    table: list[GraderRow]
    contrasts: list[Contrast]
    posttrain_base: GroupTable
    posttrain_table: list[GraderRow]
    training: dict[str, PostTrainLog]
    """Per run (``<grader>-s<seed>``)."""
    heldout_people: int
    posttrain_people: int
    world: WorldConfig
    world_stats: WorldStats
    base_training: TrainingRecord | None
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        base_training = (
            {} if self.base_training is None else self.base_training.to_dict(steps=False)
        )
        return {
            "kind": "simulate-incentives",
            "base": table_to_dict(self.base),
            "table": [r.to_dict() for r in self.table],
            "contrasts": [c.to_dict() for c in self.contrasts],
            "posttrain": {
                "base": table_to_dict(self.posttrain_base),
                "table": [r.to_dict() for r in self.posttrain_table],
            },
            "training": {k: v.to_dict(history=False) for k, v in self.training.items()},
            "heldout_people": self.heldout_people,
            "posttrain_people": self.posttrain_people,
            "world": {"config": self.world.to_dict(), "stats": self.world_stats.to_dict()},
            "base_training": base_training,
            "seconds": self.seconds,
        }

    @property
    def groups(self) -> list[str]:
        """The groups with held-out people, in the order of :data:`GROUPS`."""
        return [g.label for g in GROUPS if any(r.group == g.label for r in self.table)]

    def render(self, fmt: OutputFormat) -> str:
        if fmt is OutputFormat.JSON:
            return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"
        title = "Held-out people: abstention and errors after post-training, by grader"
        parts = [
            render_text_table(
                HEADERS, rate_rows(self.table, self.base), fmt, title=title, numeric_from=2
            ),
            render_text_table(
                HEADERS,
                rate_rows(self.posttrain_table, self.posttrain_base),
                fmt,
                title="For comparison: the people whose questions were used in post-training",
                numeric_from=2,
            ),
        ]
        h, rows = score_rows(self.table)
        parts.append(
            render_text_table(
                h, rows, fmt, title="Held-out people: penalized scores", numeric_from=2
            )
        )
        if self.contrasts:
            parts.append(
                render_text_table(
                    ["contrast", "stated", "Δ IDK rate [95% Welch]", "p", "Δ error rate"],
                    [contrast_cells(c) for c in self.contrasts],
                    fmt,
                    title="Confidence targets against binary grading",
                    numeric_from=2,
                )
            )
        return "\n".join(parts)


def rate_rows(table: Sequence[GraderRow], base: GroupTable) -> list[list[str]]:
    """Per group: the pre-trained model, then each grader."""
    rows = []
    for g in dict.fromkeys(r.group for r in table):
        b = base.get(g)
        if b is not None and b.people:
            rates = [fmt_num(b.idk), fmt_num(b.err), fmt_num(b.acc), fmt_num(b.greedy_idk)]
            rows.append(["pre-trained", g, str(b.people), *rates])
        for r in (r for r in table if r.group == g):
            cells = [r.cells[k].cell() for k in ("idk", "err", "acc", "greedy_idk")]
            rows.append([r.grader, g, str(r.people), *cells])
    return rows


def score_rows(table: Sequence[GraderRow]) -> tuple[list[str], list[list[str]]]:
    keys = sorted({k for r in table for k in r.cells if k.startswith("score@")})
    headers = ["grader", "stated", *[k.replace("score@", "score at ") for k in keys]]
    rows = [[r.grader, r.group, *[r.cells[k].cell() for k in keys]] for r in table]
    return headers, rows


def contrast_cells(c: Contrast) -> list[str]:
    return [f"{c.grader} − {c.versus}", c.group, c.idk.cell(), f"{c.idk.p:.2g}", c.err.cell()]


def write_incentive_outputs(run: RunFolder, result: IncentivesResult) -> None:
    """table.md, incentives.png and summary.json in the run folder."""
    from halluc.experiments.plots import plot_incentives

    md = "# halluc simulate incentives\n\n" + result.render(OutputFormat.MARKDOWN)
    md += "\n" + "\n".join(f"- {n}" for n in NOTES) + "\n"
    md += f"\nTotal wall time: {result.seconds:.0f} s.\n"
    (run.path / "table.md").write_text(md, encoding="utf-8")
    plot_incentives(
        result.table,
        run.path / "incentives.png",
        "Post-training under binary grading vs confidence targets (held-out people)",
        result.groups,
    )
    summary = {**result.to_dict(), "notes": list(NOTES), "files": ["table.md", "incentives.png"]}
    run.write_summary(summary)

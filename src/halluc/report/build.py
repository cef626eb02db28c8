"""Assembling a report: sections of text, tables and figures, in the order people read them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

from matplotlib.figure import Figure

from halluc.calibration.audit import audit_table
from halluc.render.numbers import format_number
from halluc.render.result_tables import (
    audit_tables,
    census_table,
    confidence_metrics_table,
    crossings_table,
    key_value_table,
    leaderboard_table,
    score_table,
)
from halluc.render.tables import Table
from halluc.report.census import census_frame, flat_parameters
from halluc.report.confidence import DEFAULT_BINS, confidence_sets, confidence_table
from halluc.report.curves import score_curves
from halluc.report.data import ReportData
from halluc.report.items import DEFAULT_MAX_CHARS, DEFAULT_MAX_RECORDS, ItemPayload, item_payload
from halluc.report.plots import (
    plot_calibration_audit,
    plot_fact_frequency,
    plot_outcome_bars,
    plot_reliability,
    plot_risk_coverage,
    plot_score_vs_target,
)
from halluc.report.svg import figure_svg


@dataclass
class Block:
    """One piece of a section: a paragraph, a table or a figure (as inline SVG)."""

    kind: str  # "text" | "table" | "figure" | "heading"
    text: str = ""
    table: Table | None = None
    svg: str = ""


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)

    def text(self, s: str) -> None:
        self.blocks.append(Block("text", text=s))

    def heading(self, s: str) -> None:
        self.blocks.append(Block("heading", text=s))

    def add_table(self, t: Table) -> None:
        self.blocks.append(Block("table", table=t))

    def figure(self, make: Callable[[], Figure] | None, label: str) -> None:
        if make is not None:
            self.blocks.append(Block("figure", text=label, svg=figure_svg(make(), label=label)))


@dataclass
class Report:
    title: str
    generated: str
    sections: list[Section]
    items: ItemPayload | None
    parameters: dict[str, Any]


def _runs_section(data: ReportData) -> Section:
    sec = Section("runs", "Runs")
    runs = Table(
        ["run", "models", "modes", "dataset", "targets", "records", "created"], numeric_from=99
    )
    for run in data.runs:
        cfg = run.config
        models = sorted({r.model for r in run.records})
        modes = sorted({r.mode for r in run.records})
        tg = sorted({r.target for r in run.records if r.target is not None})
        dataset = cfg.get("dataset")
        runs.rows.append(
            [
                f"{run.label} ({run.path})",
                ", ".join(models),
                ", ".join(modes),
                "–" if dataset is None else str(dataset),
                ", ".join(format_number(t) for t in tg) or "any t (outcomes fixed)",
                str(len(run.records)),
                str(cfg.get("created", "–")),
            ]
        )
    sec.add_table(runs)
    if data.renamed:
        sec.text(
            "Models that appear in more than one run are shown as 'model @ run': "
            + "; ".join(f"{new} is {old}" for new, old in sorted(data.renamed.items()))
            + "."
        )
    params = data.scores.parameters()
    pairs = [
        (k, ", ".join(map(str, v)) if isinstance(v, list) else str(v))
        for k, v in params.items()
        if k != "sources"
    ]
    sec.heading("How the numbers are made")
    sec.add_table(key_value_table(pairs))
    return sec


def _scores_section(data: ReportData) -> Section:
    sec = Section("scores", "Scores at each confidence target")
    sec.text(
        "Each row scores one model's answers at target t: +1 for a correct answer, 0 for "
        '"I don\'t know", −t/(1−t) for a wrong one (t = 0 is ordinary accuracy). Rates carry '
        "95% Wilson intervals, scores 95% bootstrap intervals. 'Always answer' scores the same "
        "answers with none withheld (its source is named); 'always abstain' scores 0. Errors "
        f"(failed requests, unparseable answers) are reported apart and handled by the policy "
        f"'{data.settings.error_policy}'."
    )
    sec.add_table(score_table(data.table))
    if len(data.scores.leaderboard) > 1:
        sec.heading("Leaderboard by penalized score")
        sec.add_table(leaderboard_table(data.scores.leaderboard, data.table))
    return sec


def _curves_section(data: ReportData, figures: bool) -> Section:
    sec = Section("score-vs-t", "Score against the confidence target")
    curves = score_curves(data.frame, table=data.table, settings=data.settings)
    sec.text(
        "A model that guesses tops binary accuracy (t = 0) and sinks as soon as wrong answers "
        "cost something; one that abstains when unsure keeps its score. Where two lines cross, "
        "their ranks flip."
    )
    sec.figure(
        (lambda: plot_score_vs_target(curves)) if figures else None,
        "Penalized score against t for each model",
    )
    kinds = Table(["entry", "curve", "how it is drawn"], numeric_from=99)
    for c in curves.curves:
        kinds.rows.append([c.entry, c.kind, c.note])
    sec.add_table(kinds)
    if curves.crossings:
        sec.heading("Where ranks flip")
        sec.add_table(crossings_table(curves.crossings))
    else:
        sec.text("No two curves cross between t = 0 and t = 0.95.")
    return sec


def _outcomes_section(data: ReportData, figures: bool) -> Section:
    sec = Section("outcomes", "Outcomes")
    sec.text("Shares of correct, wrong, abstained and error outcomes per model and t.")
    sec.figure(
        (lambda: plot_outcome_bars(data.table)) if figures else None,
        "Stacked outcome shares per model and t",
    )
    return sec


def _audit_section(data: ReportData, figures: bool) -> Section:
    sec = Section("audit", "Behavioral calibration")
    audit = audit_table(data.table[data.table["target"].notna()])
    sec.text(
        "Told the target t, a behaviorally calibrated model answers only when it is more than "
        "t confident, so its accuracy on the items it answers stays above t. Verdicts use the "
        "95% interval: pass when it lies at or above t, fail when it lies below, inconclusive "
        "when it contains t. The answer rate should fall as t rises."
    )
    sec.figure(
        (lambda: plot_calibration_audit(audit)) if figures else None,
        "Accuracy on answered items and answer rate against t",
    )
    detail, summary = audit_tables(audit)
    sec.add_table(summary)
    sec.heading("Per target")
    sec.add_table(detail)
    return sec


def _confidence_section(data: ReportData, figures: bool, n_bins: int) -> Section:
    sec = Section("confidence", "Confidence: reliability and risk–coverage")
    sets = confidence_sets(data.frame, n_bins)
    if not sets:
        sec.text(
            "No record carries a confidence. Policy mode (halluc eval --modes policy) records "
            "one per answer, with the method that produced it."
        )
        return sec
    sec.text(
        f"For each model and confidence method: accuracy against confidence in {n_bins} "
        "equal-width bins ([k/B, (k+1)/B), a confidence of exactly 1 in the last bin) and in "
        f"{n_bins} equal-mass bins; ECE is the size-weighted mean gap, Brier the mean squared "
        "error, AURC the area under risk–coverage (lower is better; e-AURC is its excess over "
        "a perfect ranking), AUROC how well confidence separates right from wrong. Abstentions "
        "and errors have no correctness and are left out."
    )
    if any(s.is_probability for s in sets):
        sec.figure(
            (lambda: plot_reliability(sets, n_bins=n_bins)) if figures else None,
            "Reliability diagrams",
        )
    skipped = [s.label for s in sets if not s.is_probability]
    if skipped:
        sec.text(
            "Scores outside [0, 1] have no reliability diagram, ECE or Brier: "
            + ", ".join(skipped)
            + "."
        )
    sec.figure((lambda: plot_risk_coverage(sets)) if figures else None, "Risk–coverage curves")
    sec.add_table(confidence_metrics_table(confidence_table(sets)))
    return sec


def _census_section(data: ReportData, figures: bool) -> Section | None:
    with_census = [r for r in data.runs if r.census is not None]
    if not with_census:
        return None
    sec = Section("frequency", "Results by fact frequency")
    sec.text(
        "Items grouped by how often their fact appears in the training corpus (from "
        "halluc census join). The paper predicts that facts seen once or never are where "
        "models hallucinate."
    )
    for run in with_census:
        assert run.census is not None
        frame = census_frame(run.census)
        if len(with_census) > 1:
            sec.heading(run.label)
        params = flat_parameters(run.census)
        if params:
            sec.add_table(key_value_table(params))
        if frame.empty:
            sec.text("The census has no rows.")
            continue
        label = f"Wrong-answer rate and score by fact frequency ({run.label})"
        sec.figure(partial(plot_fact_frequency, frame) if figures else None, label)
        sec.add_table(census_table(frame))
    return sec


def build_report(
    data: ReportData,
    *,
    title: str | None = None,
    figures: bool = True,
    items: bool = True,
    n_bins: int = DEFAULT_BINS,
    max_item_records: int = DEFAULT_MAX_RECORDS,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Report:
    """All sections of a report; ``figures=False`` skips drawing (for Markdown)."""
    sections = [
        _runs_section(data),
        _scores_section(data),
        _curves_section(data, figures),
        _outcomes_section(data, figures),
        _audit_section(data, figures),
        _confidence_section(data, figures, n_bins),
    ]
    census = _census_section(data, figures)
    if census is not None:
        sections.append(census)
    payload = (
        item_payload(data.records, max_records=max_item_records, max_chars=max_chars)
        if items
        else None
    )
    default = "halluc report: " + ", ".join(r.label for r in data.runs)
    return Report(
        title=title or default,
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        sections=sections,
        items=payload,
        parameters=data.scores.parameters(),
    )

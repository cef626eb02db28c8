"""Reports people would rather look at: one self-contained HTML page (or Markdown tables) for
one run or a comparison of several, and every figure as a function returning a matplotlib
figure for notebooks.

>>> from halluc.report import write_report, plot_score_vs_target
>>> write_report(["runs/a", "runs/b"], "report.html")          # doctest: +SKIP
>>> plot_score_vs_target("runs/a")                              # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from halluc.calibration.audit import audit_summary, audit_table
from halluc.errors import InputError
from halluc.report.build import Report, build_report
from halluc.report.confidence import ConfidenceSet, confidence_sets, confidence_table
from halluc.report.curves import ScoreCurve, ScoreCurves, score_curves
from halluc.report.data import ReportData, load_report_data
from halluc.report.html import render_html
from halluc.report.items import DEFAULT_MAX_CHARS, DEFAULT_MAX_RECORDS
from halluc.report.markdown import render_markdown
from halluc.report.plots import (
    plot_calibration_audit,
    plot_fact_frequency,
    plot_outcome_bars,
    plot_reliability,
    plot_risk_coverage,
    plot_score_vs_target,
)
from halluc.scoring.crossings import Crossing
from halluc.scoring.metrics import MetricSettings
from halluc.scoring.rules import ScoringRule

FORMATS = {"html": "html", "md": "md", "markdown": "md"}


def write_report(
    runs: Sequence[str | Path],
    output: str | Path,
    *,
    fmt: str = "html",
    title: str | None = None,
    targets: Sequence[float] | None = None,
    settings: MetricSettings | None = None,
    rules: Sequence[ScoringRule] | None = None,
    n_bins: int = 10,
    max_item_records: int = DEFAULT_MAX_RECORDS,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Path:
    """Write the report of one or more run folders to ``output`` and return its path.

    ``fmt`` is ``"html"`` (one self-contained file: tables, SVG figures, item browser) or
    ``"md"`` (the same tables in Markdown). ``targets`` defaults to every t the runs hold;
    ``rules`` (any :class:`~halluc.scoring.rules.ScoringRule`) replaces them in the tables.
    The file is written whole (to a temporary name, then renamed).
    """
    if n_bins < 1:
        raise InputError(f"must be at least 1, got {n_bins}", field="n_bins")
    if max_item_records < 1:
        raise InputError(f"must be at least 1, got {max_item_records}", field="max_item_records")
    kind = FORMATS.get(fmt.lower())
    if kind is None:
        raise InputError(f"unknown format {fmt!r} (use html or md)", field="fmt")
    if isinstance(runs, str | Path):
        runs = [runs]
    data = load_report_data(runs, targets=targets, settings=settings, rules=rules)
    report = build_report(
        data,
        title=title,
        figures=kind == "html",
        items=kind == "html",
        n_bins=n_bins,
        max_item_records=max_item_records,
        max_chars=max_chars,
    )
    text = render_html(report) if kind == "html" else render_markdown(report)
    out = Path(output)
    if out.is_dir():
        out = out / f"report.{kind}"
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        raise InputError(f"cannot write the report: {exc.strerror}", path=out) from None
    return out


__all__ = [
    "ConfidenceSet",
    "Crossing",
    "Report",
    "ReportData",
    "ScoreCurve",
    "ScoreCurves",
    "audit_summary",
    "audit_table",
    "build_report",
    "confidence_sets",
    "confidence_table",
    "load_report_data",
    "plot_calibration_audit",
    "plot_fact_frequency",
    "plot_outcome_bars",
    "plot_reliability",
    "plot_risk_coverage",
    "plot_score_vs_target",
    "render_html",
    "render_markdown",
    "score_curves",
    "write_report",
]

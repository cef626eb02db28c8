"""A finished run's numbers: the score table and the calibration report, saved once.

``summary.json`` holds the :class:`~halluc.scoring.report.ScoreReport` (with the metric
settings it was asked for) and, for a run with the policy mode, the
:class:`~halluc.calibration.held_out.CalibrationReport`. It holds nothing that changes from one
identical run to the next (timings go to ``stats.json``), so a Python call and the equivalent
command write the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from halluc.calibration.held_out import CalibrationReport
from halluc.log.runs import RunFolder
from halluc.scoring.metrics import MetricSettings
from halluc.scoring.report import ScoreReport, score_report

STATS = "stats.json"
CALIBRATOR = "calibrator.json"


@dataclass(frozen=True, slots=True)
class EvalResult:
    """What a run produced: its folder, its scores and (policy mode) its calibration."""

    run: RunFolder
    scores: ScoreReport
    calibration: CalibrationReport | None
    report_html: Path | None = None


def summarize_run(
    run: RunFolder,
    targets: Sequence[float],
    calibration: CalibrationReport | None = None,
    settings: MetricSettings | None = None,
) -> ScoreReport:
    """Score a run's records, and write ``summary.json`` (numbers plus their parameters)."""
    report = score_report(run.records(), targets, settings)
    summary = report.to_dict()
    if calibration is not None:
        summary["calibration"] = calibration.to_dict()
    run.write_summary(summary)
    return report


def read_calibration(run: RunFolder) -> CalibrationReport | None:
    """The calibration report a run's ``summary.json`` holds, if any."""
    summary = run.summary() or {}
    data = summary.get("calibration")
    return None if data is None else CalibrationReport.from_dict(data)

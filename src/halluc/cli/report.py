"""``halluc report``: one self-contained HTML page (or Markdown tables) for one or more runs."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from halluc.cli._options import parse_targets
from halluc.log.runs import RunFolder
from halluc.scoring.metrics import MetricSettings
from halluc.scoring.rules import ErrorPolicy


class ReportFormat(StrEnum):
    HTML = "html"
    MD = "md"


def _targets(text: str | None) -> list[float] | None:
    return None if text is None else list(parse_targets(text))


def default_output(runs: list[Path], fmt: ReportFormat) -> Path:
    """report.html (or .md) inside a single run folder, else in the current folder."""
    name = f"report.{fmt.value}"
    if len(runs) == 1 and RunFolder.is_run_folder(runs[0]):
        return runs[0] / name
    return Path(name)


def report_command(
    runs: Annotated[
        list[Path],
        typer.Argument(
            help="Run folders (config.json, records.jsonl; census.json when joined) or "
            "records.jsonl files. Several runs are compared on one page.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Where to write the report. Default: report.html (or .md) in the run folder "
            "for one run, in the current folder for several.",
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat, typer.Option("--format", "-f", help="html (page with figures) or md.")
    ] = ReportFormat.HTML,
    title: Annotated[str | None, typer.Option(help="Title of the report.")] = None,
    targets: Annotated[
        str | None,
        typer.Option(help="Comma-separated targets t for the tables. Default: those in the runs."),
    ] = None,
    errors: Annotated[
        ErrorPolicy,
        typer.Option(help="How the 'error' outcome is scored (it is always reported)."),
    ] = ErrorPolicy.EXCLUDE,
    n_boot: Annotated[int, typer.Option(help="Bootstrap resamples for score intervals.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    bins: Annotated[int, typer.Option(help="Bins of the reliability diagrams and ECE.")] = 10,
    max_records: Annotated[
        int | None,
        typer.Option(
            help="Most records in the item browser (default 12000); beyond it, all records of "
            "a stable sample of items are shown.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a report: per-t table with intervals and baselines, score against t with rank
    flips, outcome bars, the behavioral-calibration audit, reliability and risk–coverage per
    confidence method, results by fact frequency (when a census is joined) and an item browser.
    """
    # Imported here: matplotlib costs a second at start-up, and other commands need none of it.
    from halluc.report import write_report
    from halluc.report.items import DEFAULT_MAX_RECORDS

    dest = output or default_output(runs, fmt)
    path = write_report(
        runs,
        dest,
        fmt=fmt.value,
        title=title,
        targets=_targets(targets),
        settings=MetricSettings(error_policy=errors, n_boot=n_boot, seed=seed),
        n_bins=bins,
        max_item_records=DEFAULT_MAX_RECORDS if max_records is None else max_records,
    )
    typer.echo(str(path))


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)

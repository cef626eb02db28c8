"""Loading what a report shows: run folders, their records and an optional ``census.json``.

Several runs are compared in one report. A model that appears in more than one run gets the
run's name appended (``model @ run``) so that its records never merge with another run's.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from halluc.errors import InputError
from halluc.io.outcome_table import read_outcome_table
from halluc.log.jsonl import read_json
from halluc.log.outcomes import parse_mode, parse_outcome
from halluc.log.records import Record, is_record_log, read_records, records_to_frame
from halluc.log.runs import RECORDS, RunFolder
from halluc.scoring.metrics import DEFAULT_TARGETS, MetricSettings
from halluc.scoring.report import ScoreReport, score_report
from halluc.scoring.rules import ScoringRule

CENSUS = "census.json"


@dataclass
class RunInput:
    """One run folder as the report sees it."""

    path: Path
    label: str
    config: dict[str, Any]
    summary: dict[str, Any] | None
    census: dict[str, Any] | None
    records: list[Record]


@dataclass
class ReportData:
    """Everything a report is drawn from; every number comes from ``scores``."""

    runs: list[RunInput]
    records: list[Record]
    frame: pd.DataFrame
    targets: tuple[float, ...]
    settings: MetricSettings
    scores: ScoreReport
    renamed: dict[str, str] = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        return self.scores.table


def _label_runs(paths: Sequence[Path]) -> list[str]:
    """Short unique names: the folder name (a records.jsonl's folder, a table's file name),
    with parents added only where names repeat."""
    bases = [p.parent if p.name == RECORDS else p for p in paths]
    depth = 1
    while True:
        labels = ["/".join(p.resolve().parts[-depth:]) for p in bases]
        if len(set(labels)) == len(labels) or depth > 8:
            return labels
        depth += 1


def validate_census(value: Any, path: Path) -> dict[str, Any]:
    """Check the shape of ``census.json`` (written by ``halluc census join``)."""
    if not isinstance(value, dict):
        raise InputError("census must be a JSON object", path=path)
    buckets = value.get("buckets")
    if not isinstance(buckets, list):
        raise InputError("must be a list of buckets", path=path, field="buckets")
    for i, bucket in enumerate(buckets):
        where = f"buckets[{i}]"
        if not isinstance(bucket, dict):
            raise InputError("must be an object", path=path, field=where)
        if "bucket" not in bucket:
            raise InputError("missing", path=path, field=f"{where}.bucket")
        rows = bucket.get("rows", [])
        if not isinstance(rows, list):
            raise InputError("must be a list", path=path, field=f"{where}.rows")
        for j, row in enumerate(rows):
            if not isinstance(row, dict) or "model" not in row:
                raise InputError(
                    "must be an object with a model", path=path, field=f"{where}.rows[{j}]"
                )
    params = value.get("parameters", {})
    if not isinstance(params, dict):
        raise InputError("must be an object", path=path, field="parameters")
    return value


def _file_records(path: Path) -> list[Record]:
    """Records from a records.jsonl, or from a plain outcome table (CSV/JSONL with model, item
    and outcome columns, as ``halluc score`` reads them: imported outcomes, no responses)."""
    if is_record_log(path):
        return read_records(path, tolerate_partial_tail=True)
    frame = read_outcome_table(path)
    out = []
    for model, item, target, mode, outcome in zip(
        frame["model"],
        frame["item_id"],
        frame["target"],
        frame["mode"],
        frame["outcome"],
        strict=True,
    ):
        t = None if pd.isna(target) else float(target)
        out.append(Record(str(item), str(model), parse_outcome(str(outcome)), t, parse_mode(mode)))
    return out


def load_run(path: str | Path, label: str | None = None) -> RunInput:
    """Read a run folder, a bare ``records.jsonl`` or a plain outcome table, with clear errors
    for anything else."""
    p = Path(path)
    if p.is_file():
        return RunInput(p, label or p.stem, {}, None, None, _file_records(p))
    if not p.exists():
        raise InputError("no such run folder", path=p)
    if not RunFolder.is_run_folder(p):
        raise InputError("not a run folder (it has no config.json)", path=p)
    run = RunFolder(p)
    if not run.records_path.exists():
        raise InputError(f"the run folder has no {RECORDS}", path=p)
    census_path = p / CENSUS
    census = validate_census(read_json(census_path), census_path) if census_path.exists() else None
    return RunInput(p, label or p.name, run.config(), run.summary(), census, run.records())


def _report_targets(records: Sequence[Record], configs: Sequence[dict[str, Any]]) -> list[float]:
    found = {r.target for r in records if r.target is not None}
    for cfg in configs:
        listed = cfg.get("targets")
        if isinstance(listed, list):
            for t in listed:
                if isinstance(t, int | float) and not isinstance(t, bool) and 0 <= t < 1:
                    found.add(float(t))
    return sorted(found) if found else list(DEFAULT_TARGETS)


def load_report_data(
    paths: Sequence[str | Path],
    *,
    targets: Sequence[float] | None = None,
    settings: MetricSettings | None = None,
    rules: Sequence[ScoringRule] | None = None,
) -> ReportData:
    """Load runs, disambiguate models shared between runs, and score everything once, under
    ``rules`` (any scoring rules) or ``confidence_target(t)`` for each of ``targets`` (default:
    every t the runs hold)."""
    if not paths:
        raise InputError("no run folders given")
    ps = [Path(p) for p in paths]
    runs = [load_run(p, lab) for p, lab in zip(ps, _label_runs(ps), strict=True)]
    owners: Counter[str] = Counter()
    for run in runs:
        for model in {r.model for r in run.records}:
            owners[model] += 1
    renamed: dict[str, str] = {}
    records: list[Record] = []
    for run in runs:
        for rec in run.records:
            if owners[rec.model] > 1:
                new = f"{rec.model} @ {run.label}"
                renamed[new] = rec.model
                records.append(dataclasses.replace(rec, model=new))
            else:
                records.append(rec)
    if not records:
        raise InputError("the runs hold no records", path=ps[0] if len(ps) == 1 else None)
    tg = (
        list(targets) if targets is not None else _report_targets(records, [r.config for r in runs])
    )
    s = settings or MetricSettings()
    frame = records_to_frame(records)
    scores = score_report(frame, tg, s, rules=rules)
    scores.sources = [str(r.path) for r in runs]
    return ReportData(runs, records, frame, scores.targets, s, scores, renamed)

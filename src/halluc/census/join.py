"""The join: fact counts attached to a run's records, results by count bucket.

Accuracy, error, abstention and the penalized score per bucket (0, 1, 2–3, 4–10, 11–100,
>100 by default) come from :func:`halluc.scoring.metrics.summarize` on each bucket's records,
with its intervals. Next to them stands the Theorem 2 lower bound computed from the training
corpus's singleton rate (when one is given) and the observed error rate, plus the error rate on the
items whose fact was seen exactly once.

Written into the run folder: ``census.json`` (parameters, buckets with their summary rows,
the singleton bound) and ``census_counts.parquet`` (item id, the counts, the bucket).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from halluc.census.buckets import DEFAULT_EDGES, assign, make_buckets
from halluc.census.fact_census import FactCensus
from halluc.census.item_counts import count_table
from halluc.errors import InputError
from halluc.log.jsonl import read_json, write_json_atomic
from halluc.log.outcomes import Mode
from halluc.log.records import read_records, records_to_frame
from halluc.log.runs import RECORDS, RunFolder
from halluc.render.tables import OutputFormat, fmt_interval, fmt_num, render_text_table
from halluc.scoring.metrics import DEFAULT_TARGETS, MetricSettings, summarize
from halluc.theory.facts import theorem2_lower_bound

CENSUS_JSON = "census.json"
CENSUS_COUNTS = "census_counts.parquet"
ROW_COLUMNS = (
    "model",
    "mode",
    "target",
    "penalty",
    "n",
    "n_scored",
    "correct",
    "incorrect",
    "abstained",
    "error",
    "accuracy",
    "accuracy_lo",
    "accuracy_hi",
    "error_rate",
    "error_rate_lo",
    "error_rate_hi",
    "abstention_rate",
    "abstention_rate_lo",
    "abstention_rate_hi",
    "accuracy_given_attempted",
    "score",
    "score_lo",
    "score_hi",
    "error_policy",
)
MISSING_POLICIES = ("zero", "drop", "error")


@dataclass(frozen=True, slots=True)
class SingletonSource:
    """Where the training singleton rate comes from (a fact census, or given numbers)."""

    singleton_rate: float
    n: int
    source: str
    min_wrong_answers: int = 364
    """min_c |E_c|: the fewest wrong answers any prompt has (364 for DD-MM birthdays)."""
    delta: float = 0.0
    gamma: float = 0.01

    @classmethod
    def from_fact_census(
        cls, path: Path, min_wrong_answers: int = 364, delta: float = 0.0
    ) -> SingletonSource:
        census = FactCensus.from_dict(read_json(path), path=str(path))
        return cls(census.singleton_rate, census.n, str(path), min_wrong_answers, delta)


@dataclass
class CensusJoin:
    buckets: list[dict[str, Any]]
    singleton_bound: dict[str, Any]
    parameters: dict[str, Any]
    item_counts: pd.DataFrame = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "parameters": self.parameters,
            "buckets": self.buckets,
            "singleton_bound": self.singleton_bound,
        }

    def save(self, folder: Path) -> tuple[Path, Path]:
        folder.mkdir(parents=True, exist_ok=True)
        js, pq = folder / CENSUS_JSON, folder / CENSUS_COUNTS
        write_json_atomic(js, self.to_dict())
        self.item_counts.to_parquet(pq, index=False)
        return js, pq

    def render(self, fmt: OutputFormat = OutputFormat.TABLE) -> str:
        if fmt is OutputFormat.JSON:
            import orjson

            return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"
        headers = [
            "count",
            "items",
            "model",
            "t",
            "accuracy",
            "wrong",
            "IDK",
            "score [95% CI]",
        ]
        rows = []
        for b in self.buckets:
            if not b["rows"]:
                rows.append([b["bucket"], str(b["n"]), "–", "–", "–", "–", "–", "–"])
            for r in b["rows"]:
                mode = "" if r["mode"] == Mode.INSTRUCTED else f" ({r['mode']})"
                rows.append(
                    [
                        b["bucket"],
                        str(b["n"]),
                        str(r["model"]) + mode,
                        fmt_num(r["target"], 2),
                        fmt_interval(r["accuracy"], r["accuracy_lo"], r["accuracy_hi"]),
                        fmt_interval(r["error_rate"], r["error_rate_lo"], r["error_rate_hi"]),
                        fmt_interval(
                            r["abstention_rate"], r["abstention_rate_lo"], r["abstention_rate_hi"]
                        ),
                        fmt_interval(r["score"], r["score_lo"], r["score_hi"]),
                    ]
                )
        column = self.parameters["count_column"]
        text = render_text_table(
            headers, rows, fmt, f"Results by {column} (training-data count per item)", 1
        )
        sb = self.singleton_bound
        lines = [
            ["items seen exactly once", fmt_num(sb["item_singleton_fraction"], 4)],
        ]
        lb = sb.get("lower_bound")
        if lb is not None:
            lines.insert(0, ["training singleton rate sr", fmt_num(sb["singleton_rate"], 6)])
            lines.insert(1, ["Theorem 2 lower bound on err", fmt_num(lb["value"], 4)])
        else:
            lines.insert(0, ["Theorem 2 lower bound", sb.get("reason", "–")])
        for o in sb["observed"]:
            lines.append(
                [
                    f"observed err {o['model']} t={o['target']:g}",
                    fmt_interval(o["error_rate"], o["error_rate_lo"], o["error_rate_hi"], 4)
                    + (
                        f"; on singletons {fmt_num(o['error_rate_singletons'], 4)}"
                        if o.get("error_rate_singletons") is not None
                        else ""
                    ),
                ]
            )
        text += render_text_table(["singleton bound", "value"], lines, fmt, None, 1)
        return text


def _rows(table: pd.DataFrame) -> list[dict[str, Any]]:
    cols = [c for c in ROW_COLUMNS if c in table.columns]
    clean = table[cols].astype(object).where(table[cols].notna(), None)
    return [{str(k): v for k, v in r.items()} for r in clean.to_dict(orient="records")]


def load_run_frame(run: Path) -> tuple[pd.DataFrame, str]:
    """The records of a run folder (or of a records.jsonl) as a frame."""
    if RunFolder.is_run_folder(run):
        return records_to_frame(RunFolder(run).records()), str(run / RECORDS)
    if run.is_dir():
        if (run / RECORDS).is_file():
            return records_to_frame(read_records(run / RECORDS)), str(run / RECORDS)
        raise InputError("not a run folder (no config.json or records.jsonl)", path=run)
    return records_to_frame(read_records(run)), str(run)


def _attach_counts(
    frame: pd.DataFrame, table: pd.DataFrame, missing: str, counts_path: Path, item_column: str
) -> tuple[pd.DataFrame, int]:
    """The run's records with the count of their item; items without one are counted as 0,
    left out or refused (``missing``). Returns the records and how many items had no count."""
    run_items = pd.Index(frame["item_id"].astype("string").unique())
    known = run_items.isin(pd.Index(table["item_id"]))
    n_missing = int((~known).sum())
    if known.sum() == 0:
        raise InputError(
            f"none of the run's {len(run_items)} items is in the counts table; do the ids "
            f"match (e.g. {run_items[0]!r})?",
            path=counts_path,
            field=item_column,
        )
    if n_missing and missing == "error":
        raise InputError(
            f"{n_missing} of the run's items have no count (e.g. {run_items[~known][0]!r})",
            path=counts_path,
            field=item_column,
        )
    if n_missing:
        warnings.warn(
            f"{n_missing} of {len(run_items)} items have no count in {counts_path}; "
            + ("counted as 0" if missing == "zero" else "left out"),
            stacklevel=3,
        )
    merged = frame.assign(item_id=frame["item_id"].astype("string")).merge(
        table[["item_id", "count"]], on="item_id", how="left"
    )
    if missing == "zero":
        merged["count"] = merged["count"].fillna(0)
    else:
        merged = merged[merged["count"].notna()]
    merged["count"] = merged["count"].astype(np.int64)
    return merged, n_missing


def _bucket_rows(
    merged: pd.DataFrame,
    edges: tuple[int, ...],
    targets: Sequence[float] | None,
    settings: MetricSettings,
) -> list[dict[str, Any]]:
    """Each count bucket with its size and the score table of its records."""
    merged["bucket"] = assign(merged["count"].to_numpy(), edges)
    out: list[dict[str, Any]] = []
    for i, b in enumerate(make_buckets(edges)):
        part = merged[merged["bucket"] == i]
        rows = _rows(summarize(part, targets, settings)) if len(part) else []
        n = int(part["item_id"].nunique())
        out.append({**b.as_dict(), "n": n, "n_records": len(part), "rows": rows})
    return out


def census_join(
    run: Path,
    counts_path: Path,
    *,
    count_column: str | None = None,
    item_column: str = "item_id",
    edges: Sequence[int] = DEFAULT_EDGES,
    targets: Sequence[float] | None = DEFAULT_TARGETS,
    settings: MetricSettings | None = None,
    missing: str = "zero",
    singleton: SingletonSource | None = None,
) -> CensusJoin:
    """Attach per-item counts to the run's records and summarize by count bucket."""
    if missing not in MISSING_POLICIES:
        raise InputError(f"must be one of {', '.join(MISSING_POLICIES)}", field="missing")
    s = settings or MetricSettings()
    frame, records_path = load_run_frame(run)
    if frame.empty:
        raise InputError("the run has no records", path=records_path)
    table, column = count_table(counts_path, count_column, item_column)
    merged, n_missing = _attach_counts(frame, table, missing, counts_path, item_column)
    e = tuple(edges)
    buckets = _bucket_rows(merged, e, targets, s)
    overall = summarize(merged, targets, s)
    singles = merged[merged["count"] == 1]
    single_table = summarize(singles, targets, s) if len(singles) else None
    item_counts = (
        merged.drop_duplicates("item_id")[["item_id", "count"]]
        .merge(table.drop(columns=["count"]), on="item_id", how="left")
        .sort_values("item_id")
        .reset_index(drop=True)
    )
    labels = [b.label for b in make_buckets(e)]
    item_counts["bucket"] = [labels[i] for i in assign(item_counts["count"], e)]
    bound = _singleton_bound(overall, single_table, item_counts, singleton)
    params = {
        "run": str(run),
        "records": records_path,
        "counts": str(counts_path),
        "count_column": column,
        "item_column": item_column,
        "edges": list(e),
        "targets": None if targets is None else list(targets),
        "missing": missing,
        "items_without_count": n_missing,
        **s.as_dict(),
    }
    return CensusJoin(buckets, bound, params, item_counts)


def _singleton_bound(
    overall: pd.DataFrame,
    singles: pd.DataFrame | None,
    item_counts: pd.DataFrame,
    source: SingletonSource | None,
) -> dict[str, Any]:
    observed = []
    for r in overall.itertuples(index=False):
        entry: dict[str, Any] = {
            "model": r.model,
            "mode": r.mode,
            "target": _f(r.target),
            "error_rate": _f(r.error_rate),
            "error_rate_lo": _f(r.error_rate_lo),
            "error_rate_hi": _f(r.error_rate_hi),
            "error_rate_singletons": None,
        }
        if singles is not None:
            match = singles[
                (singles["model"] == r.model)
                & (singles["mode"] == r.mode)
                & (singles["target"] == r.target)
            ]
            if len(match):
                entry["error_rate_singletons"] = _f(match["error_rate"].iloc[0])
        observed.append(entry)
    out: dict[str, Any] = {
        "item_singleton_fraction": float((item_counts["count"] == 1).mean()),
        "observed": observed,
    }
    if source is None:
        out["lower_bound"] = None
        out["reason"] = "no training singleton rate given (pass a fact census or sr and N)"
        return out
    bound = theorem2_lower_bound(
        source.singleton_rate, source.n, source.min_wrong_answers, source.delta, source.gamma
    )
    out.update(
        {
            "singleton_rate": source.singleton_rate,
            "n": source.n,
            "source": source.source,
            "min_wrong_answers": source.min_wrong_answers,
            "delta": source.delta,
            "lower_bound": bound.to_dict(),
        }
    )
    for o in observed:
        o["above_bound"] = None if o["error_rate"] is None else o["error_rate"] >= bound.value
    return out


def _f(x: Any) -> float | None:
    v = float(x)
    return None if np.isnan(v) else v

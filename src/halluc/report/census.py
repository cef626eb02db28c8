"""Results by fact frequency, from the ``census.json`` that ``halluc census join`` writes.

The census helper scores each frequency bucket with :func:`halluc.scoring.metrics.summarize`; this
module only flattens its buckets into one table for the report.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from halluc.log.outcomes import DEFAULT_MODE
from halluc.render.numbers import range_label as bucket_label
from halluc.scoring.leaderboard import entry_label

ROW_FIELDS = (
    "accuracy",
    "error_rate",
    "abstention_rate",
    "score",
    "score_lo",
    "score_hi",
    "n",
)


def _num(x: Any) -> float:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return math.nan
    return float(x)


def census_frame(census: dict[str, Any]) -> pd.DataFrame:
    """One row per (bucket, model, mode, t) with the bucket's range and size."""
    rows: list[dict[str, Any]] = []
    for order, bucket in enumerate(census.get("buckets", [])):
        for row in bucket.get("rows", []):
            target = row.get("target")
            rows.append(
                {
                    "order": order,
                    "bucket": str(bucket.get("bucket")),
                    "lo": _num(bucket.get("lo")),
                    "hi": _num(bucket.get("hi")),
                    "bucket_n": _num(bucket.get("n")),
                    "model": str(row.get("model")),
                    "mode": str(row.get("mode") or DEFAULT_MODE),
                    "target": _num(target) if target is not None else math.nan,
                    **{f: _num(row.get(f)) for f in ROW_FIELDS},
                }
            )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    modes_per_model = frame.groupby("model")["mode"].nunique()
    frame["entry"] = [
        entry_label(m, d, int(modes_per_model[m]))
        for m, d in zip(frame["model"], frame["mode"], strict=True)
    ]
    return frame.sort_values(["order", "entry", "target"]).reset_index(drop=True)


def flat_parameters(census: dict[str, Any]) -> list[tuple[str, str]]:
    """The census parameters and its singleton bound as (name, value) text pairs."""
    out: list[tuple[str, str]] = []
    for section in ("parameters", "singleton_bound"):
        value = census.get(section)
        if not isinstance(value, dict):
            continue
        for k, v in value.items():
            if isinstance(v, float):
                text = f"{v:.4g}"
            elif isinstance(v, dict | list):
                text = (
                    ", ".join(f"{a}: {b}" for a, b in v.items())
                    if isinstance(v, dict)
                    else (", ".join(str(x) for x in v))
                )
            else:
                text = str(v)
            out.append((f"{section}.{k}" if section != "parameters" else str(k), text))
    return out


__all__ = ["bucket_label", "census_frame", "flat_parameters"]

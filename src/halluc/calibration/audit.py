"""The behavioral-calibration audit, read off the confidence-target table.

A behaviorally calibrated model answers exactly when its chance of being right exceeds t, so the
answers it gives at target t are right more than a share t of the time. The observable check is
therefore *accuracy on answered items against t*, with its Wilson interval from
:func:`halluc.scoring.metrics.summarize`:

* ``pass``: the whole interval lies at or above t;
* ``fail``: the whole interval lies below t (it answered while less than t confident);
* ``inconclusive``: the interval contains t (more items would tell);
* ``no answers``: it abstained on every item, so its accuracy on answers is undefined (the
  audit cannot tell over-caution from calibration);
* ``n/a`` at t = 0, where answering is always right to do.

The answer rate should also fall (weakly) as t rises; a rise is flagged.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from halluc.scoring.leaderboard import entry_label

PASS, FAIL, UNCLEAR, NO_ANSWERS, NOT_APPLICABLE = (
    "pass",
    "fail",
    "inconclusive",
    "no answers",
    "n/a",
)


def verdict(target: float, accuracy: float, lo: float, hi: float) -> str:
    if target == 0:
        return NOT_APPLICABLE
    if math.isnan(accuracy):
        return NO_ANSWERS
    if lo >= target:
        return PASS
    if hi < target:
        return FAIL
    return UNCLEAR


def audit_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (model, mode, t): answer rate, accuracy on answered items with its interval,
    the verdict, and whether the answer rate rose from the previous t."""
    cols = [
        "entry",
        "model",
        "mode",
        "target",
        "n_scored",
        "answer_rate",
        "answer_rate_lo",
        "answer_rate_hi",
        "accuracy_given_attempted",
        "accuracy_given_attempted_lo",
        "accuracy_given_attempted_hi",
        "verdict",
        "answer_rate_rose",
    ]
    if table.empty:
        return pd.DataFrame(columns=cols)
    modes_per_model = table.groupby("model")["mode"].nunique()
    out = table.sort_values(["model", "mode", "target"]).reset_index(drop=True).copy()
    out["entry"] = [
        entry_label(str(m), str(d), int(modes_per_model[m]))
        for m, d in zip(out["model"], out["mode"], strict=True)
    ]
    out["verdict"] = [
        verdict(float(t), float(a), float(lo), float(hi))
        for t, a, lo, hi in zip(
            out["target"],
            out["accuracy_given_attempted"],
            out["accuracy_given_attempted_lo"],
            out["accuracy_given_attempted_hi"],
            strict=True,
        )
    ]
    prev = out.groupby(["model", "mode"])["answer_rate"].shift(1)
    rose = (out["answer_rate"] > prev + 1e-12).to_numpy()
    out["answer_rate_rose"] = np.where(prev.isna().to_numpy(), False, rose)
    return out[cols]


def audit_summary(audit: pd.DataFrame) -> pd.DataFrame:
    """Per entry: how many audited targets passed, failed, were inconclusive, had no answers,
    and whether the answer rate ever rose with t."""
    rows = []
    for entry, part in audit.groupby("entry", sort=True):
        v = part["verdict"].value_counts()
        audited = part[part["verdict"] != NOT_APPLICABLE]
        failed = audited.loc[audited["verdict"] == FAIL, "target"].tolist()
        rows.append(
            {
                "entry": str(entry),
                "audited": len(audited),
                PASS: int(v.get(PASS, 0)),
                FAIL: int(v.get(FAIL, 0)),
                UNCLEAR: int(v.get(UNCLEAR, 0)),
                NO_ANSWERS: int(v.get(NO_ANSWERS, 0)),
                "failed_at": ", ".join(f"{t:g}" for t in failed),
                "answer_rate_rose": bool(part["answer_rate_rose"].any()),
            }
        )
    return pd.DataFrame(rows)


__all__ = [
    "FAIL",
    "NOT_APPLICABLE",
    "NO_ANSWERS",
    "PASS",
    "UNCLEAR",
    "audit_summary",
    "audit_table",
    "verdict",
]

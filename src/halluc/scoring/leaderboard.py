"""Rankings over a grid of confidence targets, and where they flip."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd


def entry_label(model: str, mode: str, modes_per_model: int) -> str:
    return model if modes_per_model <= 1 else f"{model} [{mode}]"


def leaderboard(table: pd.DataFrame) -> pd.DataFrame:
    """Rank entries (model, or model and mode) by penalized score at each t.

    Returns one row per entry with columns ``score@t`` and ``rank@t`` for each t, plus
    ``flips``: the targets at which the entry's rank differs from its rank at the previous t.
    Ties share the better rank.
    """
    if table.empty:
        return pd.DataFrame(columns=["entry"])
    modes_per_model = table.groupby("model")["mode"].nunique()
    labels = [
        entry_label(str(m), str(d), int(modes_per_model[m]))
        for m, d in zip(table["model"], table["mode"], strict=True)
    ]
    t2 = table.assign(entry=labels)
    scores = t2.pivot_table(index="entry", columns="target", values="score", aggfunc="first")
    targets = sorted(scores.columns)
    ranks = scores.rank(axis=0, ascending=False, method="min")
    out = pd.DataFrame({"entry": scores.index})
    for t in targets:
        out[f"score@{t:g}"] = scores[t].to_numpy()
        out[f"rank@{t:g}"] = ranks[t].to_numpy()
    flips: list[str] = []
    for i in range(len(out)):
        changed = []
        for a, b in itertools.pairwise(targets):
            ra, rb = ranks[a].iloc[i], ranks[b].iloc[i]
            if not (math.isnan(ra) or math.isnan(rb)) and ra != rb:
                changed.append(f"{b:g}")
        flips.append(",".join(changed))
    out["flips"] = flips
    if not targets:  # no entry has a score (e.g. every outcome was an excluded error)
        return out
    last = f"rank@{targets[-1]:g}"
    first = f"rank@{targets[0]:g}"
    return out.sort_values([first, last, "entry"]).reset_index(drop=True)


def crossing_target(acc_a: float, err_a: float, acc_b: float, err_b: float) -> float | None:
    """The t in (0, 1) where two fixed outcome profiles score the same, if any.

    With accuracy a and wrong-answer rate e the score is a - e * t/(1-t); the two lines in
    k = t/(1-t) cross at k = (a_A - a_B)/(e_A - e_B), i.e. t = k/(1+k).
    """
    de = err_a - err_b
    if de == 0:
        return None
    k = (acc_a - acc_b) / de
    if not k > 0 or not np.isfinite(k):
        return None
    return float(k / (1.0 + k))

"""Rankings under each scoring rule of a score table, and where they flip."""

from __future__ import annotations

import itertools
import math

import pandas as pd

from halluc.scoring.rules import confidence_target

FLIP_SEPARATOR = ";"
"""Between the keys of ``flips`` (a rule's name may hold commas)."""


def flip_keys(flips: object) -> list[str]:
    """The rule keys of a leaderboard row's ``flips`` cell."""
    return [k for k in str(flips or "").split(FLIP_SEPARATOR) if k]


def entry_label(model: str, mode: str, modes_per_model: int) -> str:
    return model if modes_per_model <= 1 else f"{model} [{mode}]"


def rule_keys(table: pd.DataFrame) -> pd.Series:
    """The column key of each row's rule: ``0.5`` for a confidence target, else its name."""
    names = table["rule"] if "rule" in table.columns else pd.Series([None] * len(table))
    keys = [
        confidence_target(float(t)).key if pd.notna(t) else str(name)
        for name, t in zip(names, table["target"], strict=True)
    ]
    return pd.Series(keys, index=table.index, dtype=object)


def ordered_keys(table: pd.DataFrame) -> list[str]:
    """Rule keys in reading order: confidence targets by t, then other rules as they come."""
    keys = rule_keys(table)
    targets = table["target"]
    by_t = sorted({(float(t), k) for t, k in zip(targets, keys, strict=True) if pd.notna(t)})
    general = [k for t, k in zip(targets, keys, strict=True) if pd.isna(t)]
    return [k for _, k in by_t] + list(dict.fromkeys(general))


def leaderboard(table: pd.DataFrame) -> pd.DataFrame:
    """Rank entries (model, or model and mode) by score under each rule of a score table.

    Returns one row per entry with columns ``score@<key>`` and ``rank@<key>`` per rule (the key
    is t for a confidence target, e.g. ``score@0.5``, else the rule's name), plus ``flips``: the
    keys (separated by :data:`FLIP_SEPARATOR`) at which the entry's rank differs from its rank
    under the previous rule. Ties share the better rank.
    """
    if table.empty:
        return pd.DataFrame(columns=["entry"])
    modes_per_model = table.groupby("model")["mode"].nunique()
    labels = [
        entry_label(str(m), str(d), int(modes_per_model[m]))
        for m, d in zip(table["model"], table["mode"], strict=True)
    ]
    t2 = table.assign(entry=labels, key=rule_keys(table))
    scores = t2.pivot_table(index="entry", columns="key", values="score", aggfunc="first")
    keys = [k for k in ordered_keys(table) if k in scores.columns]
    ranks = scores.rank(axis=0, ascending=False, method="min")
    out = pd.DataFrame({"entry": scores.index})
    for k in keys:
        out[f"score@{k}"] = scores[k].to_numpy()
        out[f"rank@{k}"] = ranks[k].to_numpy()
    flips: list[str] = []
    for i in range(len(out)):
        changed = []
        for a, b in itertools.pairwise(keys):
            ra, rb = ranks[a].iloc[i], ranks[b].iloc[i]
            if not (math.isnan(ra) or math.isnan(rb)) and ra != rb:
                changed.append(b)
        flips.append(FLIP_SEPARATOR.join(changed))
    out["flips"] = flips
    if not keys:  # no entry has a score (e.g. every outcome was an excluded error)
        return out
    return out.sort_values([f"rank@{keys[0]}", f"rank@{keys[-1]}", "entry"]).reset_index(drop=True)


__all__ = ["FLIP_SEPARATOR", "entry_label", "flip_keys", "leaderboard", "ordered_keys", "rule_keys"]

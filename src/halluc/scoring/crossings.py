"""Where two entries swap places as the confidence target t rises: rank flips.

An entry whose outcomes do not depend on t (imported results: one fixed profile of accuracy a
and wrong-answer rate e) scores ``a - e * t/(1-t)`` at every t: a straight line in the penalty
k = t/(1-t). Two such lines cross at most once, at a t found in closed form
(:func:`crossing_target`). This module is the one place that solves it: the score report lists
these crossings and the report's score-against-t curves use the same solution for their
fixed curves (curves that depend on t are located on a grid there).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from halluc.log.outcomes import Mode
from halluc.render.numbers import snap_noise
from halluc.scoring.rules import confidence_target

Profile = tuple[float, float]
"""(accuracy, wrong-answer rate) of an entry whose outcomes hold at every t."""


@dataclass(frozen=True)
class Crossing:
    """Two entries score the same at ``t``; ``above`` leads for larger t, ``below`` for smaller.

    ``method``: ``exact`` (two fixed outcome profiles, solved in closed form), ``grid`` (exact
    curves, located on a grid of t), or ``interpolated`` (at least one curve known only at
    measured targets: the crossing lies between two of them).
    """

    a: str
    b: str
    t: float
    score: float
    below: str
    above: str
    method: str = "exact"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def crossing_target(acc_a: float, err_a: float, acc_b: float, err_b: float) -> float | None:
    """The t in (0, 1) where two fixed outcome profiles score the same, if any.

    With accuracy a and wrong-answer rate e the score is a - e * t/(1-t); the two lines in
    k = t/(1-t) cross at k = (a_A - a_B)/(e_A - e_B), i.e. t = k/(1+k).
    """
    de = err_a - err_b
    if de == 0:
        return None
    k = (acc_a - acc_b) / de
    if not k > 0 or not math.isfinite(k):
        return None
    t = float(k / (1.0 + k))
    return t if t < 1.0 else None  # a crossing at a penalty too large for a float t


def profile_crossing(a: str, b: str, profile_a: Profile, profile_b: Profile) -> Crossing | None:
    """The crossing of two fixed profiles, with the score there and who leads on each side."""
    t = crossing_target(*profile_a, *profile_b)
    if t is None:
        return None
    acc, err = profile_a
    score = acc - err * confidence_target(t).wrong_penalty
    # Above t the entry with fewer wrong answers leads (its line falls more slowly).
    above, below = (a, b) if profile_a[1] < profile_b[1] else (b, a)
    return Crossing(a, b, t, float(snap_noise(score)), below, above, "exact")


def fixed_crossings(table: pd.DataFrame) -> list[Crossing]:
    """Exact crossings between the entries of a score table whose outcomes hold at every t
    (mode ``imported``), sorted by t."""
    fixed = table[(table["mode"] == Mode.IMPORTED) & table["target"].notna()]
    if fixed.empty:
        return []
    profiles = fixed.groupby("model")[["accuracy", "error_rate"]].first()
    out = []
    for a, b in itertools.combinations(profiles.index, 2):
        pa = tuple(float(x) for x in profiles.loc[a])
        pb = tuple(float(x) for x in profiles.loc[b])
        found = profile_crossing(str(a), str(b), (pa[0], pa[1]), (pb[0], pb[1]))
        if found is not None:
            out.append(found)
    return sorted(out, key=lambda c: (c.t, c.a, c.b))


__all__ = ["Crossing", "Profile", "crossing_target", "fixed_crossings", "profile_crossing"]

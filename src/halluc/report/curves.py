"""Penalized score as a function of the confidence target t, and where two entries cross.

Three kinds of curve, each labelled so the reader knows how far to trust it between targets:

* ``fixed``: outcomes that hold at every t (imported binary results). The score at any t is
  exact: the same outcomes scored with penalty t/(1-t).
* ``policy``: policy-mode records carry the answer's grade (``answer_outcome``) and the
  confidence the policy thresholded. Re-applying "answer iff confidence > t" gives the outcomes
  at any t. The curve is used only where it reproduces the recorded outcomes at every target
  that was run; otherwise the entry falls back to ``measured``.
* ``measured``: behaviour that changes with t in ways only a run can tell (instructed mode).
  Only the evaluated targets are known; the plot joins them with straight dotted lines.

This module only counts outcomes at each t; scores are the mean points of the scoring rule
(:func:`halluc.scoring.rules.confidence_target`) after the error policy
(:func:`halluc.scoring.rules.scored_counts`), the same arithmetic as
:func:`halluc.scoring.metrics.summarize`, vectorized over the grid of t (a test checks they agree at
every evaluated target). Only confidence-target rows of a score table lie on the t axis; rows of
general rules are left out here. Crossings of two fixed curves are solved exactly by
:mod:`halluc.scoring.crossings`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from halluc.log.outcomes import DEFAULT_MODE, Outcome, outcome_codes
from halluc.log.records import Record
from halluc.scoring.crossings import Crossing, profile_crossing
from halluc.scoring.leaderboard import entry_label
from halluc.scoring.metrics import (
    COUNT_COLUMNS,
    DEFAULT_TARGETS,
    MetricSettings,
    as_frame,
    outcome_counts,
    summarize,
)
from halluc.scoring.rules import ErrorPolicy, confidence_target, scored_counts

FloatArray = npt.NDArray[np.float64]
CurveKind = Literal["fixed", "policy", "measured"]
DEFAULT_T_MAX = 0.95
DEFAULT_STEP = 0.0025
DEFAULT_MERGE = 0.05


@dataclass(frozen=True)
class ScoreCurve:
    entry: str
    model: str
    mode: str
    kind: CurveKind
    t: FloatArray
    score: FloatArray
    measured_t: FloatArray
    measured_score: FloatArray
    measured_lo: FloatArray
    measured_hi: FloatArray
    always_answer: FloatArray
    note: str = ""

    def on_grid(self, grid: FloatArray) -> FloatArray:
        """Values on ``grid``: exact for fixed/policy curves, linear between measured targets
        (``nan`` outside the measured range)."""
        if self.kind != "measured":
            return np.interp(grid, self.t, self.score)
        ok = np.isfinite(self.measured_score)
        mt, ms = self.measured_t[ok], self.measured_score[ok]
        if mt.size == 0:
            return np.full(grid.size, np.nan)
        out = np.interp(grid, mt, ms)
        out[(grid < mt.min() - 1e-12) | (grid > mt.max() + 1e-12)] = np.nan
        return np.asarray(out, dtype=np.float64)


@dataclass
class ScoreCurves:
    curves: list[ScoreCurve]
    crossings: list[Crossing] = field(default_factory=list)
    t_max: float = DEFAULT_T_MAX
    grid: FloatArray = field(default_factory=lambda: np.zeros(0))


def _col(frame: pd.DataFrame, name: str) -> FloatArray:
    return frame[name].to_numpy(dtype=np.float64)


def _curve(
    entry: str,
    model: str,
    mode: str,
    rows: pd.DataFrame,
    kind: CurveKind,
    t: FloatArray,
    score: FloatArray,
    note: str,
) -> ScoreCurve:
    """A curve with the measured points (rows of the summarize table) attached."""
    return ScoreCurve(
        entry=entry,
        model=model,
        mode=mode,
        kind=kind,
        t=t,
        score=score,
        measured_t=_col(rows, "target"),
        measured_score=_col(rows, "score"),
        measured_lo=_col(rows, "score_lo"),
        measured_hi=_col(rows, "score_hi"),
        always_answer=_col(rows, "always_answer_score"),
        note=note,
    )


def rule_points(grid: FloatArray) -> FloatArray:
    """Points of (correct, incorrect, abstained) under the rule of each t in ``grid``; the
    error policy has already moved errors among these (:func:`scored_counts`)."""
    return np.array([confidence_target(float(t)).answered_points() for t in grid])


def grid_scores(
    counts: npt.ArrayLike, grid: FloatArray, policy: ErrorPolicy, points: FloatArray | None = None
) -> FloatArray:
    """Penalized score at each t of ``grid`` from (len(grid), 4) outcome counts."""
    scored = scored_counts(counts, policy).astype(np.float64)
    pts = rule_points(grid) if points is None else points
    n = scored.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = np.where(n > 0, (scored * pts).sum(axis=1) / n, np.nan)
    return out


def _policy_counts(part: pd.DataFrame, grid: FloatArray) -> pd.DataFrame | None:
    """Outcome counts at each t of ``grid`` from re-applying "answer iff confidence > t" to one
    pass of answers, or None when the records do not allow it."""
    if "answer_outcome" not in part.columns:
        return None
    # An answered or failed item whose answer grade was not written has the grade it got.
    missing = part["answer_outcome"].isna()
    if (missing & (part["outcome"].astype(str) == str(Outcome.ABSTAINED))).any():
        return None
    part = part.assign(
        answer_outcome=part["answer_outcome"].astype(object).where(~missing, part["outcome"])
    )
    first_t = part["target"].min()
    if math.isnan(first_t):
        return None
    one = part[part["target"] == first_t]
    if one["item_id"].duplicated().any():
        return None
    ans = outcome_codes(one["answer_outcome"], field="answer_outcome")
    conf = one["confidence"].to_numpy(dtype=np.float64, na_value=np.nan)
    graded = (ans == Outcome.CORRECT.code) | (ans == Outcome.INCORRECT.code)
    if np.isnan(conf[graded]).any():
        return None
    counts = np.zeros((grid.size, 4), dtype=np.int64)
    counts[:, Outcome.ERROR.code] = int((ans == Outcome.ERROR.code).sum())
    fixed_idk = int((ans == Outcome.ABSTAINED.code).sum())
    for code in (Outcome.CORRECT.code, Outcome.INCORRECT.code):
        q = np.sort(conf[ans == code])
        answered = q.size - np.searchsorted(q, grid, side="right")  # confidence > t
        counts[:, code] = answered
        counts[:, Outcome.ABSTAINED.code] += q.size - answered
    counts[:, Outcome.ABSTAINED.code] += fixed_idk
    out = pd.DataFrame(counts, columns=COUNT_COLUMNS)
    out.insert(0, "target", grid)
    return out


def _matches_measured(policy: pd.DataFrame, measured: pd.DataFrame) -> bool:
    for _, row in measured.iterrows():
        hit = policy[np.isclose(policy["target"], row["target"], atol=1e-12, rtol=0)]
        if hit.empty:
            return False
        got = hit.iloc[0][COUNT_COLUMNS].to_numpy(dtype=np.int64)
        if not np.array_equal(got, row[COUNT_COLUMNS].to_numpy(dtype=np.int64)):
            return False
    return True


def score_curves(
    data: pd.DataFrame | Iterable[Record],
    *,
    table: pd.DataFrame | None = None,
    targets: Sequence[float] | None = None,
    settings: MetricSettings | None = None,
    t_max: float = DEFAULT_T_MAX,
    step: float = DEFAULT_STEP,
) -> ScoreCurves:
    """Score-against-t curves for every (model, mode) of the records, and their crossings.

    ``table`` is the :func:`halluc.scoring.metrics.summarize` table of the same records
    (computed when not given); its rows are the measured points, with their intervals.
    """
    s = settings or MetricSettings()
    frame = as_frame(data)
    if not 0 < t_max < 1:
        raise ValueError(f"t_max must be in (0, 1), got {t_max}")
    if "mode" not in frame.columns:
        frame = frame.assign(mode=str(DEFAULT_MODE))
    frame = frame.assign(mode=frame["mode"].fillna(str(DEFAULT_MODE)))
    if table is None:
        found = sorted(set(frame["target"].dropna().tolist()))
        tg = list(targets) if targets is not None else (found or list(DEFAULT_TARGETS))
        table = summarize(frame, tg, s)
    table = table[table["target"].notna()]
    measured_ts = table["target"].to_numpy(dtype=np.float64)
    raw_grid = np.r_[np.arange(0.0, t_max + step / 2, step), measured_ts[measured_ts <= t_max]]
    grid: FloatArray = np.unique(np.round(raw_grid, 12)).astype(np.float64)
    modes_per_model = frame.groupby("model")["mode"].nunique()
    points = rule_points(grid)
    curves: list[ScoreCurve] = []
    for (model, mode), part in frame.groupby(["model", "mode"], sort=True):
        m, d = str(model), str(mode)
        rows = table[(table["model"] == m) & (table["mode"] == d)].sort_values("target")

        label = entry_label(m, d, int(modes_per_model.loc[m]))

        def curve(kind: CurveKind, t: FloatArray, score: FloatArray, note: str) -> ScoreCurve:
            return _curve(label, m, d, rows, kind, t, score, note)  # noqa: B023 (called at once)

        if part["target"].isna().all():
            one = outcome_counts(part, [0.0])[COUNT_COLUMNS].to_numpy(dtype=np.int64)
            counts = np.repeat(one, grid.size, axis=0)
            note = "outcomes do not depend on t: exact at every t"
            curves.append(
                curve("fixed", grid, grid_scores(counts, grid, s.error_policy, points), note)
            )
            continue
        note = "behaviour depends on t: known at the evaluated targets only"
        if part["target"].notna().all() and part["confidence"].notna().any():
            pol = _policy_counts(part, grid)
            if pol is not None and _matches_measured(pol, outcome_counts(part, None)):
                counts = pol[COUNT_COLUMNS].to_numpy(dtype=np.int64)
                note = (
                    "answer iff confidence > t, re-applied at every t; reproduces the recorded "
                    "outcomes at every evaluated t"
                )
                scores = grid_scores(counts, grid, s.error_policy, points)
                curves.append(curve("policy", grid, scores, note))
                continue
            note = (
                "confidences recorded, but re-applying 'answer iff confidence > t' does not "
                "reproduce the recorded outcomes; only evaluated targets are shown"
            )
        curves.append(curve("measured", _col(rows, "target"), _col(rows, "score"), note))
    out = ScoreCurves(curves, [], t_max, grid)
    out.crossings = find_crossings(out, table)
    return out


def _profile(table: pd.DataFrame, curve: ScoreCurve) -> tuple[float, float]:
    rows = table[(table["model"] == curve.model) & (table["mode"] == curve.mode)]
    first = rows.iloc[0]
    return float(first["accuracy"]), float(first["error_rate"])


def find_crossings(
    curves: ScoreCurves, table: pd.DataFrame, *, merge_within: float = DEFAULT_MERGE
) -> list[Crossing]:
    """Every t in (0, t_max] where two curves change order (a rank flip).

    Policy curves are step functions of t (each answer drops out at its own confidence), so
    two close ones can swap back and forth many times. Flips of one pair that follow each
    other within ``merge_within`` are merged: an even run cancels out (no lasting change of
    order) and an odd run counts once, at its middle flip. ``merge_within=0`` keeps all.
    """
    grid = curves.grid
    values = {c.entry: c.on_grid(grid) for c in curves.curves}
    out: list[Crossing] = []
    for ca, cb in itertools.combinations(curves.curves, 2):
        d = values[ca.entry] - values[cb.entry]
        ok = np.flatnonzero(np.isfinite(d) & (d != 0))
        if ok.size < 2:
            continue
        sign = np.sign(d[ok])
        pair: list[Crossing] = []
        for k in np.flatnonzero(sign[1:] != sign[:-1]):
            i, j = int(ok[k]), int(ok[k + 1])
            if ca.kind == "fixed" and cb.kind == "fixed":
                exact = profile_crossing(
                    ca.entry, cb.entry, _profile(table, ca), _profile(table, cb)
                )
                if exact is not None and grid[i] <= exact.t <= grid[j]:
                    pair.append(exact)
                continue
            t = float(grid[i] + (grid[j] - grid[i]) * d[i] / (d[i] - d[j]))
            score = float(np.interp(t, grid, values[ca.entry]))
            method = "interpolated" if "measured" in (ca.kind, cb.kind) else "grid"
            above, below = (ca.entry, cb.entry) if d[j] > 0 else (cb.entry, ca.entry)
            pair.append(Crossing(ca.entry, cb.entry, t, score, below, above, method))
        out += _merge_flips(pair, merge_within)
    return sorted(out, key=lambda c: (c.t, c.a, c.b))


def _merge_flips(pair: list[Crossing], window: float) -> list[Crossing]:
    if window <= 0 or len(pair) < 2:
        return pair
    runs: list[list[Crossing]] = [[pair[0]]]
    for x in pair[1:]:
        if x.t - runs[-1][-1].t < window:
            runs[-1].append(x)
        else:
            runs.append([x])
    kept = []
    for run in runs:
        if len(run) % 2 == 1:
            first, last, mid = run[0], run[-1], run[len(run) // 2]
            # The lasting change: who led before the run, who leads after it.
            kept.append(
                Crossing(
                    mid.a,
                    mid.b,
                    mid.t,
                    mid.score,
                    first.below,
                    last.above,
                    mid.method if len(run) == 1 else f"{mid.method}, merged",
                )
            )
    return kept


__all__ = ["Crossing", "ScoreCurve", "ScoreCurves", "find_crossings", "score_curves"]

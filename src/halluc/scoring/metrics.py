"""Metrics per model, mode and confidence target, derived late from categorical outcomes.

Every metric is a function of four counts per group (correct, incorrect, abstained, error), so
the work is one pass to count and then arithmetic on a few numbers per group. The ``error``
outcome is handled by an explicit :class:`~halluc.scoring.rules.ErrorPolicy` and always reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from halluc.log.outcomes import DEFAULT_MODE, Mode, Outcome, outcome_codes
from halluc.log.records import Record, records_to_frame
from halluc.scoring.intervals import FloatArray, bootstrap_counts, wilson_interval
from halluc.scoring.rules import ErrorPolicy, check_target, penalty

DEFAULT_TARGETS: tuple[float, ...] = (0.0, 0.5, 0.75, 0.9)
GROUP = ["model", "mode", "target"]
COUNT_COLUMNS = ["correct", "incorrect", "abstained", "error"]


@dataclass(frozen=True, slots=True)
class MetricSettings:
    """The parameters every printed number depends on; saved beside the numbers."""

    error_policy: ErrorPolicy = ErrorPolicy.EXCLUDE
    confidence: float = 0.95
    n_boot: int = 2000
    seed: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "error_policy": str(self.error_policy),
            "interval_level": self.confidence,
            "rate_interval": "wilson",
            "score_interval": f"percentile bootstrap, {self.n_boot} multinomial resamples",
            "seed": self.seed,
        }


def as_frame(data: pd.DataFrame | Iterable[Record]) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    return records_to_frame(data)


def _codes(frame: pd.DataFrame, column: str) -> npt.NDArray[np.int8]:
    col = frame[column]
    if pd.api.types.is_integer_dtype(col.dtype):
        return col.to_numpy(dtype=np.int8)
    return outcome_codes(col, field=column)


def outcome_counts(
    data: pd.DataFrame | Iterable[Record],
    targets: Sequence[float] | None = None,
    *,
    column: str = "outcome",
) -> pd.DataFrame:
    """Counts of each outcome per (model, mode, target).

    Rows whose ``target`` is missing hold at every t: their counts are repeated for each
    requested target. Rows with a target are kept when it is among ``targets`` (all of them when
    ``targets`` is None). Missing ``mode`` means :data:`~halluc.log.outcomes.DEFAULT_MODE`.
    """
    frame = as_frame(data)
    if len(frame) == 0:
        return pd.DataFrame(columns=[*GROUP, *COUNT_COLUMNS])
    wanted = None if targets is None else [check_target(t) for t in targets]
    mask_col = frame[column].notna() if column != "outcome" else None
    if mask_col is not None:
        frame = frame[mask_col]
    codes = _codes(frame, column)
    model_codes, models = pd.factorize(frame["model"], sort=True)
    if "mode" in frame.columns:
        mode_codes, modes = pd.factorize(frame["mode"].fillna(str(DEFAULT_MODE)), sort=True)
    else:
        mode_codes, modes = np.zeros(len(frame), dtype=np.int64), pd.Index([str(DEFAULT_MODE)])
    if "target" in frame.columns:
        tvals = frame["target"].to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        tvals = np.full(len(frame), np.nan)
    agnostic = np.isnan(tvals)
    target_codes, target_values = pd.factorize(np.where(agnostic, -1.0, tvals), sort=True)
    n_m, n_d, n_t = len(models), len(modes), len(target_values)
    group = (model_codes.astype(np.int64) * n_d + mode_codes) * n_t + target_codes
    flat = np.bincount(group * 4 + codes, minlength=n_m * n_d * n_t * 4)
    counts = flat.reshape(n_m, n_d, n_t, 4)
    rows: list[tuple[object, ...]] = []
    tv = np.asarray(target_values, dtype=np.float64)
    for mi in range(n_m):
        for di in range(n_d):
            for ti in range(n_t):
                c = counts[mi, di, ti]
                if c.sum() == 0:
                    continue
                t = float(tv[ti])
                if t < 0:
                    for w in wanted if wanted is not None else DEFAULT_TARGETS:
                        rows.append((models[mi], modes[di], w, *c))
                elif wanted is None or t in wanted:
                    rows.append((models[mi], modes[di], t, *c))
    out = pd.DataFrame(rows, columns=[*GROUP, *COUNT_COLUMNS])
    # Target-agnostic and targeted rows of the same group add up.
    out = out.groupby(GROUP, as_index=False, sort=True)[COUNT_COLUMNS].sum()
    for col in COUNT_COLUMNS:
        out[col] = out[col].astype(np.int64)
    return out


def apply_error_policy(counts: npt.ArrayLike, policy: ErrorPolicy) -> npt.NDArray[np.int64]:
    """(…, 4) counts to (…, 3) scored counts (correct, incorrect, abstained)."""
    c = np.asarray(counts, dtype=np.int64)
    scored = c[..., :3].copy()
    if policy is ErrorPolicy.AS_WRONG:
        scored[..., 1] += c[..., 3]
    elif policy is ErrorPolicy.AS_ABSTAINED:
        scored[..., 2] += c[..., 3]
    return scored


def _score(counts3: FloatArray, pen: float | FloatArray) -> FloatArray:
    n = counts3.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((counts3[..., 0] - pen * counts3[..., 1]) / n, dtype=np.float64)


def _f_score(counts3: FloatArray) -> FloatArray:
    """SimpleQA's F-score: harmonic mean of accuracy and accuracy given attempted."""
    n = counts3.sum(axis=-1)
    attempted = counts3[..., 0] + counts3[..., 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        acc = counts3[..., 0] / n
        aga = counts3[..., 0] / attempted
        f = 2 * acc * aga / (acc + aga)
    return np.asarray(np.where((acc == 0) & (attempted > 0), 0.0, f), dtype=np.float64)


def metrics_from_counts(
    counts: pd.DataFrame, settings: MetricSettings | None = None
) -> pd.DataFrame:
    """All metrics with intervals from a table of outcome counts (see :func:`outcome_counts`)."""
    s = settings or MetricSettings()
    out = counts.copy()
    raw = out[COUNT_COLUMNS].to_numpy(dtype=np.int64)
    scored = apply_error_policy(raw, s.error_policy)
    n_total = raw.sum(axis=1)
    n = scored.sum(axis=1)
    attempted = scored[:, 0] + scored[:, 1]
    pens = np.array([penalty(t) for t in out["target"]], dtype=np.float64)
    out["penalty"] = pens
    out["n"] = n_total
    out["n_scored"] = n
    out["error_policy"] = str(s.error_policy)
    with np.errstate(invalid="ignore", divide="ignore"):
        for name, k, d in (
            ("accuracy", scored[:, 0], n),
            ("error_rate", scored[:, 1], n),
            ("abstention_rate", scored[:, 2], n),
            ("answer_rate", attempted, n),
            ("error_outcome_rate", raw[:, 3], n_total),
            ("accuracy_given_attempted", scored[:, 0], attempted),
        ):
            out[name] = np.where(d > 0, k / np.maximum(d, 1), np.nan)
            rate_lo, rate_hi = wilson_interval(k, d, s.confidence)
            out[f"{name}_lo"], out[f"{name}_hi"] = rate_lo, rate_hi
    f3 = scored.astype(np.float64)
    out["f_score"] = _f_score(f3)
    out["score"] = _score(f3, pens)
    bounds = np.full((len(out), 4), np.nan)
    for i in range(len(out)):
        pen = float(pens[i])

        def score_stat(d: FloatArray, pen: float = pen) -> FloatArray:
            return _score(d, pen)

        bounds[i, :2] = bootstrap_counts(
            scored[i], score_stat, n_boot=s.n_boot, confidence=s.confidence, seed=s.seed + i
        )
        bounds[i, 2:] = bootstrap_counts(
            scored[i], _f_score, n_boot=s.n_boot, confidence=s.confidence, seed=s.seed + i
        )
    out["score_lo"], out["score_hi"] = bounds[:, 0], bounds[:, 1]
    out["f_score_lo"], out["f_score_hi"] = bounds[:, 2], bounds[:, 3]
    return out


def summarize(
    data: pd.DataFrame | Iterable[Record],
    targets: Sequence[float] | None = DEFAULT_TARGETS,
    settings: MetricSettings | None = None,
) -> pd.DataFrame:
    """The confidence-target table: one row per (model, mode, t) with every metric.

    Also adds the baselines: ``always_abstain_score`` (0, the IDK credit) and
    ``always_answer_score``, the score the same answers would get if none were withheld. It is
    computed from ``answer_outcome`` where records carry it (policy mode), else from the same
    model in ``instructed`` mode at t = 0 (the best-guess instruction, whose abstentions
    stay abstentions), else it is missing.
    """
    frame = as_frame(data)
    s = settings or MetricSettings()
    table = metrics_from_counts(outcome_counts(frame, targets), s)
    table["always_abstain_score"] = 0.0
    table["always_answer_score"] = np.nan
    table["always_answer_source"] = None
    if len(table) == 0:
        return table
    has_answer = "answer_outcome" in frame.columns and frame["answer_outcome"].notna().any()
    if has_answer:
        answered = frame[frame["answer_outcome"].notna()]
        base = outcome_counts(answered, targets, column="answer_outcome")
        base_metrics = metrics_from_counts(base, MetricSettings(s.error_policy, s.confidence, 0))
        merged = table[GROUP].merge(base_metrics[[*GROUP, "score"]], on=GROUP, how="left")
        found = merged["score"].notna().to_numpy()
        table.loc[found, "always_answer_score"] = merged.loc[found, "score"].to_numpy()
        table.loc[found, "always_answer_source"] = "answer_outcome"
    zero = table[(table["target"] == 0.0) & (table["mode"] == Mode.INSTRUCTED)]
    for _, row in zero.iterrows():
        mask = (
            (table["model"] == row["model"])
            & (table["mode"] == row["mode"])
            & table["always_answer_score"].isna()
        )
        if not mask.any():
            continue
        c3 = apply_error_policy(row[COUNT_COLUMNS].to_numpy(dtype=np.int64), s.error_policy)
        pens = table.loc[mask, "penalty"].to_numpy()
        n = c3.sum()
        table.loc[mask, "always_answer_score"] = (c3[0] - pens * c3[1]) / n if n else np.nan
        table.loc[mask, "always_answer_source"] = "t=0 answers"
    return table


@dataclass(frozen=True, slots=True)
class PairedDifference:
    model_a: str
    model_b: str
    target: float
    n_items: int
    n_excluded: int
    difference: float
    lo: float
    hi: float


def paired_difference(
    data: pd.DataFrame | Iterable[Record],
    model_a: str,
    model_b: str,
    target: float,
    settings: MetricSettings | None = None,
    *,
    mode: str | None = None,
) -> PairedDifference:
    """Score of A minus score of B at target t on the items both answered, with a paired
    bootstrap interval (the joint outcome table of the pairs is resampled)."""
    s = settings or MetricSettings()
    t = check_target(target)
    pen = penalty(t)
    frame = as_frame(data)
    if mode is not None and "mode" in frame.columns:
        frame = frame[frame["mode"] == mode]
    if "target" in frame.columns:
        tv = frame["target"]
        frame = frame[tv.isna() | (tv == t)]
    sides = []
    for m in (model_a, model_b):
        part = frame[frame["model"] == m]
        if part.empty:
            raise ValueError(f"no records for model {m!r} at t={t:g}")
        if part["item_id"].duplicated().any():
            raise ValueError(f"model {m!r} has several records per item at t={t:g}; pick a mode")
        sides.append(pd.Series(_codes(part, "outcome"), index=part["item_id"].to_numpy()))
    joined = pd.concat(sides, axis=1, join="inner").to_numpy(dtype=np.int64)
    err = Outcome.ERROR.code
    remap = np.arange(4)
    if s.error_policy is ErrorPolicy.AS_WRONG:
        remap[err] = Outcome.INCORRECT.code
    elif s.error_policy is ErrorPolicy.AS_ABSTAINED:
        remap[err] = Outcome.ABSTAINED.code
    joined = remap[joined]
    keep = (joined != err).all(axis=1)
    excluded = int((~keep).sum())
    pairs = joined[keep]
    pts = np.array([1.0, -pen, 0.0])
    table = np.bincount(pairs[:, 0] * 3 + pairs[:, 1], minlength=9)
    diff_pts = (pts[:, None] - pts[None, :]).reshape(-1)

    def stat(d: FloatArray) -> FloatArray:
        return np.asarray((d @ diff_pts) / d.sum(axis=-1), dtype=np.float64)

    n = int(table.sum())
    diff = float(stat(table.astype(np.float64)[None, :])[0]) if n else float("nan")
    lo, hi = bootstrap_counts(table, stat, n_boot=s.n_boot, confidence=s.confidence, seed=s.seed)
    return PairedDifference(model_a, model_b, t, n, excluded, diff, lo, hi)

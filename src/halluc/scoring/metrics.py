"""Metrics per model, mode and scoring rule, derived late from categorical outcomes.

Points come from :class:`~halluc.scoring.rules.ScoringRule` alone (confidence targets are the
common case; ``general(idk_credit, wrong_penalty)`` rules flow through the same code). Every
metric is a function of four counts per group (correct, incorrect, abstained, error), so the
work is one pass to count and then arithmetic on a few numbers per group. The ``error``
outcome is handled by an explicit :class:`~halluc.scoring.rules.ErrorPolicy` and always reported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from halluc.errors import InputError
from halluc.log.outcomes import DEFAULT_MODE, N_OUTCOMES, Mode, Outcome, outcome_codes
from halluc.log.records import Record, records_to_frame
from halluc.render.numbers import snap_noise
from halluc.scoring.intervals import FloatArray, bootstrap_counts, wilson_interval
from halluc.scoring.rules import (
    ErrorPolicy,
    ScoringRule,
    as_rules,
    confidence_target,
    mean_points,
    scored_counts,
)

DEFAULT_TARGETS: tuple[float, ...] = (0.0, 0.5, 0.75, 0.9)
GROUP = ["model", "mode", "rule"]
"""A row of the score table: one model, mode and scoring rule."""
RULE_COLUMNS = ["rule", "target", "idk_credit", "penalty"]
"""What a row says about its rule: name, t (nan for a general rule), IDK credit, penalty."""
COUNT_COLUMNS = ["correct", "incorrect", "abstained", "error"]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class MetricSettings:
    """The parameters every printed number depends on; saved beside the numbers."""

    error_policy: ErrorPolicy = ErrorPolicy.EXCLUDE
    confidence: float = 0.95
    n_boot: int = 2000
    seed: int = 0

    def __post_init__(self) -> None:
        if self.n_boot < 1:
            raise InputError(f"must be at least 1, got {self.n_boot}", field="n_boot")
        if not 0.0 < self.confidence < 1.0:
            raise InputError(f"must be in (0, 1), got {self.confidence}", field="confidence")

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
    rules: Sequence[ScoringRule] | None = None,
) -> pd.DataFrame:
    """Counts of each outcome per (model, mode, rule).

    A rule counts the rows obtained under it (a record's ``target`` equal to the rule's t) and
    every row whose ``target`` is missing: such outcomes hold under any rule. ``rules`` replaces
    ``targets`` (the shorthand for ``confidence_target(t)`` per t); with neither, every target
    found in the data is used, and :data:`DEFAULT_TARGETS` for target-free rows. Missing
    ``mode`` means :data:`~halluc.log.outcomes.DEFAULT_MODE`.
    """
    frame = as_frame(data)
    if column != "outcome" and len(frame):
        frame = frame[frame[column].notna()]
    if len(frame) == 0:
        return pd.DataFrame(columns=[*GROUP, "target", *COUNT_COLUMNS])
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
    target_codes, target_values = pd.factorize(np.where(np.isnan(tvals), -1.0, tvals), sort=True)
    tv = np.asarray(target_values, dtype=np.float64)
    n_m, n_d, n_t = len(models), len(modes), len(tv)
    group = (model_codes.astype(np.int64) * n_d + mode_codes) * n_t + target_codes
    flat = np.bincount(group * N_OUTCOMES + codes, minlength=n_m * n_d * n_t * N_OUTCOMES)
    counts = flat.reshape(n_m, n_d, n_t, N_OUTCOMES)
    if rules is None and targets is None:
        found = {float(t) for t in tv if t >= 0} | (set(DEFAULT_TARGETS) if tv[0] < 0 else set())
        targets = sorted(found)
    chosen = as_rules(targets, rules)
    per_rule = np.zeros((n_m, n_d, len(chosen), N_OUTCOMES), dtype=np.int64)
    for r, rule in enumerate(chosen):
        # Target-free outcomes hold under every rule; targeted ones under their own t only.
        hits = np.flatnonzero((tv < 0) | (tv == (np.nan if rule.target is None else rule.target)))
        per_rule[:, :, r] = counts[:, :, hits].sum(axis=2)
    mi, di, ri = np.nonzero(per_rule.sum(axis=3))
    out = pd.DataFrame(
        {
            "model": np.asarray(models, dtype=object)[mi],
            "mode": np.asarray(modes, dtype=object)[di],
            "rule": [chosen[r].name for r in ri],
            "target": [chosen[r].parameters()["target"] for r in ri],
        }
    )
    out["target"] = out["target"].astype(np.float64)
    for k, col in enumerate(COUNT_COLUMNS):
        out[col] = per_rule[mi, di, ri, k].astype(np.int64)
    return out


def _row_rules(counts: pd.DataFrame, rules: Sequence[ScoringRule] | None) -> list[ScoringRule]:
    """The rule of each row of a counts table: found by name among ``rules``, else the
    confidence target of the row's ``target``."""
    by_name = {r.name: r for r in rules or ()}
    names = counts["rule"] if "rule" in counts.columns else [None] * len(counts)
    out = []
    for name, t in zip(names, counts["target"], strict=True):
        if name in by_name:
            out.append(by_name[name])
        elif pd.notna(t):
            out.append(confidence_target(float(t)))
        else:
            raise ValueError(f"rule {name!r} of a counts row is not among the rules given")
    return out


def f_score(counts3: npt.ArrayLike) -> FloatArray:
    """SimpleQA's F-score from (..., 3) scored counts: the harmonic mean of accuracy and
    accuracy given attempted (0 when nothing attempted was right, nan when nothing was)."""
    c = np.asarray(counts3, dtype=np.float64)
    n = c.sum(axis=-1)
    attempted = c[..., 0] + c[..., 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        acc = c[..., 0] / n
        aga = c[..., 0] / attempted
        f = 2 * acc * aga / (acc + aga)
    return np.asarray(np.where((acc == 0) & (attempted > 0), 0.0, f), dtype=np.float64)


def rate_parts(counts: npt.ArrayLike, policy: ErrorPolicy) -> dict[str, tuple[IntArray, IntArray]]:
    """Numerator and denominator of every rate, from (..., 4) outcome counts: accuracy, wrong,
    abstention and answer rates over scored items, the error outcome over all items, and
    accuracy over attempted items."""
    raw = np.asarray(counts, dtype=np.int64)
    scored = scored_counts(raw, policy)
    n, attempted = scored.sum(axis=-1), scored[..., 0] + scored[..., 1]
    return {
        "accuracy": (scored[..., 0], n),
        "error_rate": (scored[..., 1], n),
        "abstention_rate": (scored[..., 2], n),
        "answer_rate": (attempted, n),
        "error_outcome_rate": (raw[..., 3], raw.sum(axis=-1)),
        "accuracy_given_attempted": (scored[..., 0], attempted),
    }


def ratio(k: npt.ArrayLike, d: npt.ArrayLike) -> FloatArray:
    """k / d, nan where d is 0."""
    kk, dd = np.asarray(k, dtype=np.float64), np.asarray(d, dtype=np.float64)
    return np.asarray(np.where(dd > 0, kk / np.maximum(dd, 1), np.nan), dtype=np.float64)


def _rates(out: pd.DataFrame, raw: IntArray, s: MetricSettings) -> None:
    """Every rate with its Wilson interval, added to ``out`` in place."""
    for name, (k, d) in rate_parts(raw, s.error_policy).items():
        out[name] = ratio(k, d)
        out[f"{name}_lo"], out[f"{name}_hi"] = wilson_interval(k, d, s.confidence)


def _scores(
    out: pd.DataFrame, scored: IntArray, rules: Sequence[ScoringRule], s: MetricSettings
) -> None:
    """The rule's mean points and SimpleQA's F-score, each with its bootstrap interval."""
    f3 = scored.astype(np.float64)
    out["f_score"] = f_score(f3)
    out["score"] = [float(mean_points(c, rule)) for c, rule in zip(f3, rules, strict=True)]
    bounds = np.full((len(out), 4), np.nan)
    for i, rule in enumerate(rules):

        def score_stat(d: FloatArray, rule: ScoringRule = rule) -> FloatArray:
            return mean_points(d, rule)

        boot = {"n_boot": s.n_boot, "confidence": s.confidence, "seed": s.seed + i}
        bounds[i, :2] = bootstrap_counts(scored[i], score_stat, **boot)  # type: ignore[arg-type]
        bounds[i, 2:] = bootstrap_counts(scored[i], f_score, **boot)  # type: ignore[arg-type]
    out["score_lo"], out["score_hi"] = bounds[:, 0], bounds[:, 1]
    out["f_score_lo"], out["f_score_hi"] = bounds[:, 2], bounds[:, 3]


def metrics_from_counts(
    counts: pd.DataFrame,
    settings: MetricSettings | None = None,
    rules: Sequence[ScoringRule] | None = None,
) -> pd.DataFrame:
    """All metrics with intervals from a table of outcome counts (see :func:`outcome_counts`).

    Points come from each row's :class:`~halluc.scoring.rules.ScoringRule` (its name in
    ``rules``, else the confidence target of its ``target``); the row carries the rule's name
    and parameters.
    """
    s = settings or MetricSettings()
    row_rules = _row_rules(counts, rules)
    params = pd.DataFrame([r.parameters() for r in row_rules], columns=RULE_COLUMNS)
    keys = counts[["model", "mode"]].reset_index(drop=True)
    out = pd.concat([keys, params, counts[COUNT_COLUMNS].reset_index(drop=True)], axis=1)
    out["target"] = out["target"].astype(np.float64)
    raw = out[COUNT_COLUMNS].to_numpy(dtype=np.int64)
    scored = scored_counts(raw, s.error_policy)
    out["n"] = raw.sum(axis=1)
    out["n_scored"] = scored.sum(axis=1)
    out["error_policy"] = str(s.error_policy)
    _rates(out, raw, s)
    _scores(out, scored, row_rules, s)
    floats = out.select_dtypes(include="float64").columns
    out[floats] = snap_noise(out[floats].to_numpy())
    return out


def summarize(
    data: pd.DataFrame | Iterable[Record],
    targets: Sequence[float] | None = DEFAULT_TARGETS,
    settings: MetricSettings | None = None,
    *,
    rules: Sequence[ScoringRule] | None = None,
) -> pd.DataFrame:
    """The score table: one row per (model, mode, rule) with every metric.

    ``rules`` (any :class:`~halluc.scoring.rules.ScoringRule`, e.g. ``general(0.25, 1)``)
    replaces ``targets``, the shorthand for ``confidence_target(t)`` per t. Also adds the
    baselines: ``always_abstain_score`` (the rule's IDK credit) and ``always_answer_score``,
    the score the same answers would get if none were withheld. It is computed from
    ``answer_outcome`` where records carry it (policy mode), else from the same model in
    ``instructed`` mode at t = 0 (the best-guess instruction, whose abstentions stay
    abstentions), else it is missing.
    """
    frame = as_frame(data)
    s = settings or MetricSettings()
    table = metrics_from_counts(outcome_counts(frame, targets, rules=rules), s, rules)
    table["always_abstain_score"] = table["idk_credit"].astype(np.float64)
    table["always_answer_score"] = np.nan
    table["always_answer_source"] = None
    if len(table) == 0:
        return table
    row_rules = _row_rules(table, rules)
    if "answer_outcome" in frame.columns and frame["answer_outcome"].notna().any():
        base = outcome_counts(frame, targets, column="answer_outcome", rules=rules)
        base_scored = scored_counts(base[COUNT_COLUMNS].to_numpy(np.int64), s.error_policy)
        base["score"] = [
            float(mean_points(c, r))
            for c, r in zip(base_scored, _row_rules(base, rules), strict=True)
        ]
        merged = table[GROUP].merge(base[[*GROUP, "score"]], on=GROUP, how="left")
        found = merged["score"].notna().to_numpy()
        table.loc[found, "always_answer_score"] = merged.loc[found, "score"].to_numpy()
        table.loc[found, "always_answer_source"] = "answer_outcome"
    zero = table[(table["target"] == 0.0) & (table["mode"] == Mode.INSTRUCTED)]
    for _, row in zero.iterrows():
        mask = (
            (table["model"] == row["model"])
            & (table["mode"] == row["mode"])
            & table["always_answer_score"].isna()
        ).to_numpy()
        c3 = scored_counts(row[COUNT_COLUMNS].to_numpy(dtype=np.int64), s.error_policy)
        for i in np.flatnonzero(mask).tolist():
            table.loc[table.index[i], "always_answer_score"] = float(mean_points(c3, row_rules[i]))
            table.loc[table.index[i], "always_answer_source"] = "t=0 answers"
    table["always_answer_score"] = snap_noise(table["always_answer_score"].to_numpy(np.float64))
    return table


@dataclass(frozen=True, slots=True)
class PairedDifference:
    model_a: str
    model_b: str
    target: float | None
    """The rule's confidence target (``None`` for a general rule)."""
    n_items: int
    n_excluded: int
    difference: float
    lo: float
    hi: float
    rule: str = ""
    """The name of the rule that scored both sides."""


def _one_rule(target: float | None, rule: ScoringRule | None) -> ScoringRule:
    if (target is None) == (rule is None):
        raise InputError("give a target or a rule (one of them)", field="rule")
    return rule if rule is not None else confidence_target(float(target or 0))


def paired_difference(
    data: pd.DataFrame | Iterable[Record],
    model_a: str,
    model_b: str,
    target: float | None = None,
    settings: MetricSettings | None = None,
    *,
    mode: str | None = None,
    rule: ScoringRule | None = None,
) -> PairedDifference:
    """Score of A minus score of B under one rule (``rule``, or the confidence target
    ``target``) on the items both answered, with a paired bootstrap interval (the joint
    outcome table of the pairs is resampled)."""
    s = settings or MetricSettings()
    r = _one_rule(target, rule)
    frame = as_frame(data)
    if mode is not None and "mode" in frame.columns:
        frame = frame[frame["mode"] == mode]
    if "target" in frame.columns:
        tv = frame["target"]
        frame = frame[tv.isna() | (tv == r.target)] if r.target is not None else frame[tv.isna()]
    sides = []
    for m in (model_a, model_b):
        part = frame[frame["model"] == m]
        if part.empty:
            raise InputError(f"no records for model {m!r} under {r.name}", field="model")
        if part["item_id"].duplicated().any():
            raise InputError(
                f"model {m!r} has several records per item under {r.name}; pick a mode",
                field="mode",
            )
        sides.append(pd.Series(_codes(part, "outcome"), index=part["item_id"].to_numpy()))
    joined = pd.concat(sides, axis=1, join="inner").to_numpy(dtype=np.int64)
    err = Outcome.ERROR.code
    remap = np.arange(N_OUTCOMES)
    as_outcome = s.error_policy.scored_as
    if as_outcome is not None:
        remap[err] = as_outcome.code
    joined = remap[joined]
    keep = (joined != err).all(axis=1)
    pairs = joined[keep]
    pts = r.answered_points()
    table = np.bincount(pairs[:, 0] * err + pairs[:, 1], minlength=err * err)
    diff_pts = (pts[:, None] - pts[None, :]).reshape(-1)

    def stat(d: FloatArray) -> FloatArray:
        return np.asarray((d @ diff_pts) / d.sum(axis=-1), dtype=np.float64)

    n = int(table.sum())
    diff = float(stat(table.astype(np.float64)[None, :])[0]) if n else float("nan")
    lo, hi = bootstrap_counts(table, stat, n_boot=s.n_boot, confidence=s.confidence, seed=s.seed)
    diff, lo, hi = (float(snap_noise(x)) for x in (diff, lo, hi))
    return PairedDifference(model_a, model_b, r.target, n, int((~keep).sum()), diff, lo, hi, r.name)

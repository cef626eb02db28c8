"""The numbers of the incentives experiment: rates per group, intervals over seeds, contrasts.

Per post-training run, each group of people gets exact rates (:class:`GroupRates`); over seeds,
each (grader, group) gets a mean with a Student-t interval (:class:`GraderRow`), and each
confidence-target grader is set against binary grading with Welch's test (:class:`Contrast`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from halluc.experiments.posttrain import GROUPS, PostTrainLog
from halluc.render.tables import fmt_interval

METRICS = ("idk", "err", "acc", "answer_rate", "greedy_idk")
"""The rates every group gets (besides a score per grader)."""


def grader_name(t: float) -> str:
    return "binary" if t == 0 else f"t={t:g}"


@dataclass(frozen=True, slots=True)
class GroupRates:
    """A policy's exact rates on one group of people, averaged over the people in it."""

    people: int
    acc: float = float("nan")
    err: float = float("nan")
    idk: float = float("nan")
    answer_rate: float = float("nan")
    greedy_idk: float = float("nan")
    """Share of people whose most likely answer is IDK."""
    scores: dict[str, float] = field(default_factory=dict)
    """``score@<grader>``: the expected score acc − t/(1−t)·err."""

    def value(self, key: str) -> float:
        """A rate of :data:`METRICS` or a ``score@`` key."""
        return self.scores[key] if key.startswith("score@") else float(getattr(self, key))

    def to_dict(self) -> dict[str, Any]:
        if not self.people:
            return {"people": 0}
        out = {k: v for k, v in asdict(self).items() if k != "scores"}
        return {**out, **self.scores}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GroupRates:
        if not data.get("people"):
            return cls(0)
        scores = {k: float(v) for k, v in data.items() if k.startswith("score@")}
        rates = {k: float(data[k]) for k in METRICS}
        return cls(int(data["people"]), **rates, scores=scores)


GroupTable = dict[str, GroupRates]
"""Group label -> rates."""


def table_to_dict(table: GroupTable) -> dict[str, Any]:
    return {label: rates.to_dict() for label, rates in table.items()}


def table_from_dict(data: Mapping[str, Any]) -> GroupTable:
    return {label: GroupRates.from_dict(rates) for label, rates in data.items()}


@dataclass(frozen=True, slots=True)
class RunRates:
    """One model's rates on the held-out and on the post-training people (``runs/*.json``)."""

    heldout: GroupTable
    posttrain: GroupTable
    training: PostTrainLog | None = None
    """None for the pre-trained model."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "metrics": table_to_dict(self.heldout),
            "posttrain_metrics": table_to_dict(self.posttrain),
        }
        if self.training is not None:
            out["training"] = self.training.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunRates:
        training = data.get("training")
        return cls(
            table_from_dict(data["metrics"]),
            table_from_dict(data["posttrain_metrics"]),
            None if training is None else PostTrainLog.from_dict(training),
        )


@dataclass(frozen=True, slots=True)
class Interval:
    """A mean over seeds with its 95% Student-t interval."""

    mean: float
    lo: float
    hi: float
    n: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    def cell(self) -> str:
        return fmt_interval(self.mean, self.lo, self.hi)


@dataclass(frozen=True, slots=True)
class Difference:
    """mean(a) − mean(b) with a 95% Welch interval and its two-sided p-value."""

    diff: float
    lo: float
    hi: float
    p: float

    def to_dict(self) -> dict[str, float]:
        return asdict(self)

    def cell(self) -> str:
        return fmt_interval(self.diff, self.lo, self.hi)


def t_interval(values: Sequence[float], confidence: float = 0.95) -> Interval:
    """Mean and Student-t interval over seeds."""
    arr = np.asarray(values, dtype=np.float64)
    mean = float(arr.mean())
    if arr.size < 2:
        return Interval(mean, float("nan"), float("nan"), float(arr.size))
    half = float(
        stats.t.ppf(0.5 + confidence / 2, arr.size - 1) * arr.std(ddof=1) / math.sqrt(arr.size)
    )
    return Interval(mean, mean - half, mean + half, float(arr.size))


def welch_difference(a: Sequence[float], b: Sequence[float]) -> Difference:
    """mean(a) − mean(b) with a 95% Welch interval and its p-value (scipy's Welch t-test).

    When neither sample varies, the t statistic is undefined (scipy gives nan): the difference
    is then exact, its interval a point, and p is 0 for a difference and 1 for none.
    """
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    diff = float(x.mean() - y.mean())
    if x.var(ddof=1) == 0 and y.var(ddof=1) == 0:
        return Difference(diff, diff, diff, 0.0 if diff else 1.0)
    res = stats.ttest_ind(x, y, equal_var=False)
    ci = res.confidence_interval(0.95)
    return Difference(diff, float(ci.low), float(ci.high), float(res.pvalue))


@dataclass(frozen=True, slots=True)
class GraderRow:
    """One (grader, group): each rate and score as a mean with its interval over seeds."""

    grader: str
    group: str
    people: int
    cells: dict[str, Interval]

    def to_dict(self) -> dict[str, Any]:
        rates = {k: v.to_dict() for k, v in self.cells.items()}
        return {"grader": self.grader, "group": self.group, "people": self.people, **rates}


@dataclass(frozen=True, slots=True)
class Contrast:
    """A confidence-target grader against binary grading on one group."""

    grader: str
    versus: str
    group: str
    idk: Difference
    err: Difference

    def to_dict(self) -> dict[str, Any]:
        return {
            "grader": self.grader,
            "versus": self.versus,
            "group": self.group,
            "idk": self.idk.to_dict(),
            "err": self.err.to_dict(),
        }


def _present(per_seed: Sequence[GroupTable], label: str) -> list[GroupRates]:
    return [r[label] for r in per_seed if label in r and r[label].people > 0]


def aggregate(
    runs: Mapping[str, Sequence[GroupTable]], targets: Sequence[float]
) -> list[GraderRow]:
    """Rows (grader, group) with each metric's mean and interval over seeds."""
    keys = (*METRICS, *(f"score@{grader_name(t)}" for t in targets))
    table = []
    for grader, per_seed in runs.items():
        for g in GROUPS:
            present = _present(per_seed, g.label)
            if present:
                cells = {k: t_interval([r.value(k) for r in present]) for k in keys}
                table.append(GraderRow(grader, g.label, present[0].people, cells))
    return table


def contrasts_of(
    per_grader: Mapping[str, Sequence[GroupTable]], targets: Sequence[float]
) -> list[Contrast]:
    """IDK and error rate of each confidence-target grader minus binary's, per group."""
    if "binary" not in per_grader:
        return []
    out = []
    for name in (grader_name(t) for t in targets if t != 0):
        for g in GROUPS:
            a = _present(per_grader[name], g.label)
            b = _present(per_grader["binary"], g.label)
            if len(a) < 2 or len(b) < 2:
                continue
            idk = welch_difference([r.idk for r in a], [r.idk for r in b])
            err = welch_difference([r.err for r in a], [r.err for r in b])
            out.append(Contrast(name, "binary", g.label, idk, err))
    return out

"""Scoring rules: the paper's explicit confidence targets and the general form behind them.

With a confidence target t, a correct answer scores +1, "I don't know" scores 0 and a wrong
answer scores -t/(1-t). The penalty is always computed from t, never typed: the paper prints
"t = 0.75 (penalty 2)", the formula gives 3. Answering beats abstaining exactly when the
probability q of being correct exceeds t; at q = t the expected score of answering is 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from halluc.log.outcomes import N_OUTCOMES, Outcome


class ErrorPolicy(StrEnum):
    """What scoring does with the ``error`` outcome. Whatever it does is reported."""

    EXCLUDE = "exclude"
    """Drop errors from every denominator and report how many were dropped (the default)."""
    AS_WRONG = "as-wrong"
    """Score an error like a wrong answer (the pessimistic view of a failed request)."""
    AS_ABSTAINED = "as-abstained"
    """Score an error like "I don't know"."""

    @property
    def scored_as(self) -> Outcome | None:
        """The outcome an error is scored as, or ``None`` when errors are left out.

        The one mapping of the policy: points, counts and paired outcomes all ask it.
        """
        return _SCORED_AS[self]


_SCORED_AS: dict[ErrorPolicy, Outcome | None] = {
    ErrorPolicy.EXCLUDE: None,
    ErrorPolicy.AS_WRONG: Outcome.INCORRECT,
    ErrorPolicy.AS_ABSTAINED: Outcome.ABSTAINED,
}


@dataclass(frozen=True, slots=True)
class ScoringRule:
    """Points for each outcome: +``correct_credit``, ``idk_credit`` and -``wrong_penalty``.

    ``target`` is set for rules made by :func:`confidence_target`; a general rule has none.
    """

    wrong_penalty: float
    idk_credit: float = 0.0
    correct_credit: float = 1.0
    target: float | None = None

    def __post_init__(self) -> None:
        for name in ("wrong_penalty", "idk_credit", "correct_credit"):
            value = getattr(self, name)
            if not math.isfinite(value):
                raise ValueError(f"{name} must be finite, got {value}")
        if self.wrong_penalty < 0:
            raise ValueError(f"wrong_penalty is a penalty (>= 0), got {self.wrong_penalty}")
        if not self.correct_credit > self.idk_credit >= -self.wrong_penalty:
            raise ValueError(
                "need correct_credit > idk_credit >= -wrong_penalty, got "
                f"{self.correct_credit}, {self.idk_credit}, {-self.wrong_penalty}"
            )

    @property
    def name(self) -> str:
        """``binary``, ``t=0.75`` or ``general(idk=0.25, penalty=1)``: unique per rule."""
        if self.target is not None:
            return "binary" if self.target == 0 else f"t={self.target:g}"
        credit = "" if self.correct_credit == 1 else f", correct={self.correct_credit:g}"
        return f"general(idk={self.idk_credit:g}, penalty={self.wrong_penalty:g}{credit})"

    @property
    def key(self) -> str:
        """The short label of a column per rule: ``0.5`` for a target, else :attr:`name`."""
        return self.name if self.target is None else f"{self.target:g}"

    def parameters(self) -> dict[str, object]:
        """What a table row says about the rule that scored it."""
        return {
            "rule": self.name,
            "target": math.nan if self.target is None else self.target,
            "idk_credit": self.idk_credit,
            "penalty": self.wrong_penalty,
        }

    @property
    def answer_threshold(self) -> float:
        """The q above which answering has a higher expected score than abstaining.

        From q*C - (1-q)*L > c: q > (c + L) / (C + L). For a confidence target this is t.
        """
        if self.target is not None:
            return self.target
        return (self.idk_credit + self.wrong_penalty) / (self.correct_credit + self.wrong_penalty)

    def points(self, outcome: Outcome, error_policy: ErrorPolicy = ErrorPolicy.EXCLUDE) -> float:
        """Points for one outcome; ``nan`` for an excluded error."""
        return float(self.points_table(error_policy)[outcome.code])

    def points_table(
        self, error_policy: ErrorPolicy = ErrorPolicy.EXCLUDE
    ) -> npt.NDArray[np.float64]:
        """Points indexed by outcome code (see ``halluc.log.outcomes.OUTCOMES``)."""
        table = np.empty(N_OUTCOMES, dtype=np.float64)
        table[Outcome.CORRECT.code] = self.correct_credit
        table[Outcome.INCORRECT.code] = -self.wrong_penalty
        table[Outcome.ABSTAINED.code] = self.idk_credit
        as_outcome = error_policy.scored_as
        table[Outcome.ERROR.code] = np.nan if as_outcome is None else table[as_outcome.code]
        return table

    def answered_points(self) -> npt.NDArray[np.float64]:
        """Points of (correct, incorrect, abstained): the scored counts of
        :func:`scored_counts` times these, over their sum, is the mean score."""
        return self.points_table()[: Outcome.ERROR.code]


def check_target(t: float) -> float:
    """Validate a confidence target: 0 <= t < 1 (t = 1 would make the penalty infinite)."""
    t = float(t)
    if not (0.0 <= t < 1.0) or math.isnan(t):
        raise ValueError(f"confidence target t must satisfy 0 <= t < 1, got {t}")
    return t


def penalty(t: float) -> float:
    """The wrong-answer penalty t/(1-t) of confidence target t."""
    t = check_target(t)
    return t / (1.0 - t)


def confidence_target(t: float) -> ScoringRule:
    """The paper's rule: +1 correct, 0 for "I don't know", -t/(1-t) wrong."""
    t = check_target(t)
    return ScoringRule(wrong_penalty=penalty(t), idk_credit=0.0, target=t)


def binary() -> ScoringRule:
    """Ordinary accuracy: +1 correct, 0 otherwise. The same as ``confidence_target(0)``."""
    return confidence_target(0.0)


def general(idk_credit: float, wrong_penalty: float, correct_credit: float = 1.0) -> ScoringRule:
    """A rule with IDK credit c and wrong-answer penalty lambda."""
    return ScoringRule(
        wrong_penalty=wrong_penalty, idk_credit=idk_credit, correct_credit=correct_credit
    )


def expected_answer_score(q: float, rule: ScoringRule) -> float:
    """Expected points of answering when the answer is correct with probability q."""
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"probability q must be in [0, 1], got {q}")
    return q * rule.correct_credit - (1.0 - q) * rule.wrong_penalty


def should_answer(q: float, rule: ScoringRule | float) -> bool:
    """The decision rule: answer iff answering beats abstaining in expectation.

    For a confidence target t this is ``q > t`` (strict: at q = t both score 0, and the
    behaviorally calibrated choice is to abstain).
    """
    r = confidence_target(rule) if isinstance(rule, int | float) else rule
    if r.target is not None:
        if not 0.0 <= q <= 1.0:
            raise ValueError(f"probability q must be in [0, 1], got {q}")
        return q > r.target
    return expected_answer_score(q, r) > r.idk_credit


def as_rules(
    targets: Sequence[float] | None = None, rules: Sequence[ScoringRule] | None = None
) -> tuple[ScoringRule, ...]:
    """The rules to score under: ``rules`` when given, else ``confidence_target(t)`` per t.

    Confidence targets come first, by t, then general rules in the order given; a rule given
    twice counts once.
    """
    chosen = list(rules) if rules is not None else [confidence_target(t) for t in targets or ()]
    unique = {r.name: r for r in chosen}
    by_target = sorted(
        (r for r in unique.values() if r.target is not None), key=lambda r: float(r.target or 0)
    )
    return (*by_target, *(r for r in unique.values() if r.target is None))


def scored_counts(counts: npt.ArrayLike, policy: ErrorPolicy) -> npt.NDArray[np.int64]:
    """(..., 4) outcome counts to (..., 3) scored counts (correct, incorrect, abstained):
    errors moved where the policy scores them, or dropped."""
    c = np.asarray(counts, dtype=np.int64)
    scored = c[..., : Outcome.ERROR.code].copy()
    as_outcome = policy.scored_as
    if as_outcome is not None:
        scored[..., as_outcome.code] += c[..., Outcome.ERROR.code]
    return scored


def mean_points(scored: npt.ArrayLike, rule: ScoringRule) -> npt.NDArray[np.float64]:
    """Mean points per scored item from (..., 3) scored counts; ``nan`` where none is scored."""
    c = np.asarray(scored, dtype=np.float64)
    n = c.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(n > 0, (c @ rule.answered_points()) / n, np.nan)
    return np.asarray(out, dtype=np.float64)


def score_codes(
    codes: npt.NDArray[np.integer],
    rule: ScoringRule,
    error_policy: ErrorPolicy = ErrorPolicy.EXCLUDE,
) -> npt.NDArray[np.float64]:
    """Per-item points for an array of outcome codes; excluded errors are ``nan``."""
    points: npt.NDArray[np.float64] = rule.points_table(error_policy)[codes]
    return points

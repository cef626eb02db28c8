"""Scoring rules: the paper's explicit confidence targets and the general form behind them.

With a confidence target t, a correct answer scores +1, "I don't know" scores 0 and a wrong
answer scores -t/(1-t). The penalty is always computed from t, never typed: the paper prints
"t = 0.75 (penalty 2)", the formula gives 3. Answering beats abstaining exactly when the
probability q of being correct exceeds t; at q = t the expected score of answering is 0.
"""

from __future__ import annotations

import math
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
        if self.target is not None:
            return "binary" if self.target == 0 else f"t={self.target:g}"
        return f"general(idk={self.idk_credit:g}, penalty={self.wrong_penalty:g})"

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
        table[Outcome.ERROR.code] = {
            ErrorPolicy.EXCLUDE: np.nan,
            ErrorPolicy.AS_WRONG: -self.wrong_penalty,
            ErrorPolicy.AS_ABSTAINED: self.idk_credit,
        }[error_policy]
        return table


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


def score_codes(
    codes: npt.NDArray[np.integer],
    rule: ScoringRule,
    error_policy: ErrorPolicy = ErrorPolicy.EXCLUDE,
) -> npt.NDArray[np.float64]:
    """Per-item points for an array of outcome codes; excluded errors are ``nan``."""
    points: npt.NDArray[np.float64] = rule.points_table(error_policy)[codes]
    return points

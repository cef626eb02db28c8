"""Scoring: the rules (the only source of points), metrics with intervals, leaderboards.

:class:`ScoringRule` gives the points of each outcome; everything else (metrics, paired
differences, leaderboards, reports, rewards) asks it.
"""

from halluc.scoring.rules import (
    ErrorPolicy,
    ScoringRule,
    binary,
    check_target,
    confidence_target,
    expected_answer_score,
    general,
    penalty,
    score_codes,
    should_answer,
)

__all__ = [
    "ErrorPolicy",
    "ScoringRule",
    "binary",
    "check_target",
    "confidence_target",
    "expected_answer_score",
    "general",
    "penalty",
    "score_codes",
    "should_answer",
]

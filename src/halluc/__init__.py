"""halluc: evaluation with explicit confidence targets, after Kalai, Nachum, Vempala and Zhang,
"Why Language Models Hallucinate" (2025).

The record log is the hub: sources write :class:`Record` lines, and every number is derived
from them late, under any scoring rule.
"""

from halluc.errors import HallucError, InputError
from halluc.eval.prompts import confidence_instruction, prompt_hash
from halluc.log.outcomes import OUTCOMES, Outcome, parse_outcome
from halluc.log.records import Record, read_records, records_to_frame
from halluc.log.runs import RunFolder
from halluc.scoring.metrics import (
    DEFAULT_TARGETS,
    MetricSettings,
    outcome_counts,
    paired_difference,
    summarize,
)
from halluc.scoring.report import ScoreReport, score, score_report
from halluc.scoring.rules import (
    ErrorPolicy,
    ScoringRule,
    binary,
    confidence_target,
    expected_answer_score,
    general,
    penalty,
    should_answer,
)

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_TARGETS",
    "OUTCOMES",
    "ErrorPolicy",
    "HallucError",
    "InputError",
    "MetricSettings",
    "Outcome",
    "Record",
    "RunFolder",
    "ScoreReport",
    "ScoringRule",
    "binary",
    "confidence_instruction",
    "confidence_target",
    "expected_answer_score",
    "general",
    "outcome_counts",
    "paired_difference",
    "parse_outcome",
    "penalty",
    "prompt_hash",
    "read_records",
    "records_to_frame",
    "score",
    "score_report",
    "should_answer",
    "summarize",
]

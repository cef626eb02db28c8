"""Confidence targets inside Inspect (inspect_ai): a solver step, a scorer and metrics.

* :func:`confidence_instruction` (solver) states the paper's instruction for t, as a system
  message (default) or appended to the user's prompt.
* :func:`confidence_scorer` grades the model's answer with halluc (abstention detection, then
  the answer grader against the sample's target list) and keeps the three states apart:
  ``C`` correct, ``I`` incorrect, ``N`` abstained ("no answer or refusal", in Inspect's own
  vocabulary). An answer halluc cannot grade gets ``E``, which every metric here leaves out of
  its denominator (halluc's default error policy) and reports through :func:`error_count`.
  Each score's metadata carries t, so the metrics know the penalty.
* Metrics: :func:`penalized_score` (+1 / 0 / -t/(1-t); t from the scores, or given to re-score
  the same answers at another t), :func:`accuracy`, :func:`abstention_rate`,
  :func:`accuracy_given_attempted` and :func:`f_score` (SimpleQA's harmonic mean of accuracy
  and accuracy given attempted).
* :func:`confidence_task` puts them together for a dataset.

``halluc rescore`` reads such a log back outcome for outcome (the scores' metadata name the
outcome), so the same run can be re-scored at any other t without asking the model again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from inspect_ai import Task
from inspect_ai.dataset import Dataset, Sample
from inspect_ai.model import ChatMessageSystem
from inspect_ai.scorer import (
    CORRECT,
    INCORRECT,
    NOANSWER,
    Metric,
    SampleScore,
    Score,
    Scorer,
    Target,
    metric,
    scorer,
)
from inspect_ai.solver import Generate, Solver, TaskState, generate, solver

from halluc.eval.prompts import confidence_instruction as instruction_text
from halluc.log.outcomes import Outcome
from halluc.scoring.metrics import f_score as simpleqa_f_score
from halluc.scoring.metrics import rate_parts, ratio
from halluc.scoring.rules import ErrorPolicy, check_target, confidence_target, scored_counts

ERROR_VALUE = "E"
"""Score value for an answer halluc could not grade (not one of Inspect's C/I/N/P)."""
TARGET_KEY = "halluc_target"
OUTCOME_KEY = "halluc_outcome"

_VALUE = {
    Outcome.CORRECT: CORRECT,
    Outcome.INCORRECT: INCORRECT,
    Outcome.ABSTAINED: NOANSWER,
    Outcome.ERROR: ERROR_VALUE,
}
_OUTCOME = {v: k for k, v in _VALUE.items()}


def outcome_of(score: Score) -> Outcome | None:
    """The halluc outcome of an Inspect score (from its metadata, else its C/I/N/E value)."""
    md = score.metadata or {}
    label = md.get(OUTCOME_KEY)
    if isinstance(label, str):
        try:
            return Outcome(label)
        except ValueError:
            pass
    value = score.value
    return _OUTCOME.get(value) if isinstance(value, str) else None


def _counts(scores: list[SampleScore]) -> npt.NDArray[np.int64]:
    """Outcome counts in code order (a score with no outcome counts as an error)."""
    counts = np.zeros(len(Outcome), dtype=np.int64)
    for s in scores:
        o = outcome_of(s.score)
        counts[(o if o is not None else Outcome.ERROR).code] += 1
    return counts


@solver
def confidence_instruction(t: float, position: Literal["system", "user"] = "system") -> Solver:
    """State the paper's instruction for target t (penalty t/(1-t) computed, never typed)."""
    t = check_target(t)
    text = instruction_text(t)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        if position == "system":
            state.messages.insert(0, ChatMessageSystem(content=text))
        else:
            state.user_prompt.text = f"{state.user_prompt.text}\n\n{text}"
        state.metadata[TARGET_KEY] = t
        return state

    return solve


@metric
def penalized_score(t: float | None = None) -> Metric:
    """Mean points per graded sample: +1 correct, 0 abstained, -t/(1-t) incorrect.

    With ``t=None`` each score's own t (from :func:`confidence_scorer`) is used.
    """
    fixed = None if t is None else check_target(t)

    def compute(scores: list[SampleScore]) -> float:
        total, n = 0.0, 0
        for s in scores:
            outcome = outcome_of(s.score)
            if outcome is None or outcome is Outcome.ERROR:
                continue
            tt = fixed
            if tt is None:
                tt = float((s.score.metadata or {}).get(TARGET_KEY, 0.0))
            total += confidence_target(tt).points(outcome)
            n += 1
        return total / n if n else float("nan")

    return compute


def _rate(name: str) -> Metric:
    """One rate of :func:`halluc.scoring.metrics.rate_parts` over the graded samples (errors
    left out, halluc's default policy)."""

    def compute(scores: list[SampleScore]) -> float:
        k, d = rate_parts(_counts(scores), ErrorPolicy.EXCLUDE)[name]
        return float(ratio(k, d))

    return compute


@metric
def accuracy() -> Metric:
    """Correct / graded samples (answers halluc could not grade are left out)."""
    return _rate("accuracy")


@metric
def abstention_rate() -> Metric:
    """Abstained / graded samples."""
    return _rate("abstention_rate")


@metric
def accuracy_given_attempted() -> Metric:
    """Correct / (correct + incorrect)."""
    return _rate("accuracy_given_attempted")


@metric
def f_score() -> Metric:
    """SimpleQA's F-score: the harmonic mean of accuracy and accuracy given attempted."""

    def compute(scores: list[SampleScore]) -> float:
        return float(simpleqa_f_score(scored_counts(_counts(scores), ErrorPolicy.EXCLUDE)))

    return compute


@metric
def error_count() -> Metric:
    """How many answers halluc could not grade (reported, never scored)."""

    def compute(scores: list[SampleScore]) -> int:
        return int(_counts(scores)[Outcome.ERROR.code])

    return compute


def grade_text(response: str | None, answers: Sequence[str]) -> Outcome:
    """halluc's answer grader (abstention detection first, then alias and number matching)."""
    from halluc.grading.match import grade_answer

    if response is None:
        return Outcome.ERROR
    return grade_answer(response, list(answers))


@scorer(
    metrics=[
        accuracy(),
        abstention_rate(),
        accuracy_given_attempted(),
        f_score(),
        penalized_score(),
        error_count(),
    ]
)
def confidence_scorer(t: float = 0.0) -> Scorer:
    """Grade with halluc and keep correct (C), incorrect (I) and abstained (N) apart."""
    t = check_target(t)

    async def score(state: TaskState, target: Target) -> Score:
        response = state.output.completion if state.output else None
        outcome = grade_text(response, list(target.target))
        tt = float(state.metadata.get(TARGET_KEY, t))
        return Score(
            value=_VALUE[outcome],
            answer=response,
            explanation=f"halluc: {outcome}",
            metadata={OUTCOME_KEY: str(outcome), TARGET_KEY: tt},
        )

    return score


def confidence_task(
    dataset: Dataset | Sequence[Sample],
    t: float,
    *,
    position: Literal["system", "user"] = "system",
    name: str | None = None,
    **task_args: Any,
) -> Task:
    """A task that states target t, generates, and scores with :func:`confidence_scorer`."""
    return Task(
        dataset=dataset,
        solver=[confidence_instruction(t, position), generate()],
        scorer=confidence_scorer(t),
        name=name,
        **task_args,
    )


__all__ = [
    "ERROR_VALUE",
    "OUTCOME_KEY",
    "TARGET_KEY",
    "abstention_rate",
    "accuracy",
    "accuracy_given_attempted",
    "confidence_instruction",
    "confidence_scorer",
    "confidence_task",
    "error_count",
    "f_score",
    "grade_text",
    "outcome_of",
    "penalized_score",
]

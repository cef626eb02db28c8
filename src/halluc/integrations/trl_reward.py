"""A confidence-target reward for RL post-training (TRL's ``GRPOTrainer`` and friends).

Binary rewards teach guessing for the same reason binary benchmarks do (Observation 1): an
"I don't know" earns what a wrong answer earns, so any chance of being right makes a guess
better. :func:`confidence_reward` returns a reward function that grades each completion with
halluc (abstention detection, then the answer grader) and pays +1 for a correct answer, 0 for
"I don't know" and -t/(1-t) for a wrong one, so that a policy maximising it answers exactly when
it is more than t confident.

TRL calls a reward function as ``reward(prompts=..., completions=..., completion_ids=...,
**columns)``, with every other dataset column as a keyword argument (one value per
completion); the gold answers are read from the column named ``answers_key``. Completions may
be plain strings or, for conversational datasets, lists of messages. A completion halluc
cannot grade gets ``None``, which TRL turns into NaN and leaves out of the mean.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from halluc.log.outcomes import Outcome
from halluc.render.numbers import format_number
from halluc.scoring.rules import check_target, confidence_target

RewardFunction = Callable[..., list[float | None]]


def completion_text(completion: object) -> str | None:
    """The text of a completion: a string, or the last assistant message's content."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):
        for msg in reversed(completion):
            if isinstance(msg, dict) and msg.get("role", "assistant") == "assistant":
                content = msg.get("content")
                if isinstance(content, str):
                    return content
                if isinstance(content, list):
                    return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return None


def _answers(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence):
        return [str(v) for v in value]
    return [str(value)]


def grade_completion(completion: object, answers: Sequence[str]) -> Outcome:
    """halluc's answer grader (abstention detection first); no text is an error."""
    from halluc.grading.match import grade_answer

    text = completion_text(completion)
    if text is None:
        return Outcome.ERROR
    return grade_answer(text, list(answers))


def confidence_reward(t: float, answers_key: str = "answers") -> RewardFunction:
    """A TRL reward function for target t: +1 correct, 0 abstained, -t/(1-t) wrong.

    If TRL passes ``log_metric`` (GRPOTrainer does), the batch's correct, abstained and wrong
    rates are logged under ``halluc/...``.
    """
    t = check_target(t)
    rule = confidence_target(t)

    def reward(completions: Sequence[object], **kwargs: Any) -> list[float | None]:
        if answers_key not in kwargs:
            raise KeyError(
                f"the reward needs the gold answers in a dataset column named {answers_key!r}; "
                f"columns passed: {', '.join(sorted(kwargs))}"
            )
        golds = kwargs[answers_key]
        if len(golds) != len(completions):
            raise ValueError(f"{len(completions)} completions but {len(golds)} answer lists")
        outcomes = [
            grade_completion(c, _answers(g)) for c, g in zip(completions, golds, strict=True)
        ]
        log_metric = kwargs.get("log_metric")
        if callable(log_metric) and outcomes:
            n = len(outcomes)
            for outcome in (Outcome.CORRECT, Outcome.ABSTAINED, Outcome.INCORRECT):
                log_metric(f"halluc/{outcome}_rate", sum(o is outcome for o in outcomes) / n)
        return [None if o is Outcome.ERROR else rule.points(o) for o in outcomes]

    reward.__name__ = f"halluc_confidence_t{format_number(t)}"
    reward.__qualname__ = reward.__name__
    return reward


__all__ = ["RewardFunction", "completion_text", "confidence_reward", "grade_completion"]

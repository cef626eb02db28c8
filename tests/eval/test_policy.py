"""The policy mode's decision is the scoring rule's: answer iff answering beats abstaining."""

from __future__ import annotations

import pytest

from halluc.eval.policy import PolicyPass, policy_outcome
from halluc.log.outcomes import Outcome
from halluc.scoring.rules import confidence_target, should_answer


def _pass(outcome: Outcome = Outcome.CORRECT, error: str | None = None) -> PolicyPass:
    return PolicyPass("q", "It is x.", [], outcome, 0.4, "h", error=error)


@pytest.mark.parametrize("t", [0.0, 0.25, 0.5, 0.75, 0.9])
@pytest.mark.parametrize("q", [0.0, 0.25, 0.5, 0.6, 0.75, 0.9, 1.0])
def test_the_decision_is_should_answer(t: float, q: float) -> None:
    outcome, error = policy_outcome(_pass(Outcome.INCORRECT), q, t)
    answered = should_answer(q, confidence_target(t))
    assert outcome is (Outcome.INCORRECT if answered else Outcome.ABSTAINED) and error is None


def test_at_confidence_equal_to_t_the_policy_abstains() -> None:
    assert policy_outcome(_pass(), 0.5, 0.5) == (Outcome.ABSTAINED, None)
    assert policy_outcome(_pass(), 0.5000001, 0.5) == (Outcome.CORRECT, None)


def test_errors_and_abstentions_are_kept() -> None:
    assert policy_outcome(_pass(Outcome.ERROR, "timeout"), 0.9, 0.5) == (Outcome.ERROR, "timeout")
    assert policy_outcome(_pass(), None, 0.5) == (Outcome.ERROR, "no confidence")
    assert policy_outcome(_pass(Outcome.ABSTAINED), 0.9, 0.0) == (Outcome.ABSTAINED, None)


def test_a_pass_round_trips() -> None:
    p = PolicyPass("q", None, ["a", "b"], Outcome.ERROR, None, "h", "why", None, {"total": 1.0})
    assert PolicyPass.from_dict(p.to_dict()) == p
    assert _pass(Outcome.CORRECT).label == 1.0 and _pass(Outcome.INCORRECT).label == 0.0
    assert _pass(Outcome.ABSTAINED).label != _pass(Outcome.ABSTAINED).label  # NaN

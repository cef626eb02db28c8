import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from halluc.eval.prompts import BEST_GUESS_INSTRUCTION, confidence_instruction
from halluc.log.outcomes import OUTCOMES, Outcome
from halluc.scoring.rules import (
    ErrorPolicy,
    binary,
    confidence_target,
    expected_answer_score,
    general,
    penalty,
    score_codes,
    should_answer,
)

probs = st.floats(0.0, 1.0, allow_nan=False)
targets = st.floats(0.0, 0.999, allow_nan=False)


def test_penalty_is_computed_not_the_papers_misprint() -> None:
    assert penalty(0.5) == 1.0
    assert penalty(0.75) == 3.0  # the paper prints 2
    assert penalty(0.9) == pytest.approx(9.0)
    assert penalty(2 / 3) == pytest.approx(2.0)


@pytest.mark.parametrize("t", [-0.1, 1.0, 1.5, float("nan")])
def test_target_outside_unit_interval_is_refused(t: float) -> None:
    with pytest.raises(ValueError, match="0 <= t < 1"):
        confidence_target(t)


def test_instruction_states_the_computed_penalty() -> None:
    text = confidence_instruction(0.75)
    assert "> 0.75 confident" in text
    assert "penalized 3 points" in text
    assert '"I don\'t know" receives 0 points' in text
    assert "penalized 9 points" in confidence_instruction(0.9)
    assert confidence_instruction(0) == BEST_GUESS_INSTRUCTION


@given(q=probs, t=targets)
def test_answering_has_positive_expectation_iff_q_above_t(q: float, t: float) -> None:
    rule = confidence_target(t)
    exp = expected_answer_score(q, rule)
    # Decide in exact rational arithmetic away from float ties at q == t.
    if abs(q - t) > 1e-9:
        assert (exp > 0) == (q > t)
    assert should_answer(q, t) == (q > t)


@given(q=probs)
def test_observation_1_binary_grading_never_rewards_abstaining(q: float) -> None:
    rule = binary()
    assert expected_answer_score(q, rule) >= rule.idk_credit


@given(counts=st.lists(st.integers(0, 50), min_size=4, max_size=4).filter(lambda c: sum(c[:3]) > 0))
def test_binary_score_is_plain_accuracy(counts: list[int]) -> None:
    codes = np.repeat(np.arange(4), counts)
    pts = score_codes(codes, binary())
    scored = pts[~np.isnan(pts)]
    assert scored.mean() == pytest.approx(counts[0] / sum(counts[:3]))


@given(
    counts=st.lists(st.integers(0, 50), min_size=3, max_size=3).filter(lambda c: sum(c) > 0),
    t1=targets,
    t2=targets,
)
def test_score_is_monotone_in_t_for_fixed_outcomes(counts: list[int], t1: float, t2: float) -> None:
    lo, hi = sorted((t1, t2))
    codes = np.repeat(np.arange(3), counts)
    assert score_codes(codes, confidence_target(hi)).mean() <= (
        score_codes(codes, confidence_target(lo)).mean() + 1e-12
    )


def test_general_rule_threshold_and_error_policies() -> None:
    rule = general(idk_credit=0.25, wrong_penalty=1.0)
    assert rule.answer_threshold == pytest.approx(0.625)
    assert should_answer(0.63, rule) and not should_answer(0.62, rule)
    r = confidence_target(0.75)
    assert math.isnan(r.points(Outcome.ERROR))
    assert r.points(Outcome.ERROR, ErrorPolicy.AS_WRONG) == -3.0
    assert r.points(Outcome.ERROR, ErrorPolicy.AS_ABSTAINED) == 0.0
    assert [r.points(o) for o in OUTCOMES[:3]] == [1.0, -3.0, 0.0]
    with pytest.raises(ValueError):
        general(idk_credit=1.0, wrong_penalty=0.0)

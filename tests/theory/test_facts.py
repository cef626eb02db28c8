"""Singleton rate, missing mass and Theorem 2's bounds as formulas."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from halluc.errors import InputError
from halluc.theory.facts import (
    IDK,
    ArbitraryFacts,
    SingletonStats,
    lemma1_radius,
    lower_bound_slack,
    min_n_for_nonvacuous,
    singleton_rate,
    theorem2_lower_bound,
    theorem2_upper_bound,
)
from tests.theory.reference import IDK as REF_IDK
from tests.theory.reference import ref_singleton_rate


def test_singleton_rate_exhaustive_against_the_paper_sketch() -> None:
    # every sequence of up to 5 examples over 3 prompts, each answered or IDK
    symbols = [(c, r) for c in "abc" for r in ("x", REF_IDK)]
    checked = 0
    for n in range(1, 6):
        for examples in itertools.product(symbols, repeat=n):
            ex = list(examples)
            got = singleton_rate([c for c, _ in ex], [r == REF_IDK for _, r in ex])
            assert got.sr == pytest.approx(ref_singleton_rate(ex), abs=1e-15)
            assert got.n == n
            checked += 1
    assert checked == sum(6**k for k in range(1, 6))


@settings(derandomize=True, max_examples=300)
@given(
    st.lists(
        st.tuples(st.text(alphabet="abcd", min_size=1, max_size=2), st.booleans()),
        min_size=1,
        max_size=60,
    )
)
def test_singleton_rate_random_labels(examples: list[tuple[str, bool]]) -> None:
    got = singleton_rate([c for c, _ in examples], [i for _, i in examples])
    ref = ref_singleton_rate([(c, REF_IDK if i else "ans") for c, i in examples])
    assert got.sr == pytest.approx(ref, abs=1e-15)


def test_idk_examples_count_in_n_but_not_for_singletons() -> None:
    prompts = ["a", "a", "b", "c", "c", "d"]
    idk = [False, True, False, True, True, False]
    st_ = singleton_rate(prompts, idk)
    # a: one answered (the other is IDK) -> singleton; b, d singletons; c only IDK -> not seen
    assert st_ == SingletonStats(sr=3 / 6, n=6, n_singletons=3, n_distinct=3, n_idk=3)


def test_singleton_rate_errors() -> None:
    with pytest.raises(InputError, match="N = 0"):
        singleton_rate([])
    with pytest.raises(InputError) as exc:
        singleton_rate(["a", "b"], [True])
    assert exc.value.field == "is_idk"


def test_lower_bound_reduces_to_the_printed_99_percent_form() -> None:
    for sr, n, e, d in [(0.2, 10**6, 364, 0.0), (0.5, 12345, 2, 0.03), (0.9, 10**9, 1, 0.1)]:
        b = theorem2_lower_bound(sr, n, e, d, 0.01)
        expected = sr - 2 / e - (35 + 6 * math.log(n)) / math.sqrt(n) - d
        assert b.value == pytest.approx(expected, abs=1e-15)
        assert b.holds_with == pytest.approx(0.99)
        assert set(b.terms) >= {"sr", "N", "2/min|E_c|", "slack", "delta"}
        # the terms add up to the value
        t = b.terms
        assert t["sr"] - t["2/min|E_c|"] - t["slack"] - t["delta"] == pytest.approx(b.value)


def test_upper_bound_reduces_to_the_printed_99_percent_form() -> None:
    for sr, n, big_l in [(0.2, 10**6, 364), (0.5, 100, 1), (0.0, 7, 3)]:
        b = theorem2_upper_bound(sr, n, big_l, 0.01)
        assert b.value == pytest.approx(sr - sr / (big_l + 1) + 13 / math.sqrt(n), abs=1e-15)
        assert b.kind == "upper"


def test_general_gamma_forms() -> None:
    n = 10**6
    b = theorem2_lower_bound(0.2, n, 364, 0.0, 0.05)
    assert b.terms["slack"] == pytest.approx(6 * math.log(3 * n / 0.05) / math.sqrt(n))
    u = theorem2_upper_bound(0.2, n, 364, 0.05)
    assert u.terms["slack"] == pytest.approx(5 * math.sqrt(math.log(5 / 0.05) / n))
    # at gamma = 0.01 the general forms are at most the printed ones
    # (6 ln 300 <= 35 and 5√ln 500 <= 13)
    for k in (10, 10**3, 10**9):
        assert lower_bound_slack(k, 0.01, printed=False) <= lower_bound_slack(k, 0.01)
    assert 5 * math.sqrt(math.log(500)) <= 13
    # smaller gamma, looser bound
    assert lower_bound_slack(n, 0.001) > lower_bound_slack(n, 0.1)


def test_not_the_web_demo_bug() -> None:
    # a public demo divided (35 + 6 ln N)/sqrt(N) by 100; the slack here is the raw quantity
    b = theorem2_lower_bound(0.2, 10**6, 364)
    assert b.terms["slack"] == pytest.approx((35 + 6 * math.log(10**6)) / 1000)
    assert b.terms["slack"] > 0.1


def test_birthday_example_numbers() -> None:
    # 20% singletons, birthdays (|E_c| = 364), a calibrated model, N = 10^9
    lo = theorem2_lower_bound(0.2, 10**9, 364)
    hi = theorem2_upper_bound(0.2, 10**9, 364)
    assert 0.18 < lo.value < 0.2 < hi.value + 0.001
    assert hi.value < 0.2


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: theorem2_lower_bound(1.2, 10, 3), "sr"),
        (lambda: theorem2_lower_bound(0.2, 0, 3), "n"),
        (lambda: theorem2_lower_bound(0.2, 10, 0), "min_error_set"),
        (lambda: theorem2_lower_bound(0.2, 10, 3, delta=-0.1), "delta"),
        (lambda: theorem2_lower_bound(0.2, 10, 3, gamma=0.0), "gamma"),
        (lambda: theorem2_upper_bound(0.2, 10, 0), "max_error_set"),
        (lambda: theorem2_upper_bound(0.2, 10.5, 3), "n"),  # type: ignore[arg-type]
        (lambda: lower_bound_slack(10, 0.05, printed=True), "gamma"),
    ],
)
def test_bound_input_errors(call, field: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as exc:
        call()
    assert exc.value.field == field


def test_min_n_for_nonvacuous_is_the_crossing() -> None:
    n = min_n_for_nonvacuous(0.2, 364)
    assert n is not None
    assert theorem2_lower_bound(0.2, n, 364).value > 0
    assert theorem2_lower_bound(0.2, n - 1, 364).value <= 0
    assert min_n_for_nonvacuous(0.004, 364) is None  # sr below 2/364: never


def test_sampler_follows_definition_1() -> None:
    rng = np.random.default_rng(0)
    facts = ArbitraryFacts.create([0.5, 0.3, 0.2], [1.0, 0.5, 0.0], [365, 2, 10])
    assert facts.min_error_set == 1 and facts.max_error_set == 364
    answers = facts.sample_answers(rng)
    assert ((answers >= 0) & (answers < facts.n_responses)).all()
    sample = facts.sample_training(20_000, answers, rng)
    freq = np.bincount(sample.prompts, minlength=3) / sample.n
    assert np.allclose(freq, facts.mu, atol=0.02)
    # noiseless: every non-IDK response is the correct answer
    ans = ~sample.is_idk
    assert (sample.responses[ans] == answers[sample.prompts[ans]]).all()
    # α = 0 never answers, α = 1 always does
    assert sample.is_idk[sample.prompts == 2].all()
    assert not sample.is_idk[sample.prompts == 0].any()
    assert abs(sample.is_idk[sample.prompts == 1].mean() - 0.5) < 0.03


def test_missing_mass_by_hand() -> None:
    facts = ArbitraryFacts.create([0.5, 0.25, 0.25], [1.0, 0.8, 0.4], 5)
    from halluc.theory.facts import TrainingSample

    # prompt 0 answered; prompt 1 only IDK (so unanswered); prompt 2 never seen
    sample = TrainingSample(np.array([0, 1, 1]), np.array([3, IDK, IDK]))
    assert list(facts.unanswered(sample)) == [False, True, True]
    assert facts.missing_mass(sample) == pytest.approx(0.25 * 0.8 + 0.25 * 0.4)


def test_lemma1_mm_close_to_sr_in_simulation() -> None:
    facts = ArbitraryFacts.zipf(20_000, 0.8, 365, 0.7)
    rng = np.random.default_rng(11)
    n = 20_000
    radius = lemma1_radius(n, 0.01)
    for _ in range(20):
        a = facts.sample_answers(rng)
        s = facts.sample_training(n, a, rng)
        assert abs(facts.missing_mass(s) - s.singleton_stats().sr) <= radius


def test_facts_validation() -> None:
    with pytest.raises(InputError) as exc:
        ArbitraryFacts.create([0.5, 0.5], 0.5, [3, 1])
    assert exc.value.field == "n_responses"
    with pytest.raises(InputError) as exc:
        ArbitraryFacts.create([0.5, 0.6], 0.5, 3)
    assert exc.value.field == "mu"
    with pytest.raises(InputError) as exc:
        ArbitraryFacts.create([0.5, 0.5], [0.5, 1.5], 3)
    assert exc.value.field == "alpha"


def test_singleton_stats_read_back_from_their_dict() -> None:
    st = singleton_rate(["a", "b", "b", "c", "d"], [False, False, False, True, False])
    assert SingletonStats.from_dict(st.to_dict()) == st

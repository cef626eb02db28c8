"""Theorem 1 / Corollary 1: exhaustive agreement with the exact reference, and behaviour."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from halluc.errors import InputError
from halluc.theory.iiv import (
    analyze,
    corollary1,
    cross_entropy,
    joint_instance,
    make_instance,
    rescaled,
    theorem1_bound,
)
from tests.theory.grids import all_instances, to_instance
from tests.theory.reference import ref_theorem1

TOL = 1e-12


@pytest.mark.parametrize(("n_prompts", "p_denom", "q_denom"), [(1, 2, 4), (1, 3, 6), (2, 2, 2)])
def test_exhaustive_grid_matches_exact_reference(
    n_prompts: int, p_denom: int, q_denom: int
) -> None:
    checked = 0
    for pairs, mu in all_instances(n_prompts, p_denom, q_denom):
        ref = ref_theorem1(pairs, mu)
        got = analyze(to_instance(pairs, mu))
        assert abs(got.err - float(ref.err)) <= TOL
        assert abs(got.err_iiv - float(ref.err_iiv)) <= TOL
        assert abs(got.false_positive - float(ref.fp)) <= TOL
        assert abs(got.false_negative - float(ref.fn)) <= TOL
        assert abs(got.delta - float(ref.delta)) <= TOL
        assert abs(got.bound.value - float(ref.bound)) <= TOL
        # the theorem itself, in exact arithmetic
        assert ref.err >= ref.bound
        checked += 1
    assert checked > 200


def test_threshold_is_global_min_not_per_prompt() -> None:
    # prompt a has |E_a| = 1, prompt b has |E_b| = 3: the threshold is 1/min = 1 for both,
    # so p̂ = 0.5 on b's valid answer is below it (a per-prompt 1/3 would accept it).
    inst = make_instance(
        ["a", "a", "b", "b", "b", "b"],
        [True, False, True, False, False, False],
        [1, 0, 1, 0, 0, 0],
        [1.0, 0.0, 0.5, 0.5, 0.0, 0.0],
    )
    res = analyze(inst)
    assert res.threshold == 1.0
    assert res.min_error_set == 1 and res.max_valid_set == 1
    # nothing is above 1, so A is empty: every valid pair is a false negative
    assert res.false_positive == 0.0
    assert res.false_negative == pytest.approx(0.5)
    assert res.delta == 0.0
    assert res.err == pytest.approx(0.25)
    assert res.bound.value == pytest.approx(2 * 0.5 - 1 - 0)


def test_strict_inequality_at_threshold() -> None:
    # |E| = 2 -> threshold 1/2; p̂ exactly 1/2 is classified negative
    inst = make_instance([0, 0, 0], [True, False, False], [1, 0, 0], [0.5, 0.5, 0.0])
    res = analyze(inst)
    assert res.p_hat_a == 0.0 and res.p_a == 0.0
    assert res.false_negative == pytest.approx(0.5)


def test_uniform_model_has_zero_delta_without_being_p() -> None:
    # the paper: p̂(x) = 1/|X| gives δ = 0 although p̂ ≠ p
    n_valid, n_err = 3, 7
    p = np.r_[np.full(n_valid, 1 / n_valid), np.zeros(n_err)]
    ph = np.full(n_valid + n_err, 1 / (n_valid + n_err))
    res = corollary1(np.r_[np.ones(n_valid, bool), np.zeros(n_err, bool)], p, ph)
    assert res.delta == 0.0
    assert res.bound.name == "Corollary 1"
    assert "|V|/|E|" in res.bound.statement
    assert res.err >= res.bound.value


def test_corollary1_on_joint_instance_holds() -> None:
    rng = np.random.default_rng(3)
    for _ in range(50):
        inst = _random_instance(rng, n_prompts=4)
        joint = analyze(joint_instance(inst))
        assert joint.err == pytest.approx(analyze(inst).err, abs=1e-12)
        assert joint.err >= joint.bound.value - 1e-12


def _random_instance(rng: np.random.Generator, n_prompts: int):  # type: ignore[no-untyped-def]
    prompt, valid, p, ph = [], [], [], []
    for c in range(n_prompts):
        nv, ne = int(rng.integers(1, 4)), int(rng.integers(1, 5))
        pv = rng.dirichlet(np.ones(nv))
        q = rng.dirichlet(np.full(nv + ne, 0.5))
        prompt += [c] * (nv + ne)
        valid += [True] * nv + [False] * ne
        p += list(pv) + [0.0] * ne
        ph += list(q)
    mu = rng.dirichlet(np.ones(n_prompts))
    return make_instance(prompt, valid, p, ph, mu)


def test_delta_is_the_derivative_of_the_rescaled_loss() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        inst = _random_instance(rng, n_prompts=5)
        res = analyze(inst)
        h = 1e-6
        deriv = (cross_entropy(rescaled(inst, 1 + h)) - cross_entropy(rescaled(inst, 1 - h))) / (
            2 * h
        )
        assert deriv == pytest.approx(res.p_hat_a - res.p_a, abs=1e-6)
        assert abs(deriv) == pytest.approx(res.delta, abs=1e-6)


def test_nonsense_counts_as_error_but_not_in_e() -> None:
    inst = make_instance(
        [0, 0, 0], [True, False, False], [1, 0, 0], [0.6, 0.1, 0.3], nonsense=[False, False, True]
    )
    res = analyze(inst)
    assert inst.min_error_set == 1
    assert res.err == pytest.approx(0.4)
    assert res.err >= res.bound.value


def test_large_instance_runs_vectorized() -> None:
    rng = np.random.default_rng(1)
    n_prompts, per = 100_000, 4
    prompt = np.repeat(np.arange(n_prompts), per)
    valid = np.tile([True, False, False, False], n_prompts)
    p = valid.astype(float)
    ph = rng.dirichlet(np.ones(per), size=n_prompts).ravel()
    res = analyze(make_instance(prompt, valid, p, ph))
    assert res.min_error_set == 3
    assert res.err >= res.bound.value


def test_theorem1_bound_from_numbers() -> None:
    b = theorem1_bound(0.3, 2, 364, 0.01)
    assert b.value == pytest.approx(0.6 - 2 / 364 - 0.01)
    assert b.terms["max|V_c|/min|E_c|"] == pytest.approx(2 / 364)
    with pytest.raises(InputError, match="min_error_set"):
        theorem1_bound(0.3, 2, 0)
    with pytest.raises(InputError, match="err_iiv"):
        theorem1_bound(1.3, 2, 3)


def test_exact_fraction_example_from_the_proof() -> None:
    # hand check: one prompt, V = {v}, E = {e1, e2}; p̂ = (1/2, 1/4, 1/4), threshold 1/2
    inst = make_instance([0, 0, 0], [True, False, False], [1, 0, 0], [0.5, 0.25, 0.25])
    res = analyze(inst)
    # v is not above 1/2 -> false negative D(v) = 1/2; errors below -> no false positives
    assert res.err_iiv == float(Fraction(1, 2))
    assert res.err == 0.5
    assert res.bound.value == pytest.approx(2 * 0.5 - 1 / 2 - 0)

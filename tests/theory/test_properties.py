"""Property tests: Theorems 1, 3, 4 and Corollary 1, each on 10,000 random instances.

Hypothesis runs derandomized (tests/conftest.py), so CI sees the same instances every time.
Each of 5,000 examples draws a seed and a number of prompts and checks two instances of each
kind (general, and pure multiple choice); the instances' sizes and integer weights
(0..6, normalised per prompt) come from that seed, which keeps hypothesis's per-example cost
low and makes ties with the threshold 1/min|E_c| and zero probabilities common — the places a
bound would break first.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from halluc.theory.iiv import Instance, analyze, generative_error, joint_instance, make_instance
from halluc.theory.multiple_choice import (
    expected_random_threshold_error,
    opt_thresholded,
    theorem4,
)

N_EXAMPLES = 5_000
PER_EXAMPLE = 2  # instances of each kind per example: 10,000 per theorem in all
TOL = 1e-12


def random_instance(rng: np.random.Generator, n_prompts: int, one_valid: bool) -> Instance:
    nv = np.ones(n_prompts, dtype=np.int64) if one_valid else rng.integers(1, 4, n_prompts)
    ne = rng.integers(1, 5, n_prompts)
    sizes = nv + ne
    prompt = np.repeat(np.arange(n_prompts), sizes)
    pos = np.arange(prompt.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    valid = pos < nv[prompt]
    wv = np.where(valid, rng.integers(0, 7, prompt.size), 0).astype(float)
    wv[pos == 0] += np.bincount(prompt, weights=wv, minlength=n_prompts) == 0
    wq = rng.integers(0, 7, prompt.size).astype(float)
    wq[pos == 0] += np.bincount(prompt, weights=wq, minlength=n_prompts) == 0
    p = wv / np.bincount(prompt, weights=wv)[prompt]
    ph = wq / np.bincount(prompt, weights=wq)[prompt]
    wm = rng.integers(0, 5, n_prompts).astype(float)
    wm[0] += wm.sum() == 0
    return make_instance(prompt, valid, p, ph, wm / wm.sum())


def other_models(rng: np.random.Generator, inst: Instance, k: int) -> list[np.ndarray]:
    rows = []
    for _ in range(k):
        w = rng.integers(0, 6, inst.n_pairs).astype(float)
        w += np.bincount(inst.prompt, weights=w, minlength=inst.n_prompts)[inst.prompt] == 0
        rows.append(w / np.bincount(inst.prompt, weights=w)[inst.prompt])
    return rows


def check_theorem1_and_corollary1(inst: Instance) -> None:
    res = analyze(inst)
    assert res.err >= res.bound.value - TOL, res.bound.statement
    # the proof's first step: above the threshold, p̂(A∖V) >= 2·D(A∖V)
    above_err = inst.mu_pair @ np.where(inst.error & (inst.p_hat > inst.threshold), inst.p_hat, 0)
    assert above_err >= 2 * res.false_positive - TOL
    # Corollary 1 on the same instance with the prompts forgotten (|V|, |E| are totals)
    joint = analyze(joint_instance(inst))
    assert joint.err >= joint.bound.value - TOL, joint.bound.statement


def check_theorems3_and_4(inst: Instance, others: list[np.ndarray]) -> None:
    t4 = theorem4(inst)
    c = t4.n_choices
    # Theorem 4: some threshold t has err >= 2(1 - 1/C)·err_iiv(f_t)
    assert t4.err >= t4.bound.value - TOL, t4.bound.statement
    # the proof's averaging step: E_t err_iiv <= (1/2)(1/(C - 1) + 1)·err
    assert expected_random_threshold_error(inst) <= 0.5 * (1 / (c - 1) + 1) * t4.err + TOL
    # Theorem 3: every model of the family G errs at least 2(1 - 1/C)·opt(G)
    family = np.vstack([inst.p_hat, *others])
    opt_g, _, _ = opt_thresholded(inst, family)
    assert opt_g <= t4.err_iiv_at_threshold + TOL  # p̂ itself is in the family
    for row in family:
        assert generative_error(inst, row) >= 2 * (1 - 1 / c) * opt_g - TOL


@settings(derandomize=True, max_examples=N_EXAMPLES)
@given(st.integers(0, 2**63), st.integers(1, 4), st.integers(0, 2))
def test_theorems_1_3_4_and_corollary1_hold(seed: int, n_prompts: int, n_others: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(PER_EXAMPLE):
        check_theorem1_and_corollary1(random_instance(rng, n_prompts, one_valid=False))
        mc = random_instance(rng, n_prompts, one_valid=True)
        check_theorems3_and_4(mc, other_models(rng, mc, n_others))


def test_the_checks_catch_a_broken_bound() -> None:
    """The checks above can fail: a bound with the factor 2 doubled is violated somewhere."""
    rng = np.random.default_rng(0)
    violated = 0
    for _ in range(300):
        inst = random_instance(rng, 2, one_valid=True)
        t4 = theorem4(inst)
        violated += t4.err < 2 * t4.bound.value - TOL
    assert violated > 0

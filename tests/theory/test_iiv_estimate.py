"""Estimating δ and err_iiv from samples of a model whose p̂(r|c) can be computed."""

from __future__ import annotations

import numpy as np
import pytest

from halluc.errors import InputError
from halluc.theory.iiv import analyze, make_instance, sample_pairs
from halluc.theory.iiv_estimate import estimate_delta, estimate_err_iiv, estimated_theorem1


def _instance():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(9)
    prompt, valid, p, ph = [], [], [], []
    for c in range(200):
        ne = int(rng.integers(3, 8))
        prompt += [c] * (ne + 2)
        valid += [True, True] + [False] * ne
        p += [0.7, 0.3] + [0.0] * ne
        ph += list(rng.dirichlet(np.r_[[1.0, 4.0], np.full(ne, 0.4)]))
    return make_instance(prompt, valid, p, ph, rng.dirichlet(np.ones(200)))


def test_estimates_cover_the_exact_values() -> None:
    inst = _instance()
    exact = analyze(inst)
    assert exact.delta > 0.01  # a miscalibrated model, so δ is worth estimating
    rng = np.random.default_rng(0)
    covered_d = covered_e = 0
    reps = 60
    for _ in range(reps):
        data = inst.p_hat[sample_pairs(inst, "p", 3000, rng)]
        gens = inst.p_hat[sample_pairs(inst, "p_hat", 3000, rng)]
        errs = inst.p_hat[sample_pairs(inst, "errors", 3000, rng)]
        d = estimate_delta(data, gens, min_error_set=inst.min_error_set)
        e = estimate_err_iiv(data, errs, min_error_set=inst.min_error_set)
        covered_d += d.lo <= exact.delta <= d.hi
        covered_e += e.lo <= exact.err_iiv <= e.hi
    # 95% intervals: allow a few misses in 60 repetitions
    assert covered_d >= 0.85 * reps
    assert covered_e >= 0.85 * reps


def test_estimated_theorem1_is_conservative() -> None:
    inst = _instance()
    exact = analyze(inst)
    rng = np.random.default_rng(1)
    data = inst.p_hat[sample_pairs(inst, "p", 5000, rng)]
    gens = inst.p_hat[sample_pairs(inst, "p_hat", 5000, rng)]
    errs = inst.p_hat[sample_pairs(inst, "errors", 5000, rng)]
    k = inst.min_error_set
    d = estimate_delta(data, gens, min_error_set=k)
    e = estimate_err_iiv(data, errs, min_error_set=k)
    point, cons = estimated_theorem1(e, d, inst.max_valid_set, k)
    assert cons.value <= point.value
    assert point.value == pytest.approx(exact.bound.value, abs=0.05)
    assert exact.err >= cons.value
    assert cons.holds_with == pytest.approx(0.9)


def test_estimator_by_hand() -> None:
    d = estimate_delta([0.9, 0.1, 0.6, 0.2], [0.9, 0.8, 0.7, 0.1], threshold=0.5)
    assert d.value == pytest.approx(abs(3 / 4 - 2 / 4))
    assert d.parts["signed"] == pytest.approx(0.25)
    e = estimate_err_iiv([0.9, 0.1, 0.6, 0.2], [0.6, 0.1], threshold=0.5)
    assert e.value == pytest.approx(0.5 * (2 / 4) + 0.5 * (1 / 2))


def test_estimator_input_errors() -> None:
    with pytest.raises(InputError) as exc:
        estimate_delta([], [0.5], threshold=0.5)
    assert exc.value.field == "p_hat_on_data"
    with pytest.raises(InputError):
        estimate_delta([0.5], [0.5])  # neither threshold nor min_error_set
    with pytest.raises(InputError) as exc:
        estimate_err_iiv([0.5], [1.5], threshold=0.5)
    assert exc.value.field == "p_hat_on_errors"

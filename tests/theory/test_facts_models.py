"""The calibrated algorithm and the counting model; the 200-seed Theorem 2 simulation."""

from __future__ import annotations

import numpy as np
import pytest

from halluc.errors import InputError
from halluc.theory.facts import IDK, ArbitraryFacts, TrainingSample
from halluc.theory.facts_models import (
    FactsModel,
    calibrated_algorithm,
    counting_model,
    estimate_alpha,
    theorem2_trial,
)
from halluc.theory.iiv import analyze, delta_at

TOL = 1e-12


def _small_world(seed: int) -> tuple[ArbitraryFacts, np.ndarray, TrainingSample]:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    facts = ArbitraryFacts.create(
        rng.dirichlet(np.ones(k)), rng.uniform(0, 1, k), rng.integers(2, 6, k)
    )
    answers = facts.sample_answers(rng)
    sample = facts.sample_training(int(rng.integers(1, 12)), answers, rng)
    return facts, answers, sample


def test_closed_form_matches_explicit_instance() -> None:
    """Per-prompt closed forms agree with the generic Theorem 1 code to 1e-12."""
    for seed in range(300):
        facts, answers, sample = _small_world(seed)
        models = [
            calibrated_algorithm(sample, facts.n_prompts, alpha=facts.alpha),
            calibrated_algorithm(sample, facts.n_prompts, method="pooled"),
            calibrated_algorithm(sample, facts.n_prompts, method="shrinkage"),
            counting_model(sample, facts.n_prompts),
        ]
        # a model that memorised a wrong answer, to exercise that branch too
        wrong = (answers + 1) % facts.n_responses
        models.append(
            FactsModel(
                np.full(facts.n_prompts, 0.2),
                np.full(facts.n_prompts, 0.5),
                wrong,
                np.full(facts.n_prompts, 0.3),
            )
        )
        for m in models:
            inst = m.to_instance(facts, answers)
            ref = analyze(inst)
            got = m.evaluate(facts, answers)
            assert abs(got.err - ref.err) <= TOL
            assert abs(got.delta - ref.delta) <= TOL
            assert abs(got.err_iiv - ref.err_iiv) <= TOL
            assert abs(got.theorem1.value - ref.bound.value) <= TOL
            assert got.err >= got.theorem1.value - TOL
            for z in (0.0, 0.05, 0.2, 0.5, 0.9):
                assert abs(m.delta_at(facts, answers, z)[0] - delta_at(inst, z)[0]) <= TOL


def test_calibrated_algorithm_with_true_alpha_is_calibrated_at_every_threshold() -> None:
    # Appendix B: δ_z = 0 for all z in [0, 1]
    for seed in range(100):
        facts, answers, sample = _small_world(seed)
        m = calibrated_algorithm(sample, facts.n_prompts, alpha=facts.alpha)
        for z in np.linspace(0, 1, 41):
            assert m.delta_at(facts, answers, float(z))[0] <= TOL


def test_calibrated_error_is_the_missing_mass_share() -> None:
    # err = Σ_{c∈U} μ(c) α_c (|R_c| - 1)/|R_c|, which is at most MM·L/(L + 1)
    for seed in range(100):
        facts, answers, sample = _small_world(seed)
        m = calibrated_algorithm(sample, facts.n_prompts, alpha=facts.alpha)
        u = facts.unanswered(sample)
        nr = facts.n_responses
        expected = float(np.sum(facts.mu * facts.alpha * (nr - 1) / nr, where=u))
        assert m.error_rate(facts, answers) == pytest.approx(expected, abs=TOL)
        big_l = facts.max_error_set
        assert expected <= facts.missing_mass(sample) * big_l / (big_l + 1) + TOL


def test_estimate_alpha() -> None:
    sample = TrainingSample(np.array([0, 0, 0, 1, 2, 2]), np.array([4, IDK, 4, IDK, 1, 1]))
    pooled = estimate_alpha(sample, 4)
    assert np.allclose(pooled, 4 / 6)
    shr = estimate_alpha(sample, 4, method="shrinkage", prior_strength=2.0)
    assert shr[0] == pytest.approx((2 + 2 * 4 / 6) / (3 + 2))
    assert shr[3] == pytest.approx(4 / 6)  # never seen: the pooled rate
    with pytest.raises(InputError):
        estimate_alpha(sample, 4, method="shrinkage", prior_strength=0)


def test_counting_model_shape() -> None:
    sample = TrainingSample(np.array([0, 0, 1]), np.array([2, IDK, IDK]))
    m = counting_model(sample, 3)
    assert m.p_idk.tolist() == [0.5, 1.0, pytest.approx(2 / 3)]
    assert m.p_known.tolist() == [0.5, 0.0, 0.0]
    assert m.known.tolist() == [2, IDK, IDK]
    assert m.p_uniform.tolist() == [0.0, 0.0, pytest.approx(1 / 3)]


def test_model_must_be_a_distribution() -> None:
    with pytest.raises(InputError):
        FactsModel(np.array([0.5]), np.array([0.0]), np.array([IDK]), np.array([0.4]))


def _simulation_world() -> ArbitraryFacts:
    rng = np.random.default_rng(2025)
    m = 150_000
    w = np.arange(1, m + 1, dtype=float) ** -0.3  # a long tail of rare facts
    return ArbitraryFacts.create(w / w.sum(), rng.uniform(0.8, 1.0, m), 365)  # birthdays


def test_theorem2_simulation_over_200_seeds() -> None:
    """Theorem 2 over 200 seeds: Definition 1 with 150,000 birthday facts, N = 50,000.

    The lower bound must hold in >= 99% of seeds for the calibrated algorithm and for the
    counting model, the upper bound for the calibrated algorithm; the bounds must also be
    informative here (not vacuous), or the check would prove nothing.
    """
    facts = _simulation_world()
    n, seeds = 50_000, 200
    names = ("calibrated-true", "counting")
    held = {f"lower/{m}": 0 for m in names} | {"upper/calibrated-true": 0}
    lower_values = {m: [] for m in names}
    upper_gap = []
    for seed in range(seeds):
        tr = theorem2_trial(facts, n, np.random.default_rng(seed), models=names)
        for m in names:
            held[f"lower/{m}"] += tr.lower[m].check(tr.evaluations[m].err)
            lower_values[m].append(tr.lower[m].value)
        assert tr.evaluations["calibrated-true"].delta <= TOL
        held["upper/calibrated-true"] += tr.upper.check(tr.evaluations["calibrated-true"].err)
        upper_gap.append(tr.upper.value - tr.evaluations["calibrated-true"].err)
    freqs = {k: v / seeds for k, v in held.items()}
    print(f"\nTheorem 2 over {seeds} seeds (N = {n}, |E_c| = 364): observed frequencies {freqs}")
    print(
        "mean lower bound:",
        {m: round(float(np.mean(v)), 4) for m, v in lower_values.items()},
        "; mean upper-bound slack over err:",
        round(float(np.mean(upper_gap)), 4),
    )
    for k, f in freqs.items():
        assert f >= 0.99, (k, f)
    for m in names:
        assert np.mean(lower_values[m]) > 0.05  # informative, not vacuous
    assert np.mean(upper_gap) < 0.1  # the upper bound is close to the error, not trivially 1


def test_pooled_alpha_calibrated_algorithm_is_nearly_calibrated() -> None:
    facts = ArbitraryFacts.uniform(50_000, 365, alpha=0.85)
    for seed in range(10):
        tr = theorem2_trial(
            facts, 40_000, np.random.default_rng(seed), models=("calibrated-pooled",)
        )
        ev = tr.evaluations["calibrated-pooled"]
        assert ev.delta < 0.02
        assert tr.lower["calibrated-pooled"].check(ev.err)
        assert ev.err <= tr.upper.value + 0.02

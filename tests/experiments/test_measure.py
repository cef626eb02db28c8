from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from halluc.experiments.dates import DATES, MIN_ERROR_SET, N_DATES
from halluc.experiments.measure import (
    BUCKETS,
    IDK_COLUMN,
    OTHER_COLUMN,
    THRESHOLD,
    bucket_label,
    calibrated_reference_err,
    greedy_outcomes,
    greedy_records,
    person_scores,
    summarize,
    theorem1_terms,
)
from halluc.experiments.text import IDK_PHRASE
from halluc.experiments.world import World, WorldConfig, build_world
from halluc.log.outcomes import Mode, Outcome
from halluc.theory.iiv import analyze, make_instance


def random_dist(rng: np.random.Generator, n: int, birthday: np.ndarray, sharp: float) -> np.ndarray:
    """Rows over 365 dates + IDK + other: a mix of peaked and spread-out distributions."""
    conc = rng.choice([0.05, 1.0, 20.0], size=n)
    d = np.vstack([rng.dirichlet(np.full(N_DATES + 2, c)) for c in conc])
    # push some mass to the right date and to IDK so that every case of Theorem 1 appears
    d[np.arange(n), birthday] += sharp * rng.random(n)
    d[:, IDK_COLUMN] += sharp * rng.random(n) * (rng.random(n) < 0.3)
    return d / d.sum(axis=1, keepdims=True)


def tiny_world(seed: int, n_people: int = 40) -> World:
    return build_world(
        WorldConfig(
            n_examples=60, n_people=n_people, target_sr=None, unknown_fraction=0.2, seed=seed
        )
    )


def instance_of(world: World, dist: np.ndarray):  # type: ignore[no-untyped-def]
    """The same model as a halluc.theory.iiv Instance: 365 dates + IDK + other (nonsense)."""
    n, k = dist.shape
    prompt = np.repeat(np.arange(n), k)
    col = np.tile(np.arange(k), n)
    valid = (col == world.birthday[prompt]) | (col == IDK_COLUMN)
    p = np.where(col == world.birthday[prompt], world.alpha[prompt], 0.0)
    p = np.where(col == IDK_COLUMN, 1.0 - world.alpha[prompt], p)
    nonsense = col == OTHER_COLUMN
    return make_instance(prompt, valid, p, dist.ravel(), world.weight, nonsense, tol=1e-6)


@settings(max_examples=20)
@given(seed=st.integers(0, 10_000), sharp=st.floats(0.0, 3.0))
def test_theorem1_terms_agree_with_the_theory_module(seed: int, sharp: float) -> None:
    world = tiny_world(seed)
    rng = np.random.default_rng(seed)
    dist = random_dist(rng, world.n_people, world.birthday, sharp)
    # keep "other" below the threshold: then it cannot be in A either way
    dist[:, OTHER_COLUMN] = np.minimum(dist[:, OTHER_COLUMN], THRESHOLD / 2)
    dist /= dist.sum(axis=1, keepdims=True)
    s = person_scores(dist, world.birthday)
    mine = theorem1_terms(s, world.weight, world.alpha)
    ref = analyze(instance_of(world, dist))
    assert mine.err_iiv == pytest.approx(ref.err_iiv, abs=1e-12)
    assert mine.delta == pytest.approx(ref.delta, abs=1e-12)
    assert mine.p_hat_a == pytest.approx(ref.p_hat_a, abs=1e-12)
    assert mine.p_a == pytest.approx(ref.p_a, abs=1e-12)
    assert float((world.weight * s.err).sum()) == pytest.approx(ref.err, abs=1e-12)


@settings(max_examples=30)
@given(seed=st.integers(0, 10_000), sharp=st.floats(0.0, 5.0))
def test_theorem1_holds_for_any_model(seed: int, sharp: float) -> None:
    """Theorem 1 is deterministic: err >= 2 err_iiv - 2/364 - delta for every p-hat, here with
    nonsense mass of any size (delta taken over the plausible responses)."""
    world = tiny_world(seed, n_people=25)
    dist = random_dist(np.random.default_rng(seed), world.n_people, world.birthday, sharp)
    out = summarize(world, person_scores(dist, world.birthday))
    assert out.theorem1_holds
    assert out.err >= out.theorem1.value - 1e-12


def test_calibrated_algorithm_has_zero_delta_and_the_reference_error() -> None:
    """Theorem 2's calibrated algorithm built as a distribution: memorise what was seen, else
    IDK with probability 1 - alpha and uniform otherwise."""
    world = tiny_world(7, n_people=60)
    n = world.n_people
    dist = np.zeros((n, N_DATES + 2))
    for c in range(n):
        a = world.alpha[c]
        dist[c, IDK_COLUMN] = 1.0 - a
        if world.answered[c] > 0:
            dist[c, world.birthday[c]] = a
        else:
            dist[c, :N_DATES] += a / N_DATES
    out = summarize(world, person_scores(dist, world.birthday))
    assert out.iiv.delta == pytest.approx(0.0, abs=1e-12)
    assert out.err == pytest.approx(calibrated_reference_err(world), abs=1e-12)
    assert out.err == pytest.approx(world.missing_mass() * MIN_ERROR_SET / N_DATES)
    assert out.theorem2_upper.value >= out.theorem2_upper_no_slack


def test_buckets_partition_people_and_mass(small_world: World) -> None:
    rng = np.random.default_rng(0)
    dist = random_dist(rng, small_world.n_people, small_world.birthday, 1.0)
    out = summarize(small_world, person_scores(dist, small_world.birthday))
    rows = out.buckets
    assert [r.bucket for r in rows] == [b.label for b in BUCKETS]
    assert sum(r.people for r in rows) == small_world.n_people
    assert sum(r.mass for r in rows) == pytest.approx(1.0)
    total = sum(r.mass * r.err for r in rows if r.people)
    assert total == pytest.approx(out.err)
    for r in rows:
        if r.people:
            assert r.err + r.acc + r.idk == pytest.approx(1.0)
    for i in range(small_world.n_people):
        label = bucket_label(int(small_world.answered[i]), int(small_world.idk_mentions[i]))
        assert label in {b.label for b in BUCKETS}
    assert out.sr == small_world.singleton_counts().sr


def four_greedy_answers() -> tuple[World, np.ndarray]:
    """Four people whose most likely answer is right, wrong, IDK and nonsense."""
    world = tiny_world(1, n_people=4)
    dist = np.full((4, N_DATES + 2), 1e-4)
    b = world.birthday
    dist[0, b[0]] = 1.0
    dist[1, (b[1] + 1) % N_DATES] = 1.0
    dist[2, IDK_COLUMN] = 1.0
    dist[3, OTHER_COLUMN] = 1.0
    return world, dist / dist.sum(axis=1, keepdims=True)


def test_greedy_outcomes_follow_the_argmax() -> None:
    world, dist = four_greedy_answers()
    got = greedy_outcomes(world, person_scores(dist, world.birthday))
    assert got == [Outcome.CORRECT, Outcome.INCORRECT, Outcome.ABSTAINED, Outcome.ERROR]


def test_greedy_records_are_graded_answers_with_their_probability() -> None:
    world, dist = four_greedy_answers()
    b = world.birthday
    s = person_scores(dist, b)
    records = list(greedy_records(world, s, "toy"))
    assert [r.outcome for r in records] == greedy_outcomes(world, s)
    assert [r.response for r in records] == [
        DATES[b[0]],
        DATES[(b[1] + 1) % N_DATES],
        IDK_PHRASE,
        "(other)",
    ]
    assert {r.model for r in records} == {"toy"} and {r.mode for r in records} == {Mode.GREEDY}
    assert records[0].confidence == pytest.approx(float(dist[0].max()))
    assert records[3].item_id == world.name(3)
    for i, r in enumerate(records):
        expected = bucket_label(int(world.answered[i]), int(world.idk_mentions[i]))
        assert r.metadata["bucket"] == expected
        assert r.metadata["p_correct"] == pytest.approx(float(s.correct[i]))

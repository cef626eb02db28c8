"""Theorems 3 and 4, the threshold sweep, opt(G), and the trigram example (Corollary 2)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from halluc.errors import InputError
from halluc.theory.iiv import make_instance
from halluc.theory.multiple_choice import (
    bayes_error_given_features,
    check_multiple_choice,
    err_iiv_at,
    opt_thresholded,
    poor_model_bound,
    theorem3_bound,
    theorem4,
    threshold_sweep,
    trigram_example,
)
from halluc.theory.ngram import NGramModel, pronoun_corpus, target_context, target_response
from tests.theory.grids import all_instances, to_instance
from tests.theory.reference import ref_err_iiv_at, ref_min_threshold_error

TOL = 1e-12


@pytest.mark.parametrize(("n_prompts", "q_denom"), [(1, 6), (2, 2)])
def test_threshold_sweep_matches_exact_brute_force(n_prompts: int, q_denom: int) -> None:
    shapes = [(1, 1), (1, 2), (1, 3), (2, 1)]
    checked = 0
    for pairs, mu in all_instances(n_prompts, 2, q_denom, shapes):
        inst = to_instance(pairs, mu)
        sw = threshold_sweep(inst)
        assert abs(sw.best_error - float(ref_min_threshold_error(pairs, mu))) <= TOL
        # the reported threshold achieves the reported error
        t = Fraction(sw.best_threshold).limit_denominator(1000)
        assert abs(float(ref_err_iiv_at(pairs, mu, t)) - sw.best_error) <= TOL
        assert abs(err_iiv_at(inst, sw.best_threshold) - sw.best_error) <= TOL
        checked += 1
    assert checked > 100


def test_theorem4_on_the_paper_setting_is_tight_for_a_confused_model() -> None:
    # two prompts, two choices, a model that cannot tell them apart: err = 1/2, bound = 1/2
    inst = make_instance(
        ["c1", "c1", "c2", "c2"], [True, False, False, True], [1, 0, 0, 1], [0.3, 0.7, 0.3, 0.7]
    )
    res = theorem4(inst)
    assert res.n_choices == 2
    assert res.err == pytest.approx(0.5)
    assert res.err_iiv_at_threshold == pytest.approx(0.5)
    assert res.bound.value == pytest.approx(0.5)


def test_theorem4_perfect_model_has_zero_bound() -> None:
    inst = make_instance([0, 0, 0], [True, False, False], [1, 0, 0], [1.0, 0.0, 0.0])
    res = theorem4(inst)
    assert res.err == 0.0 and res.bound.value == 0.0


def test_opt_thresholded_picks_the_best_member() -> None:
    inst = make_instance(
        [0, 0, 1, 1], [True, False, True, False], [1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]
    )
    family = np.array([[0.5, 0.5, 0.5, 0.5], [0.9, 0.1, 0.8, 0.2]])
    opt, row, t = opt_thresholded(inst, family)
    assert row == 1 and opt == 0.0 and 0.2 <= t < 0.8


def test_feature_bayes_error_lower_bounds_the_thresholded_family() -> None:
    rng = np.random.default_rng(5)
    inst = make_instance(
        ["a", "a", "b", "b"], [True, False, False, True], [1, 0, 0, 1], [0.6, 0.4, 0.6, 0.4]
    )
    # classifiers that see only the response: Bayes error is 1/2
    feats = np.array(["r1", "r2", "r1", "r2"])
    assert bayes_error_given_features(inst, feats) == pytest.approx(0.5)
    # any model depending only on the response has opt >= that
    for _ in range(20):
        q = rng.uniform()
        fam = np.array([[q, 1 - q, q, 1 - q]])
        assert opt_thresholded(inst, fam)[0] >= 0.5 - TOL


def test_bounds_from_numbers() -> None:
    b = theorem3_bound(0.5, 2)
    assert b.value == pytest.approx(0.5)
    assert theorem3_bound(0.3, 4).value == pytest.approx(2 * 0.75 * 0.3)
    assert poor_model_bound(0.4, 1, 3, 0.05).value == pytest.approx(0.8 - 1 / 3 - 0.05)
    with pytest.raises(InputError) as exc:
        theorem3_bound(0.5, 1)
    assert exc.value.field == "n_choices"


def test_multiple_choice_requires_one_valid_answer() -> None:
    inst = make_instance([0, 0, 0], [True, True, False], [0.5, 0.5, 0], [0.3, 0.3, 0.4])
    with pytest.raises(InputError, match="exactly one valid"):
        check_multiple_choice(inst)


def test_trigram_example_error_is_at_least_one_half() -> None:
    ex = trigram_example(3000, order=3, seed=1, n_samples=20_000)
    # both contexts end in "out of": the model gives them the same distribution
    ctx1, ctx2 = ex.p_hat
    assert ex.p_hat[ctx1] == ex.p_hat[ctx2]
    assert ex.err == pytest.approx(0.5, abs=TOL)
    assert ex.opt_g_lower == pytest.approx(0.5, abs=TOL)
    assert ex.min_threshold_err_iiv == pytest.approx(0.5, abs=TOL)
    assert ex.bound.value == pytest.approx(0.5, abs=TOL)
    assert ex.err >= ex.bound.value - TOL
    # sampled generations: the observed error rate is consistent with 1/2 (5 sigma)
    assert abs(ex.sampled_err - 0.5) < 5 * np.sqrt(0.25 / ex.n_samples)


def test_unbalanced_data_does_not_help_a_trigram() -> None:
    # 80% "She" sentences: p̂(her | out of) ≈ 0.8, and still err = 1/2 exactly
    rng = np.random.default_rng(0)
    model = NGramModel.fit(pronoun_corpus(4000, rng, p_she=0.8), order=3)
    q = model.continuation_prob(target_context("She"), target_response("She"))
    assert 0.7 < q < 0.9
    err = 0.5 * (1 - q) + 0.5 * model.continuation_prob(
        target_context("He"), target_response("She")
    )
    assert err == pytest.approx(0.5, abs=TOL)


def test_a_long_enough_ngram_gets_it_right() -> None:
    ex = trigram_example(3000, order=9, seed=1, n_samples=2000)
    assert ex.err == 0.0 and ex.sampled_err == 0.0 and ex.opt_g_lower == 0.0


def test_ngram_probabilities_match_nltk() -> None:
    from nltk.lm import MLE
    from nltk.lm.preprocessing import padded_everygram_pipeline

    rng = np.random.default_rng(3)
    corpus = pronoun_corpus(500, rng)
    ours = NGramModel.fit(corpus, order=3)
    train, vocab = padded_everygram_pipeline(3, corpus)
    ref = MLE(3)
    ref.fit(train, vocab)
    for sent in corpus[:50]:
        hist: list[str] = []
        for tok in sent:
            assert ours.prob(tok, hist) == pytest.approx(
                ref.score(tok, ["<s>", "<s>", *hist][-2:]), abs=TOL
            )
            hist.append(tok)


def test_ngram_sampling_frequencies() -> None:
    model = NGramModel.fit([["a", "b", "."], ["a", "c", "."], ["a", "b", "."]], order=2)
    outs = model.sample(["a"], 30_000, np.random.default_rng(0))
    share_b = sum(o == ("b", ".") for o in outs) / len(outs)
    assert abs(share_b - 2 / 3) < 0.02
    assert all(o[-1] == "." for o in outs)

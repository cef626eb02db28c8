"""Pure multiple choice: Theorems 3 and 4, opt(G), and the trigram example (Corollary 2).

With exactly one valid response per prompt (|V_c| = 1, no IDK) and C = min_c|E_c| + 1
choices, Appendix C shows that for every model some threshold t has
``err >= 2(1 − 1/C)·err_iiv(f̂_t)`` (Theorem 4), hence ``err >= 2(1 − 1/C)·opt(G)`` for the
family G of thresholded models (Theorem 3) — no calibration term, and meaningful already
for C = 2.

``err_iiv(f̂_t)`` is piecewise constant in t and changes only at values of p̂, so the
minimum over t ∈ [0, 1] is found exactly by one sort and one cumulative sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from halluc.errors import InputError
from halluc.theory._checks import FloatArray, finite_float, integer, prob_array, wsum
from halluc.theory.bound import Bound, fmt
from halluc.theory.iiv import (
    Instance,
    generative_error,
    iiv_distribution,
    make_instance,
    theorem1_bound,
)
from halluc.theory.ngram import (
    SUBJECTS,
    NGramModel,
    pronoun_corpus,
    target_context,
    target_response,
)


@dataclass(frozen=True)
class ThresholdSweep:
    """err_iiv(f̂_t) at every distinct threshold, and the best one."""

    thresholds: FloatArray
    errors: FloatArray
    best_threshold: float
    best_error: float


def threshold_sweep(inst: Instance, p_hat: npt.ArrayLike | None = None) -> ThresholdSweep:
    """err_iiv(f̂_t), f̂_t(c,r) = + iff p̂(r|c) > t, at t = 0 and at every value of p̂.

    Between consecutive values of p̂ the classifier does not change, so these thresholds
    cover all of [0, 1]. Ties are broken towards the smallest threshold.
    """
    ph = inst.p_hat if p_hat is None else prob_array(p_hat, "p_hat")
    d = iiv_distribution(inst)
    signed = np.where(inst.valid, d, 0.0) - np.where(inst.error, d, 0.0)
    d_err = wsum(d, inst.error)
    order = np.argsort(ph, kind="stable")
    sp = ph[order]
    cum = np.cumsum(signed[order])
    is_last = np.ones(sp.size, dtype=bool)  # end of each run of equal p̂
    is_last[:-1] = sp[1:] != sp[:-1]
    thresholds = sp[is_last]
    errors = d_err + cum[is_last]
    if thresholds.size == 0 or thresholds[0] > 0.0:
        thresholds = np.concatenate(([0.0], thresholds))
        errors = np.concatenate(([d_err], errors))
    errors = np.clip(errors, 0.0, 1.0)
    i = int(np.argmin(errors))
    return ThresholdSweep(thresholds, errors, float(thresholds[i]), float(errors[i]))


def err_iiv_at(inst: Instance, t: float, p_hat: npt.ArrayLike | None = None) -> float:
    """err_iiv(f̂_t) for one threshold t."""
    ph = inst.p_hat if p_hat is None else prob_array(p_hat, "p_hat")
    d = iiv_distribution(inst)
    pos = ph > t
    return wsum(d, pos & inst.error) + wsum(d, ~pos & inst.valid)


def expected_random_threshold_error(inst: Instance) -> float:
    """E_{t~U[0,1]} err_iiv(f̂_t) = Σ_E D·p̂ + Σ_V D·(1 − p̂) (the proof of Theorem 4)."""
    d = iiv_distribution(inst)
    return wsum(d, np.where(inst.error, inst.p_hat, 0.0)) + wsum(
        d, np.where(inst.valid, 1.0 - inst.p_hat, 0.0)
    )


def opt_thresholded(inst: Instance, family: npt.ArrayLike) -> tuple[float, int, float]:
    """opt(G) for G = {g_θ,t : θ ∈ Θ, t ∈ [0,1]} with Θ finite.

    ``family`` has one row per θ: p̂_θ(r|c) for every pair of ``inst``. Returns
    (opt(G), the best row, its threshold).
    """
    fam = prob_array(family, "family", ndim=2)
    if fam.shape[1] != inst.n_pairs:
        raise InputError(
            f"each row needs {inst.n_pairs} entries (one per pair), got {fam.shape[1]}",
            field="family",
        )
    if fam.shape[0] == 0:
        raise InputError("the family is empty", field="family")
    best = (2.0, -1, 0.0)
    for row in range(fam.shape[0]):
        sw = threshold_sweep(inst, fam[row])
        if sw.best_error < best[0]:
            best = (sw.best_error, row, sw.best_threshold)
    return best


def bayes_error_given_features(inst: Instance, features: npt.ArrayLike) -> float:
    """min over ALL classifiers that see x only through ``features(x)`` of Pr_D[g(x) ≠ f(x)].

    Σ over feature values of min(D(valid), D(error)). Any family G whose classifiers depend
    on x only through the feature (a trigram: the last two context words and the response)
    has opt(G) at least this, so it gives a valid lower bound in Theorem 3.
    """
    f = np.asarray(features)
    if f.shape[0] != inst.n_pairs:
        raise InputError(f"needs one feature per pair ({inst.n_pairs})", field="features")
    _, group = (
        np.unique(f, axis=0, return_inverse=True)
        if f.ndim > 1
        else np.unique(f, return_inverse=True)
    )
    group = group.ravel()
    d = iiv_distribution(inst)
    pos = np.bincount(group, weights=np.where(inst.valid, d, 0.0))
    neg = np.bincount(group, weights=np.where(inst.error, d, 0.0))
    return float(np.minimum(pos, neg).sum())


def _n_choices(n: int) -> int:
    return integer(n, "n_choices", minimum=2)


def theorem3_bound(opt_g: float, n_choices: int) -> Bound:
    """Theorem 3: err >= 2(1 − 1/C)·opt(G), C = min_c|E_c| + 1 choices, |V_c| = 1."""
    o = finite_float(opt_g, "opt_g")
    if not 0.0 <= o <= 1.0:
        raise InputError(f"must be in [0, 1], got {o:g}", field="opt_g")
    c = _n_choices(n_choices)
    factor = 2.0 * (1.0 - 1.0 / c)
    value = factor * o
    return Bound(
        value,
        {"opt(G)": o, "C": float(c), "2(1-1/C)": factor},
        f"err >= 2(1 - 1/C)*opt(G) = 2(1 - 1/{c})*{fmt(o)} = {fmt(value)}",
        "lower",
        1.0,
        "Theorem 3",
    )


def poor_model_bound(
    opt_g: float, max_valid_set: int, min_error_set: int, delta: float = 0.0
) -> Bound:
    """§3.3.2: err >= 2·opt(G) − max_c|V_c|/min_c|E_c| − δ (Theorem 1, since f̂ ∈ G)."""
    b = theorem1_bound(opt_g, max_valid_set, min_error_set, delta)
    stmt = b.statement.replace("err_iiv", "opt(G)")
    terms = {k.replace("err_iiv", "opt(G)"): v for k, v in b.terms.items()}
    return Bound(b.value, terms, stmt, "lower", 1.0, "Theorem 1 with opt(G)")


def check_multiple_choice(inst: Instance) -> int:
    """Validate the pure multiple-choice setting and return C = min_c|E_c| + 1."""
    if inst.nonsense.any():
        raise InputError("pure multiple choice has no nonsense responses", field="nonsense")
    sizes = inst.valid_set_sizes
    if (sizes != 1).any():
        c = int(np.flatnonzero(sizes != 1)[0])
        raise InputError(
            f"pure multiple choice needs exactly one valid response per prompt; prompt "
            f"{inst.label(c)!r} has {int(sizes[c])}",
            field="valid",
        )
    return inst.min_error_set + 1


@dataclass(frozen=True)
class Theorem4Result:
    err: float
    n_choices: int
    threshold: float
    err_iiv_at_threshold: float
    expected_err_iiv_random_threshold: float
    bound: Bound


def theorem4(inst: Instance) -> Theorem4Result:
    """Theorem 4: the threshold t minimising err_iiv(f̂_t) and err >= 2(1 − 1/C)·err_iiv(f̂_t)."""
    c = check_multiple_choice(inst)
    sw = threshold_sweep(inst)
    factor = 2.0 * (1.0 - 1.0 / c)
    value = factor * sw.best_error
    bound = Bound(
        value,
        {"err_iiv(f_t)": sw.best_error, "t": sw.best_threshold, "C": float(c), "2(1-1/C)": factor},
        f"err >= 2(1 - 1/C)*err_iiv(f_t) at t = {fmt(sw.best_threshold)}: "
        f"2(1 - 1/{c})*{fmt(sw.best_error)} = {fmt(value)}",
        "lower",
        1.0,
        "Theorem 4",
    )
    return Theorem4Result(
        generative_error(inst),
        c,
        sw.best_threshold,
        sw.best_error,
        expected_random_threshold_error(inst),
        bound,
    )


@dataclass(frozen=True)
class TrigramExample:
    """The paper's Corollary 2 reproduced with an n-gram model fitted to generated text."""

    order: int
    n_sentences: int
    p_hat: dict[str, dict[str, float]]
    """p̂(response | context) for both contexts and both responses."""
    err: float
    """Exact generation error, Σ_c μ(c) p̂(wrong response | c), μ uniform."""
    sampled_err: float
    n_samples: int
    opt_g_lower: float
    """Bayes error of classifiers that see only the n-gram's view; <= opt(G)."""
    min_threshold_err_iiv: float
    bound: Bound
    instance: Instance


def trigram_example(
    n_sentences: int = 5000, *, order: int = 3, seed: int = 0, n_samples: int = 20000
) -> TrigramExample:
    """Fit an n-gram model to generated sentences and measure its error on the paper's pair.

    c1 = "She lost it and was completely out of", c2 = the same with "He"; V_c1 = E_c2 =
    {"her mind."}, V_c2 = E_c1 = {"his mind."}, μ uniform. For a trigram (order 3) both
    contexts end in "out of", so p̂(·|c1) = p̂(·|c2) and err = 1/2 whatever the data; the
    Theorem 3 bound is 2(1 − 1/2)·1/2 = 1/2. Larger orders (>= 9) see the subject and
    can reach 0.
    """
    rng = np.random.default_rng(seed)
    corpus = pronoun_corpus(n_sentences, rng)
    model = NGramModel.fit(corpus, order=order)
    subjects = list(SUBJECTS)
    prompts, valid, p, p_hat, feats = [], [], [], [], []
    table: dict[str, dict[str, float]] = {}
    for s in subjects:
        ctx = target_context(s)
        key = " ".join(ctx)
        table[key] = {}
        for s2 in subjects:
            resp = target_response(s2)
            q = model.continuation_prob(ctx, resp)
            table[key][" ".join(resp)] = q
            prompts.append(key)
            valid.append(s2 == s)
            p.append(1.0 if s2 == s else 0.0)
            p_hat.append(q)
            feats.append(" ".join([*model.context_of(ctx), "|", *resp]))
    ph = np.array(p_hat)
    sums = np.bincount(np.repeat([0, 1], 2), weights=ph)
    # The generated corpus continues "out of" only with "her/his mind .", so p̂ sums to 1;
    # renormalising guards the multiple-choice view against rounding only.
    if np.any(np.abs(sums - 1.0) > 1e-9):
        raise InputError(
            f"the fitted model puts mass {1 - sums.min():.3g} outside the two choices",
            field="corpus",
        )
    inst = make_instance(prompts, valid, p, ph / np.repeat(sums, 2))
    err = generative_error(inst)
    wrong = 0
    per = n_samples // 2
    for s in subjects:
        outs = model.sample(target_context(s), per, rng)
        wrong += sum(1 for o in outs if list(o) != target_response(s))
    opt_lower = bayes_error_given_features(inst, np.array(feats))
    sw = threshold_sweep(inst)
    c = check_multiple_choice(inst)
    return TrigramExample(
        order=order,
        n_sentences=n_sentences,
        p_hat=table,
        err=err,
        sampled_err=wrong / (2 * per),
        n_samples=2 * per,
        opt_g_lower=opt_lower,
        min_threshold_err_iiv=sw.best_error,
        bound=theorem3_bound(opt_lower, c),
        instance=inst,
    )

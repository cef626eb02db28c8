"""Models of arbitrary facts: the calibrated algorithm of Theorem 2 and a counting model.

Every model here has the same shape per prompt c (so it is evaluated in closed form, with no
loop over the |R_c| responses): probability ``p_idk`` on IDK, ``p_known`` on a memorised
answer ``known[c]`` (−1: none), and ``p_uniform`` spread evenly over R_c. From it and the true
answers we compute err, δ at any threshold z, and err_iiv — the quantities of Theorems 1–2.

The calibrated algorithm of the upper-bound proof (Appendix B) memorises a_c for prompts seen
with an answer and, for unseen ones, abstains with probability 1 − α_c and otherwise answers
uniformly over R_c. As printed it uses the true α_c (an existence argument: then δ_z = 0 for
every z). Pass ``alpha=`` the truth to get exactly that, or let :func:`estimate_alpha`
estimate α_c from the training data (pooled or shrunk per prompt; documented there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from halluc.errors import InputError
from halluc.theory._checks import FloatArray, IntArray, finite_float, prob_array, wsum
from halluc.theory.bound import Bound
from halluc.theory.facts import (
    IDK,
    ArbitraryFacts,
    TrainingSample,
    theorem2_lower_bound,
    theorem2_upper_bound,
)
from halluc.theory.iiv import theorem1_bound
from halluc.theory.iiv_instance import Instance, make_instance

_Parts = tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]
"""Per prompt: mass u on each response of R_c, p̂(a_c), p̂(memorised wrong answer),
whether the memorised answer is wrong (0/1), and how many other errors there are."""


@dataclass(frozen=True)
class FactsEvaluation:
    """err, δ, err_iiv of a facts model against the true answers."""

    err: float
    delta: float
    p_hat_a: float
    p_a: float
    err_iiv: float
    threshold: float
    theorem1: Bound


@dataclass(frozen=True, eq=False)
class FactsModel:
    """p̂(IDK|c) = p_idk; p̂(r|c) = p_uniform/|R_c| + p_known·[r = known[c]] for r ∈ R_c."""

    p_idk: FloatArray
    p_known: FloatArray
    known: IntArray
    p_uniform: FloatArray
    name: str = ""

    def __post_init__(self) -> None:
        total = self.p_idk + self.p_known + self.p_uniform
        if np.any(np.abs(total - 1.0) > 1e-9):
            c = int(np.flatnonzero(np.abs(total - 1.0) > 1e-9)[0])
            raise InputError(f"p̂(·|c) sums to {total[c]:.12g} for prompt {c}", field="model")
        if np.any((self.known < 0) & (self.p_known > 0)):
            raise InputError("mass on a memorised answer for a prompt without one", field="model")

    def _parts(self, facts: ArbitraryFacts, answers: npt.ArrayLike) -> _Parts:
        a = np.asarray(answers, dtype=np.int64)
        if a.shape != (facts.n_prompts,):
            raise InputError(f"needs one answer per prompt ({facts.n_prompts})", field="answers")
        nr = facts.n_responses.astype(np.float64)
        u = self.p_uniform / nr
        has = self.known >= 0
        right = has & (self.known == a)
        wrong = (has & ~right).astype(np.float64)
        p_ans = u + self.p_known * right
        p_wrong_known = u + self.p_known  # only meaningful where wrong == 1
        n_other_err = (nr - 1.0) - wrong
        return u, p_ans, p_wrong_known, wrong, n_other_err

    def error_rate(self, facts: ArbitraryFacts, answers: npt.ArrayLike) -> float:
        """err = Σ μ(c) p̂(E_c|c)."""
        return self._error_rate(facts, self._parts(facts, answers))

    def _error_rate(self, facts: ArbitraryFacts, parts: _Parts) -> float:
        u, _, _, wrong, _ = parts
        nr = facts.n_responses.astype(np.float64)
        per = (nr - 1.0) * u + self.p_known * wrong
        return wsum(facts.mu, per)

    def delta_at(
        self, facts: ArbitraryFacts, answers: npt.ArrayLike, z: float
    ) -> tuple[float, float, float]:
        """(δ_z, p̂(A_z), p(A_z)) with A_z = {(c, r): p̂(r|c) > z}."""
        return self._delta_at(facts, self._parts(facts, answers), z)

    def _delta_at(
        self, facts: ArbitraryFacts, parts: _Parts, z: float
    ) -> tuple[float, float, float]:
        u, p_ans, p_wk, wrong, n_other = parts
        idk_in = self.p_idk > z
        ans_in = p_ans > z
        ph = (
            self.p_idk * idk_in + p_ans * ans_in + wrong * p_wk * (p_wk > z) + n_other * u * (u > z)
        )
        pa = (1.0 - facts.alpha) * idk_in + facts.alpha * ans_in
        p_hat_a = wsum(facts.mu, ph)
        p_a = wsum(facts.mu, pa)
        return abs(p_hat_a - p_a), p_hat_a, p_a

    def evaluate(self, facts: ArbitraryFacts, answers: npt.ArrayLike) -> FactsEvaluation:
        """err, δ and err_iiv at the threshold 1/min_c|E_c|, and Theorem 1 (max|V_c| = 2)."""
        z = 1.0 / facts.min_error_set
        parts = self._parts(facts, answers)
        u, p_ans, p_wk, wrong, n_other = parts
        delta, ph, pa = self._delta_at(facts, parts, z)
        ne = facts.error_set_sizes.astype(np.float64)
        fp = facts.mu / (2.0 * ne) * (wrong * (p_wk > z) + n_other * (u > z))
        fn = facts.mu / 2.0 * ((1.0 - facts.alpha) * (self.p_idk <= z) + facts.alpha * (p_ans <= z))
        err_iiv = float(fp.sum() + fn.sum())
        t1 = theorem1_bound(min(1.0, err_iiv), 2, facts.min_error_set, min(1.0, delta))
        return FactsEvaluation(self._error_rate(facts, parts), delta, ph, pa, err_iiv, z, t1)

    def to_instance(self, facts: ArbitraryFacts, answers: npt.ArrayLike) -> Instance:
        """The same model as an explicit :class:`Instance` (for small cross-checks only).

        Pairs per prompt: IDK first, then r = 0..|R_c|−1.
        """
        a = np.asarray(answers, dtype=np.int64)
        prompt, valid, p, ph = [], [], [], []
        for c in range(facts.n_prompts):
            nr = int(facts.n_responses[c])
            prompt.append(c)
            valid.append(True)
            p.append(1.0 - facts.alpha[c])
            ph.append(self.p_idk[c])
            for r in range(nr):
                prompt.append(c)
                valid.append(r == a[c])
                p.append(facts.alpha[c] if r == a[c] else 0.0)
                mass = self.p_uniform[c] / nr + (self.p_known[c] if r == self.known[c] else 0.0)
                ph.append(mass)
        return make_instance(prompt, valid, p, ph, facts.mu)


def _per_prompt_counts(sample: TrainingSample, n_prompts: int) -> tuple[IntArray, IntArray]:
    """(examples per prompt, non-IDK examples per prompt)."""
    if sample.n and (sample.prompts.min() < 0 or sample.prompts.max() >= n_prompts):
        raise InputError(f"prompt indices must be in [0, {n_prompts})", field="prompts")
    n_c = np.bincount(sample.prompts, minlength=n_prompts).astype(np.int64)
    m_c = np.bincount(sample.prompts[~sample.is_idk], minlength=n_prompts).astype(np.int64)
    return n_c, m_c


def memorised_answers(sample: TrainingSample, n_prompts: int) -> IntArray:
    """The answer seen for each prompt (−1 where none; the data are noiseless)."""
    known = np.full(n_prompts, IDK, dtype=np.int64)
    ans = ~sample.is_idk
    known[sample.prompts[ans]] = sample.responses[ans]
    return known


AlphaMethod = Literal["pooled", "shrinkage"]


def estimate_alpha(
    sample: TrainingSample,
    n_prompts: int,
    *,
    method: AlphaMethod = "pooled",
    prior_strength: float = 2.0,
) -> FloatArray:
    """Estimate α_c (the probability that the data answer prompt c) from the training data.

    ``pooled`` (default): one rate for all prompts, ᾱ = non-IDK examples / N. It is
    consistent when α is the same for every prompt, and then the calibrated algorithm is
    calibrated up to |ᾱ − α|. ``shrinkage``: a Beta-binomial posterior mean per prompt,
    (m_c + k·ᾱ)/(n_c + k) with n_c examples, m_c of them answered and k = ``prior_strength``;
    it tracks prompt-specific α_c when prompts recur. Prompts never seen get ᾱ either way.
    """
    if sample.n == 0:
        raise InputError("no training examples", field="sample")
    n_c, m_c = _per_prompt_counts(sample, n_prompts)
    pooled = float(m_c.sum()) / sample.n
    if method == "pooled":
        return np.full(n_prompts, pooled)
    if method == "shrinkage":
        k = finite_float(prior_strength, "prior_strength")
        if k <= 0:
            raise InputError(f"must be positive, got {k:g}", field="prior_strength")
        return (m_c + k * pooled) / (n_c + k)
    raise InputError(f"unknown method {method!r}", field="method")


def calibrated_algorithm(
    sample: TrainingSample,
    n_prompts: int,
    *,
    alpha: npt.ArrayLike | None = None,
    method: AlphaMethod = "pooled",
) -> FactsModel:
    """The calibrated p̂ of Theorem 2's upper bound (Appendix B).

    p̂(IDK|c) = 1 − α_c; seen prompts: p̂(a_c|c) = α_c; unseen: α_c/|R_c| on each r ∈ R_c.
    ``alpha``: the true α (the paper's construction, δ_z = 0 for all z) or None to estimate
    it with :func:`estimate_alpha`.
    """
    a = (
        estimate_alpha(sample, n_prompts, method=method)
        if alpha is None
        else prob_array(np.broadcast_to(np.asarray(alpha, dtype=np.float64), (n_prompts,)), "alpha")
    )
    known = memorised_answers(sample, n_prompts)
    seen = known >= 0
    name = "calibrated (true alpha)" if alpha is not None else f"calibrated ({method} alpha)"
    return FactsModel(
        p_idk=1.0 - a,
        p_known=np.where(seen, a, 0.0),
        known=known,
        p_uniform=np.where(seen, 0.0, a),
        name=name,
    )


def counting_model(sample: TrainingSample, n_prompts: int) -> FactsModel:
    """The model 'trained by counting': p̂(r|c) = share of c's training examples with r.

    A prompt with no examples at all gets the overall IDK rate on IDK and the rest uniform
    over R_c (it must say something; this is the least informed choice).
    """
    n_c, m_c = _per_prompt_counts(sample, n_prompts)
    known = memorised_answers(sample, n_prompts)
    seen = n_c > 0
    pooled_idk = 1.0 - float(m_c.sum()) / max(1, sample.n)
    with np.errstate(invalid="ignore", divide="ignore"):
        ans_share = np.where(seen, m_c / np.maximum(n_c, 1), 0.0)
    return FactsModel(
        p_idk=np.where(seen, 1.0 - ans_share, pooled_idk),
        p_known=ans_share,
        known=np.where(m_c > 0, known, IDK),
        p_uniform=np.where(seen, 0.0, 1.0 - pooled_idk),
        name="counting",
    )


@dataclass(frozen=True)
class Theorem2Trial:
    """One draw of answers and training data, and what each model did on it."""

    sr: float
    n: int
    missing_mass: float
    lower: dict[str, Bound]
    upper: Bound
    evaluations: dict[str, FactsEvaluation]


def theorem2_trial(
    facts: ArbitraryFacts,
    n: int,
    rng: np.random.Generator,
    *,
    gamma: float = 0.01,
    models: tuple[str, ...] = ("calibrated-true", "calibrated-pooled", "counting"),
) -> Theorem2Trial:
    """Draw a⃗ and N examples, fit each model, and compute both Theorem 2 bounds.

    The lower bound is evaluated with each model's own δ; the upper bound (calibrated
    algorithm) does not involve δ.
    """
    answers = facts.sample_answers(rng)
    sample = facts.sample_training(n, answers, rng)
    stats = sample.singleton_stats()
    built: dict[str, FactsModel] = {}
    for m in models:
        if m == "calibrated-true":
            built[m] = calibrated_algorithm(sample, facts.n_prompts, alpha=facts.alpha)
        elif m == "calibrated-pooled":
            built[m] = calibrated_algorithm(sample, facts.n_prompts, method="pooled")
        elif m == "calibrated-shrinkage":
            built[m] = calibrated_algorithm(sample, facts.n_prompts, method="shrinkage")
        elif m == "counting":
            built[m] = counting_model(sample, facts.n_prompts)
        else:
            raise InputError(f"unknown model {m!r}", field="models")
    evals = {m: fm.evaluate(facts, answers) for m, fm in built.items()}
    lower = {
        m: theorem2_lower_bound(stats.sr, n, facts.min_error_set, min(1.0, ev.delta), gamma)
        for m, ev in evals.items()
    }
    upper = theorem2_upper_bound(stats.sr, n, facts.max_error_set, gamma)
    return Theorem2Trial(stats.sr, n, facts.missing_mass(sample), lower, upper, evals)

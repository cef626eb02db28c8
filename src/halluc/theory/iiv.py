"""The Is-It-Valid (IIV) reduction: Theorem 1 and Corollary 1 on finite instances.

An :class:`~halluc.theory.iiv_instance.Instance` (built and validated in
:mod:`halluc.theory.iiv_instance`, re-exported here) holds prompt–response pairs with the
training distribution ``p`` and the model ``p̂``. From it, :func:`analyze` computes everything
Theorem 1 talks about (paper §3.2, Appendix A):

- ``err = p̂(E) = Σ_{(c,r)∈E} μ(c) p̂(r|c)``;
- the IIV distribution ``D``: ``μ(c)p(r|c)/2`` on V and ``μ(c)/(2|E_c|)`` on E;
- the classifier ``f̂(c,r) = +`` iff ``p̂(r|c) > 1/min_c|E_c|`` (one global threshold);
- ``err_iiv = D(A∖V) + D(B∩V)`` with ``A = {p̂ > 1/min_c|E_c|}`` and ``B`` its complement;
- ``δ = |p̂(A) − p(A)|`` and the bound ``err ≥ 2·err_iiv − max_c|V_c|/min_c|E_c| − δ``.

Optionally some pairs are *nonsense* (paper §5): they count towards ``err`` but have ``D = 0``
and are not part of ``E_c``; the theorem and its proof still hold.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from halluc.errors import InputError
from halluc.theory._checks import (
    SUM_TOL,
    BoolArray,
    FloatArray,
    finite_float,
    integer,
    prob_array,
    wsum,
)
from halluc.theory.bound import Bound, fmt
from halluc.theory.iiv_instance import (
    Instance,
    Source,
    joint_instance,
    make_instance,
    sample_pairs,
)

__all__ = [
    "IIVAnalysis",
    "Instance",
    "Source",
    "analyze",
    "classify",
    "corollary1",
    "cross_entropy",
    "delta_at",
    "generative_error",
    "iiv_distribution",
    "joint_instance",
    "make_instance",
    "rescaled",
    "sample_pairs",
    "theorem1_bound",
]


@dataclass(frozen=True)
class IIVAnalysis:
    """Everything Theorem 1 is about, computed for one instance."""

    err: float
    err_iiv: float
    false_positive: float
    """D(A∖V): errors the classifier accepts."""
    false_negative: float
    """D(B∩V): valid pairs the classifier rejects."""
    delta: float
    p_hat_a: float
    p_a: float
    threshold: float
    min_error_set: int
    max_valid_set: int
    bound: Bound

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            k: getattr(self, k)
            for k in (
                "err",
                "err_iiv",
                "false_positive",
                "false_negative",
                "delta",
                "p_hat_a",
                "p_a",
                "threshold",
                "min_error_set",
                "max_valid_set",
            )
        }
        out["bound"] = self.bound.to_dict()
        return out


def iiv_distribution(inst: Instance) -> FloatArray:
    """D(c, r) for every pair: μ(c)p(r|c)/2 on V, μ(c)/(2|E_c|) on E, 0 on nonsense."""
    mu_pair = inst.mu_pair
    sizes = inst.error_set_sizes[inst.prompt]
    on_error = mu_pair / (2.0 * np.maximum(sizes, 1))
    return np.where(inst.valid, mu_pair * inst.p / 2.0, np.where(inst.error, on_error, 0.0))


def classify(inst: Instance, threshold: float | None = None) -> BoolArray:
    """f̂(c, r) = + iff p̂(r|c) > threshold (default 1/min_c|E_c|)."""
    z = inst.threshold if threshold is None else threshold
    return inst.p_hat > z


def generative_error(inst: Instance, p_hat: npt.ArrayLike | None = None) -> float:
    """err = p̂(E ∪ N) = Σ μ(c) p̂(r|c) over errors (and nonsense); another p̂ may be given."""
    ph = inst.p_hat if p_hat is None else prob_array(p_hat, "p_hat")
    return wsum(inst.mu_pair, np.where(inst.valid, 0.0, ph))


def delta_at(inst: Instance, threshold: float) -> tuple[float, float, float]:
    """(δ_z, p̂(A_z), p(A_z)) with A_z = {p̂(r|c) > z}."""
    mu_pair = inst.mu_pair
    a = inst.p_hat > threshold
    ph = wsum(mu_pair, np.where(a, inst.p_hat, 0.0))
    pa = wsum(mu_pair, np.where(a, inst.p, 0.0))
    return abs(ph - pa), ph, pa


def theorem1_bound(
    err_iiv: float, max_valid_set: int, min_error_set: int, delta: float = 0.0
) -> Bound:
    """Theorem 1: err >= 2·err_iiv − max_c|V_c| / min_c|E_c| − δ (deterministic)."""
    e = finite_float(err_iiv, "err_iiv")
    if not 0.0 <= e <= 1.0:
        raise InputError(f"must be in [0, 1], got {e:g}", field="err_iiv")
    k = integer(max_valid_set, "max_valid_set", minimum=1)
    big_k = integer(min_error_set, "min_error_set", minimum=1)
    d = finite_float(delta, "delta")
    if not 0.0 <= d <= 1.0:
        raise InputError(f"must be in [0, 1], got {d:g}", field="delta")
    ratio = k / big_k
    value = 2.0 * e - ratio - d
    terms = {
        "err_iiv": e,
        "2*err_iiv": 2.0 * e,
        "max|V_c|": float(k),
        "min|E_c|": float(big_k),
        "max|V_c|/min|E_c|": ratio,
        "delta": d,
    }
    statement = (
        f"err >= 2*err_iiv - max|V_c|/min|E_c| - delta = 2*{fmt(e)} - {k}/{big_k} - {fmt(d)}"
        f" = {fmt(value)}"
    )
    return Bound(value, terms, statement, "lower", 1.0, "Theorem 1")


def analyze(inst: Instance) -> IIVAnalysis:
    """Compute err, D, f̂, err_iiv, A, δ and the Theorem 1 bound for ``inst``."""
    d = iiv_distribution(inst)
    a = classify(inst)
    fp = wsum(d, a & inst.error)
    fn = wsum(d, ~a & inst.valid)
    err_iiv = fp + fn
    delta, ph, pa = delta_at(inst, inst.threshold)
    err = generative_error(inst)
    bound = theorem1_bound(min(1.0, err_iiv), inst.max_valid_set, inst.min_error_set, delta)
    return IIVAnalysis(
        err=err,
        err_iiv=err_iiv,
        false_positive=fp,
        false_negative=fn,
        delta=delta,
        p_hat_a=ph,
        p_a=pa,
        threshold=inst.threshold,
        min_error_set=inst.min_error_set,
        max_valid_set=inst.max_valid_set,
        bound=bound,
    )


def corollary1(
    valid: npt.ArrayLike, p: npt.ArrayLike, p_hat: npt.ArrayLike, *, tol: float = SUM_TOL
) -> IIVAnalysis:
    """Corollary 1 (no prompts): err >= 2·err_iiv − |V|/|E| − δ, threshold 1/|E|.

    ``valid``, ``p`` and ``p_hat`` have one entry per string of X.
    """
    n = np.asarray(valid).size
    inst = make_instance(np.zeros(n, dtype=np.int64), valid, p, p_hat, tol=tol)
    res = analyze(inst)
    b = res.bound
    stmt = b.statement.replace("max|V_c|/min|E_c|", "|V|/|E|")
    terms = {k.replace("max|V_c|", "|V|").replace("min|E_c|", "|E|"): v for k, v in b.terms.items()}
    return IIVAnalysis(
        **{k: getattr(res, k) for k in res.__dataclass_fields__ if k != "bound"},
        bound=Bound(b.value, terms, stmt, "lower", 1.0, "Corollary 1"),
    )


def cross_entropy(inst: Instance) -> float:
    """L(p̂) = E_{(c,r)~p}[−log p̂(r|c)] (inf when p̂ misses a pair that p can produce)."""
    w = inst.mu[inst.prompt] * inst.p
    pos = w > 0
    if (inst.p_hat[pos] <= 0).any():
        return float("inf")
    return float(-np.sum(w[pos] * np.log(inst.p_hat[pos])))


def rescaled(inst: Instance, s: float) -> Instance:
    """p̂_s: multiply p̂ by s above the threshold 1/min_c|E_c|, renormalise per prompt.

    The paper shows δ = |d/ds L(p̂_s)| at s = 1, which is why pretraining keeps δ small.
    """
    if not s > 0:
        raise InputError(f"scale must be positive, got {s}", field="s")
    w = np.where(classify(inst), s * inst.p_hat, inst.p_hat)
    z = np.bincount(inst.prompt, weights=w, minlength=inst.n_prompts)
    ph = w / z[inst.prompt]
    return Instance(inst.prompt, inst.valid, inst.p, ph, inst.mu, inst.nonsense, inst.labels)

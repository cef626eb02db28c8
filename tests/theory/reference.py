"""Straight-from-the-paper reference implementations with exact fractions and plain loops.

They are slow and obviously correct; the vectorized library is checked against them.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

IDK = "IDK"


@dataclass(frozen=True)
class RefPair:
    prompt: int
    valid: bool
    p: Fraction
    p_hat: Fraction


@dataclass(frozen=True)
class RefResult:
    err: Fraction
    err_iiv: Fraction
    fp: Fraction
    fn: Fraction
    delta: Fraction
    bound: Fraction


def ref_theorem1(pairs: list[RefPair], mu: list[Fraction]) -> RefResult:
    """Theorem 1 computed literally from its definitions (paper §3.2)."""
    prompts = sorted({x.prompt for x in pairs})
    e_size = {c: sum(1 for x in pairs if x.prompt == c and not x.valid) for c in prompts}
    v_size = {c: sum(1 for x in pairs if x.prompt == c and x.valid) for c in prompts}
    big_k = min(e_size.values())
    k = max(v_size.values())
    thr = Fraction(1, big_k)
    err = Fraction(0)
    fp = Fraction(0)
    fn = Fraction(0)
    p_hat_a = Fraction(0)
    p_a = Fraction(0)
    for x in pairs:
        m = mu[x.prompt]
        d = m * x.p / 2 if x.valid else m / (2 * e_size[x.prompt])
        positive = x.p_hat > thr
        if not x.valid:
            err += m * x.p_hat
            if positive:
                fp += d
        elif not positive:
            fn += d
        if positive:
            p_hat_a += m * x.p_hat
            p_a += m * x.p
    delta = abs(p_hat_a - p_a)
    err_iiv = fp + fn
    return RefResult(err, err_iiv, fp, fn, delta, 2 * err_iiv - Fraction(k, big_k) - delta)


def ref_err_iiv_at(pairs: list[RefPair], mu: list[Fraction], t: Fraction) -> Fraction:
    """err_iiv(f̂_t) for the classifier p̂ > t."""
    prompts = sorted({x.prompt for x in pairs})
    e_size = {c: sum(1 for x in pairs if x.prompt == c and not x.valid) for c in prompts}
    out = Fraction(0)
    for x in pairs:
        m = mu[x.prompt]
        positive = x.p_hat > t
        if x.valid and not positive:
            out += m * x.p / 2
        if not x.valid and positive:
            out += m / (2 * e_size[x.prompt])
    return out


def ref_min_threshold_error(pairs: list[RefPair], mu: list[Fraction]) -> Fraction:
    """min over t in [0, 1] of err_iiv(f̂_t): try t = 0, every p̂ value and midpoints."""
    vals = sorted({x.p_hat for x in pairs} | {Fraction(0), Fraction(1)})
    cands = set(vals) | {(a + b) / 2 for a, b in itertools.pairwise(vals)}
    return min(ref_err_iiv_at(pairs, mu, t) for t in cands)


def ref_singleton_rate(examples: list[tuple[object, object]]) -> float:
    """The paper-notes sketch (PAPER.md §10), verbatim in spirit."""
    n = len(examples)
    counts = Counter(c for c, r in examples if r != IDK)
    return sum(1 for v in counts.values() if v == 1) / n

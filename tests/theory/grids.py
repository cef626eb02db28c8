"""Small exhaustive grids of IIV instances for checks against the reference."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from fractions import Fraction

import numpy as np

from halluc.theory.iiv import Instance, make_instance
from tests.theory.reference import RefPair


def compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """All tuples of ``parts`` non-negative integers summing to ``total``."""
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in compositions(total - first, parts - 1):
            yield (first, *rest)


PromptSpec = list[tuple[bool, Fraction, Fraction]]


def prompt_specs(n_valid: int, n_error: int, p_denom: int, q_denom: int) -> Iterator[PromptSpec]:
    """Every (valid, p, p_hat) assignment for one prompt on the given grids."""
    for pv in compositions(p_denom, n_valid):
        for q in compositions(q_denom, n_valid + n_error):
            spec = [
                (True, Fraction(a, p_denom), Fraction(b, q_denom))
                for a, b in zip(pv, q, strict=False)
            ]
            spec += [(False, Fraction(0), Fraction(b, q_denom)) for b in q[n_valid:]]
            yield spec


SHAPES = [(1, 1), (1, 2), (2, 1), (2, 2), (1, 3)]


def all_instances(
    n_prompts: int, p_denom: int, q_denom: int, shapes: list[tuple[int, int]] = SHAPES
) -> Iterator[tuple[list[RefPair], list[Fraction]]]:
    per_prompt = [spec for (nv, ne) in shapes for spec in prompt_specs(nv, ne, p_denom, q_denom)]
    mu = [Fraction(1, n_prompts)] * n_prompts
    for combo in itertools.product(per_prompt, repeat=n_prompts):
        pairs = [RefPair(c, v, p, q) for c, spec in enumerate(combo) for (v, p, q) in spec]
        yield pairs, mu


def to_instance(pairs: list[RefPair], mu: list[Fraction]) -> Instance:
    return make_instance(
        np.array([x.prompt for x in pairs]),
        np.array([x.valid for x in pairs]),
        np.array([float(x.p) for x in pairs]),
        np.array([float(x.p_hat) for x in pairs]),
        np.array([float(m) for m in mu]),
    )

"""Observation 2 (computational hardness, paper §3.4 and Appendix D) as a calculator.

Prompts "What is the decryption of c?" with IDK allowed: |V_c| = 2 (the decryption and IDK)
and |E_c| = |M| − 1 for a message space M. A classifier β-breaks the scheme if its IIV
error is at most (1 − β)/2. If the model's classifier f̂ does not β-break it, then the model
errs with probability at least ``1 − β − 2/(|M| − 1) − δ``.
"""

from __future__ import annotations

from halluc.errors import InputError
from halluc.theory._checks import finite_float, integer, probability
from halluc.theory.bound import Bound, fmt


def observation2_bound(beta: float, message_space: int, delta: float = 0.0) -> Bound:
    """err >= 1 − β − 2/(|M| − 1) − δ for a model whose f̂ does not β-break the encryption."""
    b = probability(beta, "beta")
    m = integer(message_space, "message_space", minimum=2)
    d = probability(delta, "delta")
    ratio = 2.0 / (m - 1)
    value = 1.0 - b - ratio - d
    return Bound(
        value,
        {"beta": b, "|M|": float(m), "2/(|M|-1)": ratio, "delta": d},
        f"err >= 1 - beta - 2/(|M| - 1) - delta = 1 - {fmt(b)} - {fmt(ratio)} - {fmt(d)}"
        f" = {fmt(value)}",
        "lower",
        1.0,
        "Observation 2",
    )


def beta_from_iiv_error(err_iiv: float) -> float:
    """The largest β that a classifier with IIV error ``err_iiv`` β-breaks: 1 − 2·err_iiv.

    (β-breaking means err_iiv <= (1 − β)/2.) Negative means it breaks nothing.
    """
    e = finite_float(err_iiv, "err_iiv")
    if not 0.0 <= e <= 1.0:
        raise InputError(f"must be in [0, 1], got {e:g}", field="err_iiv")
    return 1.0 - 2.0 * e


def message_space_for_bits(bits: int) -> int:
    """|M| = 2^bits, as a Python int (exact for any key length)."""
    b: int = integer(bits, "bits", minimum=1)
    return 1 << b

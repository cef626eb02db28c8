"""Observation 2 (computational hardness)."""

from __future__ import annotations

import pytest

from halluc.errors import InputError
from halluc.theory.hardness import (
    beta_from_iiv_error,
    message_space_for_bits,
    observation2_bound,
)
from halluc.theory.iiv import theorem1_bound


def test_observation2_formula() -> None:
    b = observation2_bound(0.1, 11, 0.05)
    assert b.value == pytest.approx(1 - 0.1 - 2 / 10 - 0.05)
    big = observation2_bound(2**-40, message_space_for_bits(128))
    assert big.value == pytest.approx(1.0, abs=1e-11)


def test_observation2_is_theorem1_with_v2_and_e_m_minus_1() -> None:
    # a classifier with IIV error e does not beta-break the scheme for beta > 1 - 2e;
    # at that beta Observation 2 coincides with Theorem 1 (|V_c| = 2, |E_c| = |M| - 1)
    for err_iiv, m, delta in [(0.3, 17, 0.01), (0.45, 1000, 0.0), (0.5, 2, 0.2)]:
        beta = beta_from_iiv_error(err_iiv)
        assert observation2_bound(beta, m, delta).value == pytest.approx(
            theorem1_bound(err_iiv, 2, m - 1, delta).value
        )


def test_observation2_errors() -> None:
    with pytest.raises(InputError) as exc:
        observation2_bound(0.1, 1)
    assert exc.value.field == "message_space"
    with pytest.raises(InputError) as exc:
        observation2_bound(1.5, 10)
    assert exc.value.field == "beta"

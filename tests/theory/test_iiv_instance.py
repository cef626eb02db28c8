"""Building, validating and sampling IIV instances."""

from __future__ import annotations

import numpy as np
import pytest

from halluc.errors import InputError
from halluc.theory.iiv_instance import make_instance, sample_pairs


def test_sample_pairs_follow_the_distributions() -> None:
    inst = make_instance(
        ["a", "a", "a", "b", "b"],
        [True, False, False, True, False],
        [1, 0, 0, 1, 0],
        [0.5, 0.0, 0.5, 0.2, 0.8],
        {"a": 0.25, "b": 0.75},
    )
    rng = np.random.default_rng(0)
    n = 40_000
    for source, expected in (
        ("p", [0.25, 0, 0, 0.75, 0]),
        ("p_hat", [0.125, 0, 0.125, 0.15, 0.6]),
        ("errors", [0, 0.125, 0.125, 0, 0.75]),
    ):
        idx = sample_pairs(inst, source, n, rng)  # type: ignore[arg-type]
        freq = np.bincount(idx, minlength=5) / n
        for f, e in zip(freq, expected, strict=True):
            if e == 0:
                assert f == 0
            else:
                assert abs(f - e) < 5 * np.sqrt(e * (1 - e) / n)


@pytest.mark.parametrize(
    ("kwargs", "field", "needle"),
    [
        ({"p": [0.5, 0.0, 0.0]}, "p", "sum to 1"),
        ({"p_hat": [0.5, 0.4, 0.0]}, "p_hat", "sums to 0.9"),
        ({"p": [0.9, 0.1, 0.0]}, "p", "no mass on errors"),
        ({"p_hat": [1.2, 0.0, 0.0]}, "p_hat", "exceeds 1"),
        ({"p_hat": [0.5, 0.6, -0.1]}, "p_hat", "negative"),
        ({"valid": [True, True, True]}, "valid", "|E_c| = 0"),
        ({"mu": [0.5, 0.5]}, "mu", "one weight per prompt"),
        ({"mu": [1.5]}, "mu", "exceeds 1"),
    ],
)
def test_bad_input_is_a_clear_error(kwargs: dict[str, object], field: str, needle: str) -> None:
    args: dict[str, object] = {
        "prompt": ["q", "q", "q"],
        "valid": [True, False, False],
        "p": [1.0, 0.0, 0.0],
        "p_hat": [0.5, 0.5, 0.0],
    }
    args.update(kwargs)
    with pytest.raises(InputError) as exc:
        make_instance(**args)  # type: ignore[arg-type]
    assert exc.value.field == field
    assert needle in str(exc.value)

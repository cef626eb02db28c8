"""World settings, and the population that gives a requested singleton rate."""

from __future__ import annotations

import numpy as np
import pytest

from halluc.errors import InputError
from halluc.experiments.world import build_world
from halluc.experiments.world_config import Mentions, WorldConfig


def test_solved_population_hits_the_target_on_average() -> None:
    n, target = 4000, 0.3
    mentions = Mentions(n, 0.5, answering_fraction=0.9)
    people = mentions.solve_population(target)
    assert mentions.expected_singleton_rate(people) >= target
    assert mentions.expected_singleton_rate(people - 50) < target
    realized = [
        build_world(WorldConfig(n_examples=n, target_sr=target, seed=s)).singleton_counts().sr
        for s in range(4)
    ]
    # sd of one draw is about sqrt(0.3 * 4000) / 4000 = 0.009
    assert abs(float(np.mean(realized)) - target) < 0.02


def test_expected_singleton_rate_grows_with_population() -> None:
    rates = [Mentions(1000, 0.5).expected_singleton_rate(p) for p in (100, 1000, 10_000, 100_000)]
    assert rates == sorted(rates)
    assert rates[0] < 0.01 and rates[-1] > 0.8


def test_unreachable_rate_is_an_input_error() -> None:
    with pytest.raises(InputError, match="out of reach"):
        Mentions(1000, 0.5, answering_fraction=0.5).solve_population(0.95, max_people=100_000)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n_examples": 0}, "n_examples"),
        ({"target_sr": 1.2}, "target_sr"),
        ({"target_sr": None, "n_people": None}, "target_sr"),
        ({"n_people": 0}, "n_people"),
        ({"unknown_fraction": 1.0}, "unknown_fraction"),
        ({"answer_prob": 0.0}, "answer_prob"),
        ({"n_templates": 9}, "n_templates"),
        ({"zipf_exponent": -1.0}, "zipf_exponent"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as info:
        WorldConfig(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field

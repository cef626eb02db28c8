"""The incentives experiment: exact rates per group of people, under each grader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from halluc.errors import InputError
from halluc.experiments.incentives import IncentivesConfig, group_metrics
from halluc.experiments.incentives_stats import aggregate
from halluc.experiments.measure import measure_people
from halluc.experiments.model import ModelSpec
from halluc.experiments.pipeline import TrainedModel
from halluc.experiments.posttrain import GROUPS, RLConfig
from halluc.experiments.train import TrainConfig
from halluc.experiments.world import World, WorldConfig


def test_group_metrics_and_aggregate(
    trained: tuple[Path, TrainedModel], small_world: World
) -> None:
    _, tm = trained
    people = np.arange(small_world.n_people)
    s = measure_people(tm.model, tm.tokenizer, small_world)
    m = group_metrics(small_world, people, s, (0.0, 0.5))
    assert set(m) == {g.label for g in GROUPS}
    for row in m.values():
        if row.people:
            assert row.acc + row.err + row.idk == pytest.approx(1.0)
            assert row.scores["score@binary"] == pytest.approx(row.acc)
            assert row.scores["score@t=0.5"] == pytest.approx(row.acc - row.err)
    # the groups cover everyone but the people only ever called "unknown"
    idk_only = (small_world.answered == 0) & (small_world.idk_mentions > 0)
    assert sum(row.people for row in m.values()) == small_world.n_people - int(idk_only.sum())
    table = aggregate({"binary": [m, m]}, (0.0, 0.5))
    first = table[0]
    assert first.cells["idk"].mean == pytest.approx(m[first.group].idk)
    assert first.cells["idk"].lo == pytest.approx(first.cells["idk"].mean)  # no spread, no width


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"targets": ()}, "targets"),
        ({"targets": (0.0, 1.0)}, "targets"),
        ({"seeds": (0,)}, "seeds"),
        ({"base_world": "w"}, "base_model"),
    ],
)
def test_bad_settings_name_the_setting(kwargs: dict[str, object], field: str) -> None:
    base = {"world": WorldConfig(), "model": ModelSpec(), "train": TrainConfig(), "rl": RLConfig()}
    with pytest.raises(InputError) as info:
        IncentivesConfig(**base, **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field

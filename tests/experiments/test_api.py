"""The simulations' entry points (the training ones run in tests/cli/test_simulate.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from halluc.errors import InputError
from halluc.experiments.api import create_world
from halluc.experiments.presets import CPU
from halluc.experiments.world import World


def test_create_world_saves_what_it_reports_and_never_overwrites(tmp_path: Path) -> None:
    config = CPU.world_config(n_examples=200, n_people=50, n_templates=2, seed=3)
    stats = create_world(tmp_path, config)
    saved = json.loads((tmp_path / "world.json").read_text())
    assert saved["stats"] == stats.to_dict()
    assert saved["config"]["n_people"] == 50 and saved["config"]["target_sr"] is None
    assert World.load(tmp_path).stats() == stats
    with pytest.raises(InputError, match="already holds a world"):
        create_world(tmp_path, config)
    assert World.load(tmp_path).stats() == stats

"""The simulations' entry points (the training ones run in tests/cli/test_simulate.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from halluc.errors import InputError
from halluc.experiments.api import create_world
from halluc.experiments.world import World


def test_create_world_saves_what_it_reports_and_never_overwrites(tmp_path: Path) -> None:
    stats = create_world(tmp_path, n_examples=200, n_people=50, n_templates=2, seed=3)
    saved = json.loads((tmp_path / "world.json").read_text())
    assert saved["stats"] == stats.to_dict()
    assert saved["config"]["n_people"] == 50 and saved["config"]["target_sr"] is None
    assert World.load(tmp_path).stats() == stats
    with pytest.raises(InputError, match="already holds a world"):
        create_world(tmp_path)


def test_settings_errors_name_the_parameter(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        create_world(tmp_path / "w", zipf_exponent=-0.5)
    assert info.value.field == "zipf_exponent"
    assert not (tmp_path / "w").exists()

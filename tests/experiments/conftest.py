"""Small worlds and tiny models shared by the experiments tests (built once per session)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from halluc.experiments.dates import N_DATES
from halluc.experiments.measure import person_scores, summarize
from halluc.experiments.measurement import MeasuredModel
from halluc.experiments.model import ModelSpec, configure_torch
from halluc.experiments.pipeline import TrainedModel, train_in
from halluc.experiments.train import TrainConfig, TrainingRecord, TrainSummary
from halluc.experiments.world import World, WorldConfig, build_world

configure_torch(1)

SMALL = WorldConfig(n_examples=600, target_sr=0.3, seed=3)


@pytest.fixture(scope="session")
def small_world() -> World:
    return build_world(SMALL)


@pytest.fixture(scope="session")
def saved_world(tmp_path_factory: pytest.TempPathFactory, small_world: World) -> Path:
    folder = tmp_path_factory.mktemp("world")
    small_world.save(folder)
    return folder


@pytest.fixture(scope="session")
def trained(
    tmp_path_factory: pytest.TempPathFactory, small_world: World
) -> tuple[Path, TrainedModel]:
    folder = tmp_path_factory.mktemp("model")
    cfg = TrainConfig(epochs=5, batch_size=32, lr=1e-2, seed=0)
    return folder, train_in(folder, small_world, ModelSpec(32, 1, 2), cfg, device="cpu")


def measured_model(world: World, role: str = "main", seed: int = 0) -> MeasuredModel:
    """A random model's measurement on ``world``, with a made-up training record."""
    rng = np.random.default_rng(seed)
    dist = rng.dirichlet(np.full(N_DATES + 2, 0.3), size=world.n_people)
    m = summarize(world, person_scores(dist, world.birthday))
    summary = TrainSummary([2.0, 1.5], 2.5, 1.5, False, 100, 1.0, 100.0, "cpu", 4)
    record = TrainingRecord(ModelSpec(16, 1, 2), 1234, 99, TrainConfig(), summary, (2.5, 1.0))
    return MeasuredModel(m, 0.5, world.config, world.stats(), record, role)

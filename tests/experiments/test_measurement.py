"""A measurement reads back from its JSON exactly, so a resumed sweep sees the same numbers."""

from __future__ import annotations

import numpy as np
import orjson

from halluc.experiments.dates import N_DATES
from halluc.experiments.measure import person_scores, summarize
from halluc.experiments.measurement import MeasuredModel, Measurement
from halluc.experiments.train import TrainConfig, TrainingRecord
from halluc.experiments.world import World, WorldConfig, build_world
from halluc.render.tables import OutputFormat
from tests.experiments.conftest import measured_model


def measured(world: World) -> Measurement:
    rng = np.random.default_rng(0)
    dist = rng.dirichlet(np.full(N_DATES + 2, 0.3), size=world.n_people)
    return summarize(world, person_scores(dist, world.birthday))


def tiny() -> World:
    return build_world(WorldConfig(n_examples=80, n_people=30, target_sr=None, seed=2))


def test_measurement_reads_back_from_json() -> None:
    m = measured(tiny())
    doc = orjson.loads(orjson.dumps(m.to_dict()))
    assert Measurement.from_dict(doc) == m


def test_empty_buckets_read_back_as_nan() -> None:
    world = build_world(WorldConfig(n_examples=20, n_people=40, target_sr=None, seed=2))
    m = measured(world)
    assert m.bucket("6+").people == 0
    text = orjson.dumps(m.to_dict())
    back = Measurement.from_dict(orjson.loads(text))
    assert orjson.dumps(back.to_dict()) == text
    assert "–" in back.render("toy", OutputFormat.MARKDOWN)


def test_measurement_keys_are_those_of_the_saved_files() -> None:
    m = measured(tiny())
    doc = orjson.loads(orjson.dumps(m.to_dict()))
    assert list(doc)[:6] == ["err", "acc", "idk", "other", "wrong", "err_on_training_mix"]
    assert doc["p_hat_A"] == m.iiv.p_hat_a and doc["sr"] == m.sr


def test_measured_model_keeps_world_and_training() -> None:
    mm = measured_model(tiny())
    record = mm.training
    doc = orjson.loads(orjson.dumps(mm.to_dict()))
    assert "step_loss" not in doc["training"] and doc["role"] == "main"
    assert doc["world"]["stats"]["n_people"] == 30
    back = MeasuredModel.from_dict(doc)
    assert back.measurement == mm.measurement and back.world_stats == mm.world_stats
    assert back.training == TrainingRecord(record.spec, 1234, 99, TrainConfig(), record.result)


def test_tables_show_the_headline_and_every_bucket() -> None:
    m = measured(tiny())
    md = m.render("toy", OutputFormat.MARKDOWN)
    assert "| singleton rate sr |" in md and f"| {m.singletons.n} |" in md
    for b in m.buckets:
        assert f"| toy | {b.bucket} | {b.people} |" in md
    assert orjson.loads(m.render("toy", OutputFormat.JSON)) == orjson.loads(
        orjson.dumps(m.to_dict())
    )

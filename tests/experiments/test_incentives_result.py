"""The incentives result: the summary's layout, and tables with the pre-trained model first."""

from __future__ import annotations

import json

from halluc.experiments.incentives_result import IncentivesResult
from halluc.experiments.incentives_stats import GroupRates, aggregate, contrasts_of
from halluc.experiments.posttrain import PostTrainLog
from halluc.experiments.world import WorldConfig, build_world
from halluc.render.tables import OutputFormat


def rates(idk: float, err: float) -> GroupRates:
    acc = 1.0 - idk - err
    return GroupRates(
        10, acc, err, idk, 1.0 - idk, idk, {"score@binary": acc, "score@t=0.5": acc - err}
    )


def result() -> IncentivesResult:
    world = build_world(WorldConfig(n_examples=60, target_sr=0.3, seed=1))
    base = {"unseen": GroupRates(0), "1": rates(0.0, 0.9)}
    heldout = {
        "binary": [{"1": rates(0.0, 0.9)}, {"1": rates(0.1, 0.8)}],
        "t=0.5": [{"1": rates(0.6, 0.3)}, {"1": rates(0.5, 0.35)}],
    }
    log = PostTrainLog.of([{"reward": 0.5, "idk": 0.2}], 3.0)
    return IncentivesResult(
        base=base,
        table=aggregate(heldout, (0.0, 0.5)),
        contrasts=contrasts_of(heldout, (0.0, 0.5)),
        posttrain_base=base,
        posttrain_table=aggregate(heldout, (0.0, 0.5)),
        training={"binary-s0": log},
        heldout_people=10,
        posttrain_people=12,
        world=world.config,
        world_stats=world.stats(),
        base_training=None,
        seconds=7.0,
    )


def test_summary_layout() -> None:
    doc = json.loads(result().render(OutputFormat.JSON))
    assert doc["kind"] == "simulate-incentives"
    assert list(doc["posttrain"]) == ["base", "table"]
    assert doc["base"]["unseen"] == {"people": 0}
    assert doc["training"]["binary-s0"] == {
        "seconds": 3.0,
        "reward_first": 0.5,
        "reward_last": 0.5,
        "sampled_idk_first": 0.2,
        "sampled_idk_last": 0.2,
    }
    assert doc["base_training"] == {}
    row = doc["table"][0]
    assert (row["grader"], row["group"], row["people"]) == ("binary", "1", 10)
    assert set(row["idk"]) == {"mean", "lo", "hi", "n"}
    assert doc["contrasts"][0]["idk"]["diff"] > 0


def test_tables_show_the_pretrained_model_then_each_grader() -> None:
    r = result()
    md = r.render(OutputFormat.MARKDOWN)
    assert md.index("| pre-trained | 1 | 10 |") < md.index("| binary | 1 | 10 |")
    assert "| t=0.5 − binary | 1 |" in md
    assert "score at t=0.5" in md
    assert r.groups == ["1"]

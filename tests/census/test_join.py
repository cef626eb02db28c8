from __future__ import annotations

import random
from pathlib import Path

import orjson
import pandas as pd
import pytest

from halluc.census.api import count_facts
from halluc.census.buckets import assign, make_buckets, parse_edges
from halluc.census.join import CENSUS_COUNTS, SingletonSource, census_join
from halluc.census.synthetic import World
from halluc.errors import InputError
from halluc.log.outcomes import Outcome
from halluc.log.records import Record, records_to_frame
from halluc.log.runs import RunFolder
from halluc.scoring.metrics import MetricSettings, summarize
from halluc.theory.facts import theorem2_lower_bound

SETTINGS = MetricSettings(n_boot=200)


def _outcome(rng: random.Random, count: int) -> Outcome:
    """A model that knows facts it saw often, guesses on rare ones, sometimes errs."""
    p_correct = min(0.95, 0.1 + 0.08 * count)
    roll = rng.random()
    if roll < 0.03:
        return Outcome.ERROR
    if roll < p_correct:
        return Outcome.CORRECT
    return Outcome.INCORRECT if rng.random() < 0.7 else Outcome.ABSTAINED


@pytest.fixture()
def run(tmp_path: Path, world: World) -> Path:
    folder = tmp_path / "run"
    rf = RunFolder.create(folder, {"model": "replay", "targets": [0.0, 0.5]})
    rng = random.Random(5)
    recs = []
    for f in world.records():
        for model in ("m1", "m2"):
            for t in (0.0, 0.5):
                recs.append(Record(f.item_id, model, _outcome(rng, f.count), target=t))
    rf.append(recs)
    return folder


@pytest.fixture()
def counts(tmp_path: Path, world: World) -> Path:
    p = tmp_path / "counts.parquet"
    world.facts[["item_id", "count"]].assign(n_idk=world.facts["n_idk"]).to_parquet(p)
    return p


def test_join_by_bucket_matches_summarize_on_subsets(run: Path, counts: Path, world: World) -> None:
    result = census_join(run, counts, targets=[0.0, 0.5], settings=SETTINGS)
    js = result.save(run)[0]
    data = orjson.loads(js.read_bytes())
    assert set(data) == {"parameters", "buckets", "singleton_bound"}
    assert data["parameters"]["count_column"] == "count"
    frame = records_to_frame(RunFolder(run).records())
    by_item = world.facts.set_index("item_id")["count"]
    idx = assign(by_item.to_numpy())
    buckets = make_buckets()
    assert [b["bucket"] for b in data["buckets"]] == ["0", "1", "2-3", "4-10", "11-100", ">100"]
    for i, b in enumerate(data["buckets"]):
        items = set(by_item.index[idx == i])
        assert (b["lo"], b["hi"]) == (buckets[i].lo, buckets[i].hi)
        assert b["n"] == len(items) > 0
        expected = summarize(frame[frame["item_id"].isin(items)], [0.0, 0.5], SETTINGS)
        assert len(b["rows"]) == len(expected) == 4  # 2 models x 2 targets
        for row, (_, exp) in zip(b["rows"], expected.iterrows(), strict=True):
            assert (row["model"], row["target"]) == (exp["model"], exp["target"])
            for key in ("accuracy", "error_rate", "abstention_rate", "score", "score_lo"):
                assert row[key] == pytest.approx(exp[key], nan_ok=True), key
            assert row["correct"] + row["incorrect"] + row["abstained"] + row["error"] == row["n"]
    acc = [b["rows"][0]["accuracy"] for b in data["buckets"]]
    assert acc[0] < acc[-1]  # the replay model knows frequent facts better
    pq = pd.read_parquet(run / CENSUS_COUNTS)
    assert list(pq.columns) == ["item_id", "count", "n_idk", "bucket"]
    assert len(pq) == len(world.facts)
    assert data["singleton_bound"]["lower_bound"] is None
    assert "no training singleton rate" in result.render()


def test_singleton_bound_from_a_fact_census(
    tmp_path: Path, run: Path, counts: Path, mention_files: dict[str, list[Path]], world: World
) -> None:
    fc = count_facts(mention_files["parquet"], idk_column="idk")
    saved = tmp_path / "facts.json"
    saved.write_bytes(orjson.dumps(fc.to_dict()))
    src = SingletonSource.from_fact_census(saved, min_wrong_answers=364)
    result = census_join(run, counts, targets=[0.0], settings=SETTINGS, singleton=src)
    sb = result.singleton_bound
    assert sb["singleton_rate"] == world.true_fof[1] / world.n_examples
    assert sb["n"] == world.n_examples
    want = theorem2_lower_bound(sb["singleton_rate"], world.n_examples, 364)
    assert sb["lower_bound"]["value"] == want.value
    singles = world.facts["count"].eq(1).mean()
    assert sb["item_singleton_fraction"] == pytest.approx(singles)
    assert {o["model"] for o in sb["observed"]} == {"m1", "m2"}
    for o in sb["observed"]:
        assert o["above_bound"] == (o["error_rate"] >= want.value)
        assert o["error_rate_singletons"] is not None


def test_missing_items(tmp_path: Path, run: Path, world: World) -> None:
    part = world.facts[["item_id", "count"]].iloc[10:]
    p = tmp_path / "c.csv"
    part.to_csv(p, index=False)
    with pytest.warns(UserWarning, match="10 of"):
        r = census_join(run, p, targets=[0.0], settings=SETTINGS)
    assert r.parameters["items_without_count"] == 10
    zero_items = sum(b["n"] for b in r.buckets if b["bucket"] == "0")
    assert zero_items == (world.facts["count"].iloc[10:] == 0).sum() + 10
    with pytest.warns(UserWarning):
        dropped = census_join(run, p, targets=[0.0], settings=SETTINGS, missing="drop")
    assert sum(b["n"] for b in dropped.buckets) == len(world.facts) - 10
    with pytest.raises(InputError, match="have no count"):
        census_join(run, p, targets=[0.0], settings=SETTINGS, missing="error")
    other = tmp_path / "other.csv"
    pd.DataFrame({"item_id": ["x", "y"], "count": [1, 2]}).to_csv(other, index=False)
    with pytest.raises(InputError, match="none of the run's"):
        census_join(run, other, settings=SETTINGS)
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"item_id": ["x", "y"], "count": [1, -2]}).to_csv(bad, index=False)
    with pytest.raises(InputError, match="row 2") as err:
        census_join(run, bad, settings=SETTINGS)
    assert err.value.field == "count"


def test_custom_edges() -> None:
    assert [b.label for b in make_buckets(parse_edges("0,1,10"))] == ["0", "1-9", ">9"]
    with pytest.raises(InputError):
        parse_edges("1,2")
    with pytest.raises(InputError):
        parse_edges("0,5,5")
    assert assign([0, 1, 3, 4, 10, 11, 100, 101, 10**9]).tolist() == [0, 1, 2, 3, 3, 4, 4, 5, 5]

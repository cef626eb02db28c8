"""Intervals over seeds and contrasts between graders: scipy's t and Welch, kept exact."""

from __future__ import annotations

import math

import numpy as np
import orjson
import pytest
from scipy import stats

from halluc.experiments.incentives_stats import (
    GroupRates,
    RunRates,
    contrasts_of,
    t_interval,
    welch_difference,
)
from halluc.experiments.posttrain import PostTrainLog


def test_intervals_match_the_t_distribution() -> None:
    got = t_interval([1.0, 2.0, 3.0])
    half = stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)
    assert (got.mean, got.lo, got.hi, got.n) == pytest.approx((2.0, 2 - half, 2 + half, 3))
    one = t_interval([0.4])
    assert one.mean == 0.4 and math.isnan(one.lo) and math.isnan(one.hi)


@pytest.mark.parametrize(
    ("a", "b"),
    [([1.0, 1.2, 0.9], [0.1, 0.2, 0.15]), ([0.3, 0.31], [0.2, 0.5, 0.35, 0.4]), ([0, 1], [1, 0])],
)
def test_welch_is_the_textbook_formula(a: list[float], b: list[float]) -> None:
    """Welch–Satterthwaite degrees of freedom, t quantile and two-sided p, written out."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    se = math.sqrt(vx + vy)
    df = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1))
    diff = float(x.mean() - y.mean())
    q = float(stats.t.ppf(0.975, df))
    d = welch_difference(a, b)
    assert d.diff == diff
    assert (d.lo, d.hi) == pytest.approx((diff - q * se, diff + q * se), rel=1e-12, abs=1e-15)
    assert d.p == pytest.approx(2 * stats.t.sf(abs(diff) / se, df), rel=1e-12)


def test_welch_without_spread_is_exact() -> None:
    """scipy gives nan when neither sample varies; the difference itself is then certain."""
    assert welch_difference([0.2, 0.2], [0.2, 0.2]).to_dict() == {
        "diff": 0.0,
        "lo": 0.0,
        "hi": 0.0,
        "p": 1.0,
    }
    d = welch_difference([0.5, 0.5], [0.2, 0.2])
    assert (d.lo, d.hi, d.p) == (d.diff, d.diff, 0.0)


def rates(idk: float, err: float) -> GroupRates:
    acc = 1.0 - idk - err
    scores = {"score@binary": acc, "score@t=0.5": acc - err}
    return GroupRates(10, acc, err, idk, 1.0 - idk, idk, scores)


def test_contrasts_are_each_target_against_binary() -> None:
    binary = [{"1": rates(0.0, 0.9)}, {"1": rates(0.1, 0.8)}]
    strict = [{"1": rates(0.6, 0.3)}, {"1": rates(0.5, 0.35)}]
    got = contrasts_of({"binary": binary, "t=0.5": strict}, (0.0, 0.5))
    assert [(c.grader, c.versus, c.group) for c in got] == [("t=0.5", "binary", "1")]
    assert got[0].idk.diff == pytest.approx(0.5) and got[0].err.diff == pytest.approx(-0.525)
    assert contrasts_of({"t=0.5": strict}, (0.5,)) == []


def test_saved_runs_read_back_as_written() -> None:
    log = PostTrainLog.of([{"reward": 0.1, "idk": 0.0}, {"reward": 0.3, "idk": 0.5}], 2.5)
    run = RunRates({"1": rates(0.2, 0.5), "6+": GroupRates(0)}, {"1": rates(0.1, 0.6)}, log)
    doc = orjson.loads(orjson.dumps(run.to_dict()))
    assert doc["metrics"]["6+"] == {"people": 0}
    assert list(doc["metrics"]["1"])[:6] == [
        "people",
        "acc",
        "err",
        "idk",
        "answer_rate",
        "greedy_idk",
    ]
    assert RunRates.from_dict(doc) == run
    assert log.reward_first == pytest.approx(0.2) and log.sampled_idk_last == pytest.approx(0.25)

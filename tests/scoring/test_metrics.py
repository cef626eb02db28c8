from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from halluc.errors import InputError
from halluc.log.outcomes import Mode, Outcome
from halluc.log.records import Record
from halluc.scoring.crossings import crossing_target
from halluc.scoring.intervals import bootstrap_counts, wilson_interval
from halluc.scoring.leaderboard import leaderboard
from halluc.scoring.metrics import MetricSettings, outcome_counts, paired_difference, summarize
from halluc.scoring.rules import ErrorPolicy, binary, confidence_target, general, penalty

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "simpleqa_blog.csv"


def blog_frame() -> pd.DataFrame:
    return pd.read_csv(EXAMPLE).assign(target=np.nan, mode="imported")


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (22, 100), (1, 3), (517, 1000)])
def test_wilson_matches_statsmodels(k: int, n: int) -> None:
    lo, hi = wilson_interval(k, n)
    ref_lo, ref_hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert float(lo) == pytest.approx(ref_lo, abs=1e-12)
    assert float(hi) == pytest.approx(ref_hi, abs=1e-12)


def test_multinomial_bootstrap_equals_item_resampling_in_distribution() -> None:
    counts = np.array([22, 26, 52])
    pen = 1.0
    lo, hi = bootstrap_counts(
        counts, lambda d: (d[..., 0] - pen * d[..., 1]) / d.sum(-1), n_boot=20000, seed=1
    )
    rng = np.random.default_rng(2)
    pts = np.repeat([1.0, -pen, 0.0], counts)
    means = rng.choice(pts, size=(20000, pts.size), replace=True).mean(axis=1)
    ref_lo, ref_hi = np.quantile(means, [0.025, 0.975])
    assert lo == pytest.approx(ref_lo, abs=0.02)
    assert hi == pytest.approx(ref_hi, abs=0.02)


def test_blog_example_ranks_flip_at_half() -> None:
    table = summarize(blog_frame(), [0, 0.5, 0.75])
    s = table.set_index(["model", "target"])["score"]
    assert s[("o4-mini", 0.0)] == pytest.approx(0.24)
    assert s[("gpt-5-thinking-mini", 0.0)] == pytest.approx(0.22)
    assert s[("gpt-5-thinking-mini", 0.5)] == pytest.approx(-0.04)
    assert s[("o4-mini", 0.5)] == pytest.approx(-0.51)
    assert s[("o4-mini", 0.75)] == pytest.approx(-2.01)
    board = leaderboard(table)
    first = board.set_index("entry")
    assert first.loc["o4-mini", "rank@0"] == 1
    assert first.loc["gpt-5-thinking-mini", "rank@0.5"] == 1
    assert first.loc["o4-mini", "flips"] == "0.5"
    # The exact crossing of the two fixed profiles lies below 0.5.
    t = crossing_target(0.22, 0.26, 0.24, 0.75)
    assert t is not None and 0 < t < 0.5
    assert 0.22 - 0.26 * t / (1 - t) == pytest.approx(0.24 - 0.75 * t / (1 - t))


def test_metrics_by_hand() -> None:
    outcomes = ["correct"] * 6 + ["incorrect"] * 2 + ["abstained"] * 1 + ["error"] * 1
    frame = pd.DataFrame(
        {
            "model": "m",
            "item_id": [str(i) for i in range(10)],
            "outcome": outcomes,
            "target": np.nan,
            "mode": "imported",
        }
    )
    row = summarize(frame, [0.75]).iloc[0]
    assert row["n"] == 10 and row["n_scored"] == 9 and row["error"] == 1
    assert row["accuracy"] == pytest.approx(6 / 9)
    assert row["error_rate"] == pytest.approx(2 / 9)
    assert row["abstention_rate"] == pytest.approx(1 / 9)
    assert row["error_outcome_rate"] == pytest.approx(1 / 10)
    assert row["accuracy_given_attempted"] == pytest.approx(6 / 8)
    acc, aga = 6 / 9, 6 / 8
    assert row["f_score"] == pytest.approx(2 * acc * aga / (acc + aga))
    assert row["score"] == pytest.approx((6 - 3 * 2) / 9)
    assert row["score_lo"] <= row["score"] <= row["score_hi"]
    wrong = summarize(frame, [0.75], MetricSettings(ErrorPolicy.AS_WRONG)).iloc[0]
    assert wrong["score"] == pytest.approx((6 - 3 * 3) / 10)
    idk = summarize(frame, [0.75], MetricSettings(ErrorPolicy.AS_ABSTAINED)).iloc[0]
    assert idk["score"] == pytest.approx((6 - 3 * 2) / 10)
    assert idk["abstention_rate"] == pytest.approx(2 / 10)


def test_targeted_records_are_scored_at_their_own_target_only() -> None:
    inst = Mode.INSTRUCTED
    recs = [
        Record("a", "m", Outcome.CORRECT, target=0.0, mode=inst),
        Record("a", "m", Outcome.ABSTAINED, target=0.5, mode=inst),
        Record("b", "m", Outcome.INCORRECT, target=0.0, mode=inst),
        Record("b", "m", Outcome.ABSTAINED, target=0.5, mode=inst),
    ]
    counts = outcome_counts(recs, [0.0, 0.5, 0.9]).set_index("target")
    assert counts.loc[0.0, ["correct", "incorrect", "abstained"]].tolist() == [1, 1, 0]
    assert counts.loc[0.5, "abstained"] == 2
    assert 0.9 not in counts.index
    table = summarize(recs, [0.0, 0.5]).set_index("target")
    # Always-answer baseline at t=0.5 from the best-guess (t=0) answers: (1 - 1*1)/2.
    assert table.loc[0.5, "always_answer_score"] == pytest.approx(0.0)
    assert table.loc[0.5, "score"] == 0.0


def test_policy_mode_baseline_uses_answer_outcome() -> None:
    recs = [
        Record(str(i), "m", o, target=0.5, mode="policy", answer_outcome=a)
        for i, (o, a) in enumerate(
            [
                (Outcome.CORRECT, Outcome.CORRECT),
                (Outcome.ABSTAINED, Outcome.INCORRECT),
                (Outcome.ABSTAINED, Outcome.INCORRECT),
                (Outcome.ABSTAINED, Outcome.CORRECT),
            ]
        )
    ]
    row = summarize(recs, [0.5]).iloc[0]
    assert row["score"] == pytest.approx(0.25)
    assert row["always_answer_score"] == pytest.approx((2 - 2) / 4)
    assert row["always_answer_source"] == "answer_outcome"


def test_paired_difference_matches_item_level() -> None:
    rng = np.random.default_rng(0)
    n = 400
    items = [f"q{i}" for i in range(n)]
    a = rng.choice(["correct", "incorrect", "abstained", "error"], n, p=[0.4, 0.2, 0.38, 0.02])
    b = rng.choice(["correct", "incorrect", "abstained"], n, p=[0.45, 0.5, 0.05])
    frame = pd.concat(
        [
            pd.DataFrame({"model": "A", "item_id": items, "outcome": a}),
            pd.DataFrame({"model": "B", "item_id": items, "outcome": b}),
        ]
    ).assign(target=np.nan, mode="imported")
    res = paired_difference(frame, "A", "B", 0.5)
    keep = a != "error"
    pts = {"correct": 1.0, "incorrect": -1.0, "abstained": 0.0}
    diff = np.array([pts[x] for x in a[keep]]) - np.array([pts[x] for x in b[keep]])
    assert res.n_items == keep.sum() and res.n_excluded == (~keep).sum()
    assert res.difference == pytest.approx(diff.mean())
    boot = rng.choice(diff, size=(5000, diff.size)).mean(axis=1)
    ref = np.quantile(boot, [0.025, 0.975])
    assert res.lo == pytest.approx(ref[0], abs=0.03)
    assert res.hi == pytest.approx(ref[1], abs=0.03)
    assert res.lo < res.difference < res.hi


def _counts_frame(counts: dict[str, int], model: str = "m") -> pd.DataFrame:
    outcomes = [o for o, k in counts.items() for _ in range(k)]
    return pd.DataFrame(
        {
            "model": model,
            "item_id": [f"q{i}" for i in range(len(outcomes))],
            "outcome": outcomes,
            "target": np.nan,
            "mode": "imported",
        }
    )


def test_general_rule_with_idk_credit_flows_through_summarize() -> None:
    frame = _counts_frame({"correct": 6, "incorrect": 2, "abstained": 1, "error": 1})
    rule = general(idk_credit=0.25, wrong_penalty=1.5)
    row = summarize(frame, rules=[rule]).iloc[0]
    assert row["score"] == pytest.approx((6 - 1.5 * 2 + 0.25 * 1) / 9)
    assert row["rule"] == "general(idk=0.25, penalty=1.5)"
    assert np.isnan(row["target"])
    assert row["idk_credit"] == 0.25 and row["penalty"] == 1.5
    assert row["always_abstain_score"] == 0.25
    assert row["score_lo"] <= row["score"] <= row["score_hi"]
    idk = summarize(frame, rules=[rule], settings=MetricSettings(ErrorPolicy.AS_ABSTAINED))
    assert idk.iloc[0]["score"] == pytest.approx((6 - 1.5 * 2 + 0.25 * 2) / 10)


def test_general_rule_scores_only_outcomes_that_hold_under_any_rule() -> None:
    instructed = Record("a", "m", Outcome.CORRECT, target=0.5, mode=Mode.INSTRUCTED)
    imported = Record("b", "n", Outcome.ABSTAINED)
    table = summarize([instructed, imported], rules=[general(0.5, 1.0), confidence_target(0.5)])
    rows = {(r.model, r.rule): r.score for r in table.itertuples()}
    assert rows == {
        ("m", "t=0.5"): 1.0,
        ("n", "t=0.5"): 0.0,
        ("n", "general(idk=0.5, penalty=1)"): 0.5,
    }


@given(t=st.floats(0.0, 0.95), seed=st.integers(0, 1000))
def test_confidence_target_equals_general_rule_with_its_penalty(t: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    k = rng.integers(0, 20, size=4)
    frame = _counts_frame(dict(zip(["correct", "incorrect", "abstained", "error"], k, strict=True)))
    if len(frame) == 0:
        return
    as_target = summarize(frame, [t]).iloc[0]
    as_general = summarize(frame, rules=[general(0.0, penalty(t))]).iloc[0]
    for col in ("score", "score_lo", "score_hi", "accuracy", "always_abstain_score"):
        assert as_general[col] == pytest.approx(as_target[col], nan_ok=True)


def test_general_rule_flows_through_paired_difference_and_leaderboard() -> None:
    rng = np.random.default_rng(1)
    n = 300
    items = [f"q{i}" for i in range(n)]
    a = rng.choice(["correct", "incorrect", "abstained"], n, p=[0.3, 0.1, 0.6])
    b = rng.choice(["correct", "incorrect", "abstained"], n, p=[0.4, 0.55, 0.05])
    frame = pd.concat(
        [
            pd.DataFrame({"model": "A", "item_id": items, "outcome": a}),
            pd.DataFrame({"model": "B", "item_id": items, "outcome": b}),
        ]
    ).assign(target=np.nan, mode="imported")
    rule = general(idk_credit=0.25, wrong_penalty=1.0)
    res = paired_difference(frame, "A", "B", rule=rule)
    pts = {"correct": 1.0, "incorrect": -1.0, "abstained": 0.25}
    diff = np.array([pts[x] for x in a]) - np.array([pts[x] for x in b])
    assert res.rule == rule.name and res.target is None
    assert res.difference == pytest.approx(diff.mean())
    assert res.lo < res.difference < res.hi
    table = summarize(frame, rules=[binary(), rule])
    board = leaderboard(table).set_index("entry")
    key = rule.name
    assert board.loc["B", "rank@0"] == 1 and board.loc["A", f"rank@{key}"] == 1
    assert board.loc["A", f"score@{key}"] == pytest.approx(np.mean([pts[x] for x in a]))
    assert board.loc["A", "flips"] == key


def test_paired_difference_needs_exactly_one_rule() -> None:
    frame = _counts_frame({"correct": 2})
    with pytest.raises(InputError, match="target or a rule"):
        paired_difference(frame, "m", "m")


def test_rounding_noise_is_saved_as_zero() -> None:
    # 9 right and 1 wrong at t = 0.9: 9 - 9 * 1 = 0, but t/(1-t) is 9.000000000000002.
    frame = _counts_frame({"correct": 9, "incorrect": 1})
    row = summarize(frame, [0.9]).iloc[0]
    assert penalty(0.9) != 9.0
    assert row["score"] == 0.0
    lo, _ = wilson_interval(0, 10)
    assert float(lo) == 0.0

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from halluc.io.outcome_table import read_outcome_table
from halluc.log.outcomes import Outcome
from halluc.log.records import Record, records_to_frame
from halluc.report.curves import _merge_flips, score_curves
from halluc.scoring.crossings import Crossing, crossing_target
from halluc.scoring.metrics import MetricSettings, summarize
from halluc.scoring.rules import penalty
from tests.report.synth import Behaviour, make_run

BLOG = Path(__file__).resolve().parents[2] / "examples" / "simpleqa_blog.csv"


def test_blog_example_curves_cross_where_the_closed_form_says() -> None:
    frame = read_outcome_table(BLOG)
    curves = score_curves(frame)
    kinds = {c.entry: c.kind for c in curves.curves}
    assert kinds == {"gpt-5-thinking-mini": "fixed", "o4-mini": "fixed"}
    by = {c.entry: c for c in curves.curves}
    # The blog's numbers: at t = 0.5 the scores are -0.04 and -0.51.
    assert by["gpt-5-thinking-mini"].on_grid(np.array([0.5]))[0] == pytest.approx(-0.04)
    assert by["o4-mini"].on_grid(np.array([0.5]))[0] == pytest.approx(-0.51)
    assert len(curves.crossings) == 1
    x = curves.crossings[0]
    assert x.method == "exact"
    assert x.t == pytest.approx(crossing_target(0.22, 0.26, 0.24, 0.75))
    assert x.below == "o4-mini" and x.above == "gpt-5-thinking-mini"
    assert x.score == pytest.approx(0.22 - 0.26 * penalty(x.t), abs=1e-9)


profiles = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40)).filter(
        lambda c: sum(c) > 0
    ),
    min_size=2,
    max_size=4,
)


@settings(max_examples=30)
@given(profiles)
def test_fixed_profiles_cross_exactly_where_ranks_flip(counts: list[tuple[int, int, int]]) -> None:
    records = []
    for m, (c, w, a) in enumerate(counts):
        outs = [Outcome.CORRECT] * c + [Outcome.INCORRECT] * w + [Outcome.ABSTAINED] * a
        records += [Record(f"i{k}", f"m{m}", o, None, "imported") for k, o in enumerate(outs)]
    curves = score_curves(
        records_to_frame(records), targets=[0.0, 0.5], settings=MetricSettings(n_boot=1)
    )
    expected = 0
    rates = [(c / (c + w + a), w / (c + w + a)) for c, w, a in counts]
    for i in range(len(counts)):
        for j in range(i + 1, len(counts)):
            t = crossing_target(*rates[i], *rates[j])
            if t is not None and 0 < t < 0.95 - 1e-9:
                expected += 1
    found = [x for x in curves.crossings if x.t < 0.95 - 1e-9]
    assert len(found) == expected
    by = {c.entry: c for c in curves.curves}
    for x in found:
        assert x.method == "exact"
        lo, hi = np.array([x.t - 1e-3]), np.array([x.t + 1e-3])
        assert by[x.above].on_grid(hi)[0] > by[x.below].on_grid(hi)[0]
        assert by[x.above].on_grid(lo)[0] < by[x.below].on_grid(lo)[0]


def test_policy_curve_reproduces_recorded_scores(tmp_path: Path) -> None:
    run = make_run(
        tmp_path / "r",
        {"pol": Behaviour("policy", 0.3)},
        n_items=200,
        targets=(0.0, 0.3, 0.5, 0.75),
        error_every=17,
    )
    frame = records_to_frame(run.records())
    table = summarize(frame, [0.0, 0.3, 0.5, 0.75])
    curves = score_curves(frame, table=table)
    (c,) = curves.curves
    assert c.kind == "policy"
    for t, s in zip(table["target"], table["score"], strict=True):
        assert c.on_grid(np.array([t]))[0] == pytest.approx(s, abs=1e-12)
    # Between targets the curve is the policy re-applied: at t = 0.6 every answer with
    # confidence > 0.6 is kept, exactly.
    recs = [r for r in run.records() if r.target == 0.0]
    right = sum(1 for r in recs if r.answer_outcome is Outcome.CORRECT and r.confidence > 0.6)
    wrong = sum(1 for r in recs if r.answer_outcome is Outcome.INCORRECT and r.confidence > 0.6)
    scored = sum(1 for r in recs if r.outcome is not Outcome.ERROR)
    grid_t = np.array([0.6])
    assert c.on_grid(grid_t)[0] == pytest.approx((right - wrong * penalty(0.6)) / scored)


def test_policy_records_that_do_not_follow_the_rule_fall_back_to_measured(
    tmp_path: Path,
) -> None:
    run = make_run(
        tmp_path / "r", {"pol": Behaviour("policy", 0.3)}, n_items=50, targets=(0.0, 0.5)
    )
    frame = records_to_frame(run.records())
    # One item answered at t = 0.5 although its confidence is below 0.5.
    low = frame[(frame["target"] == 0.5) & (frame["confidence"] < 0.5)].index[0]
    frame.loc[low, "outcome"] = frame.loc[low, "answer_outcome"]
    (c,) = score_curves(frame).curves
    assert c.kind == "measured"
    assert "does not reproduce" in c.note
    assert c.t.tolist() == [0.0, 0.5]


def test_measured_crossings_stay_between_measured_targets(tmp_path: Path) -> None:
    run = make_run(
        tmp_path / "r",
        {"guesser": Behaviour("guesser", 0.4), "careful": Behaviour("calibrated", 0.0)},
        n_items=300,
        targets=(0.0, 0.5, 0.75),
    )
    curves = score_curves(records_to_frame(run.records()))
    assert {c.kind for c in curves.curves} == {"measured"}
    assert curves.crossings, "the guesser leads at t=0 and falls behind by t=0.75"
    for x in curves.crossings:
        assert x.method.startswith("interpolated")
        assert 0.0 < x.t < 0.75
    first = curves.crossings[0]
    assert first.below == "guesser" and first.above == "careful"
    # Outside the measured range a measured curve has no values.
    careful = next(c for c in curves.curves if c.entry == "careful")
    assert np.isnan(careful.on_grid(np.array([0.9]))[0])


def test_entries_with_two_modes_are_labelled(tmp_path: Path) -> None:
    recs = [
        Record("a", "m", Outcome.CORRECT, 0.0, "instructed"),
        Record(
            "a",
            "m",
            Outcome.INCORRECT,
            0.0,
            "policy",
            confidence=0.9,
            answer_outcome=Outcome.INCORRECT,
        ),
    ]
    curves = score_curves(pd.DataFrame(records_to_frame(recs)))
    assert sorted(c.entry for c in curves.curves) == ["m [instructed]", "m [policy]"]


def test_quick_back_and_forth_flips_merge_into_their_net_change() -> None:
    def x(t: float, below: str, above: str) -> Crossing:
        return Crossing("A", "B", t, 0.1, below, above, "grid")

    flicker = [x(0.30, "A", "B"), x(0.31, "B", "A"), x(0.33, "A", "B"), x(0.60, "B", "A")]
    merged = _merge_flips(flicker, 0.05)
    assert [(c.t, c.below, c.above, c.method) for c in merged] == [
        (0.31, "A", "B", "grid, merged"),
        (0.60, "B", "A", "grid"),
    ]
    # An even run is no lasting change of order.
    assert _merge_flips(flicker[:2], 0.05) == []
    assert _merge_flips(flicker, 0.0) == flicker

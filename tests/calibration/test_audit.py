import math
from pathlib import Path

import pandas as pd
import pytest

from halluc.calibration.audit import (
    FAIL,
    NO_ANSWERS,
    NOT_APPLICABLE,
    PASS,
    UNCLEAR,
    audit_summary,
    audit_table,
    verdict,
)
from halluc.log.records import records_to_frame
from halluc.scoring.metrics import summarize
from tests.report.synth import Behaviour, make_run


@pytest.mark.parametrize(
    ("t", "acc", "lo", "hi", "expected"),
    [
        (0.0, 0.3, 0.2, 0.4, NOT_APPLICABLE),
        (0.5, 0.8, 0.7, 0.9, PASS),
        (0.5, 0.8, 0.5, 0.9, PASS),  # the bound may touch t
        (0.5, 0.3, 0.2, 0.45, FAIL),
        (0.5, 0.55, 0.45, 0.65, UNCLEAR),
        (0.5, math.nan, math.nan, math.nan, NO_ANSWERS),
    ],
)
def test_verdicts(t: float, acc: float, lo: float, hi: float, expected: str) -> None:
    assert verdict(t, acc, lo, hi) == expected


def test_calibrated_model_passes_and_guesser_fails(tmp_path: Path) -> None:
    run = make_run(
        tmp_path / "r",
        {"careful": Behaviour("calibrated", 0.0), "guesser": Behaviour("guesser", -1.2)},
        n_items=400,
        targets=(0.0, 0.5, 0.75),
    )
    table = summarize(records_to_frame(run.records()), [0.0, 0.5, 0.75])
    audit = audit_table(table)
    v = audit.set_index(["entry", "target"])["verdict"]
    assert v[("careful", 0.0)] == NOT_APPLICABLE
    assert v[("careful", 0.5)] == PASS
    assert v[("careful", 0.75)] == PASS
    assert v[("guesser", 0.5)] == FAIL
    assert v[("guesser", 0.75)] == FAIL
    # The numbers are summarize's, untouched.
    row = table[(table["model"] == "careful") & (table["target"] == 0.5)].iloc[0]
    arow = audit[(audit["entry"] == "careful") & (audit["target"] == 0.5)].iloc[0]
    assert arow["accuracy_given_attempted_lo"] == row["accuracy_given_attempted_lo"]
    summary = audit_summary(audit).set_index("entry")
    assert summary.loc["careful", PASS] == 2 and summary.loc["careful", FAIL] == 0
    assert summary.loc["guesser", "failed_at"] == "0.5, 0.75"
    assert not audit["answer_rate_rose"].any()


def test_rising_answer_rate_is_flagged() -> None:
    table = pd.DataFrame(
        {
            "model": ["m"] * 3,
            "mode": ["instructed"] * 3,
            "target": [0.0, 0.5, 0.75],
            "n_scored": [10, 10, 10],
            "answer_rate": [0.9, 0.4, 0.6],
            "answer_rate_lo": [0.6, 0.2, 0.3],
            "answer_rate_hi": [1.0, 0.7, 0.8],
            "accuracy_given_attempted": [0.5, 0.8, 0.9],
            "accuracy_given_attempted_lo": [0.2, 0.6, 0.8],
            "accuracy_given_attempted_hi": [0.8, 0.95, 0.99],
        }
    )
    audit = audit_table(table)
    assert audit["answer_rate_rose"].tolist() == [False, False, True]
    assert audit_summary(audit).iloc[0]["answer_rate_rose"]

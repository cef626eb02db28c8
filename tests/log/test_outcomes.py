import numpy as np
import pytest

from halluc.errors import InputError
from halluc.log.outcomes import Outcome, outcome_codes, parse_outcome


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("correct", Outcome.CORRECT),
        ("A", Outcome.CORRECT),
        ("B", Outcome.INCORRECT),
        ("C", Outcome.ABSTAINED),
        ("NOT_ATTEMPTED", Outcome.ABSTAINED),
        (" INCORRECT ", Outcome.INCORRECT),
        ("error", Outcome.ERROR),
    ],
)
def test_labels_of_other_harnesses(label: str, expected: Outcome) -> None:
    assert parse_outcome(label) is expected


def test_unknown_label_is_an_error_never_a_guess() -> None:
    with pytest.raises(ValueError, match="unknown outcome label 'D'"):
        parse_outcome("D")
    with pytest.raises(InputError) as info:
        outcome_codes(np.array(["A", "B", "maybe"], dtype=object), path="x.csv", first_line=2)
    assert (info.value.line, info.value.field) == (4, "outcome")


def test_codes_follow_the_outcome_order() -> None:
    codes = outcome_codes(["correct", "C", "error", "B"])
    assert codes.tolist() == [0, 2, 3, 1]

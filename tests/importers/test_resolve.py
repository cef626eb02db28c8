"""The rules that turn a source's grade and an answer into one of the four outcomes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from halluc.importers.base import ImportReport, grader_version
from halluc.importers.resolve import OutcomeResolver, SourceGrade
from halluc.log.outcomes import Outcome


def resolver(detect: bool = True) -> OutcomeResolver:
    return OutcomeResolver(ImportReport(path="p", format="f"), "src:metric", detect=detect)


@given(st.text(max_size=40))
def test_the_sources_correct_and_labels_are_never_overridden(text: str) -> None:
    r = resolver()
    assert r.resolve(SourceGrade.CORRECT, text, ["x"], "w")[0] is Outcome.CORRECT
    assert r.resolve(SourceGrade.ABSTAINED, text, ["x"], "w")[0] is Outcome.ABSTAINED
    assert r.resolve(SourceGrade.ERROR, text, ["x"], "w")[0] is Outcome.ERROR
    assert r.resolve(SourceGrade.INCORRECT, text, ["x"], "w")[0] in (
        Outcome.INCORRECT,
        Outcome.ABSTAINED,
    )


def test_wrong_answers_that_abstain_become_abstentions() -> None:
    r = resolver()
    outcome, grader, _ = r.resolve(SourceGrade.INCORRECT, "I don't know.", ["Paris"], "w")
    assert outcome is Outcome.ABSTAINED and grader == "src:metric+halluc.grading.abstention"
    # a guess after "I don't know" is a guess (detection says undetermined)
    hedge = "I don't know, but it might be Lyon in the south of France"
    assert r.resolve(SourceGrade.INCORRECT, hedge, ["Paris"], "w")[0] is Outcome.INCORRECT
    assert r.resolve(SourceGrade.INCORRECT, "Lyon", ["Paris"], "w")[0] is Outcome.INCORRECT
    assert r.report.reclassified_as_abstained == 1
    off = resolver(detect=False)
    assert off.resolve(SourceGrade.INCORRECT, "I don't know.", ["P"], "w")[0] is Outcome.INCORRECT


def test_ungraded_items_are_graded_by_halluc_or_reported() -> None:
    r = resolver()
    assert r.resolve(SourceGrade.NONE, "It is Paris.", ["Paris"], "w")[0] is Outcome.CORRECT
    assert r.resolve(SourceGrade.NONE, "Lyon", ["Paris"], "w")[0] is Outcome.INCORRECT
    assert r.resolve(SourceGrade.NONE, "No idea.", [], "w")[0] is Outcome.ABSTAINED
    outcome, _, error = r.resolve(SourceGrade.NONE, "Lyon", [], "line 7")
    assert outcome is Outcome.ERROR and error is not None
    assert r.resolve(SourceGrade.NONE, None, ["Paris"], "line 8")[0] is Outcome.ERROR
    assert r.report.graded_by_halluc == 3
    assert [u.where for u in r.report.unmapped] == ["line 7", "line 8"]
    assert grader_version("halluc.grading.match") is not None
    assert grader_version("src:metric") is None

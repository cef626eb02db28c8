"""From a source's own grade (if any) and the model's answer to one of halluc's four outcomes.

The rules, the same for every importer:

* the source said correct -> ``correct`` (halluc never overrides a source's "correct");
* the source labelled an abstention (Inspect ``N``, SimpleQA ``NOT_ATTEMPTED``, an
  AbstentionBench judge) -> ``abstained``;
* the source failed on the item (a failed request, a sample error) -> ``error``;
* the source said wrong but has no notion of abstention (lm-eval, HELM, simple-evals' boolean
  score) -> halluc's abstention detection decides between ``abstained`` and ``incorrect``
  ("undetermined" keeps the source's ``incorrect``);
* the source has no grade -> abstention detection, then halluc's answer grader against the
  gold answers; with no gold answers the item is ``error`` and reported as unmapped.

Grading and abstention detection come from :mod:`halluc.grading`; nothing here re-implements
them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum

from halluc.importers.base import HALLUC_GRADER, ImportReport
from halluc.log.outcomes import Outcome

_ABSTENTION_CACHE: dict[str, str] = {}
"""Verdicts by answer text, shared by every source of a process: refusals recur across
models and files. Bounded by clearing (the detector is deterministic, so this is only speed)."""
_CACHE_LIMIT = 1 << 18


class SourceGrade(StrEnum):
    CORRECT = "correct"
    INCORRECT = "incorrect"
    ABSTAINED = "abstained"
    ERROR = "error"
    NONE = "none"


def _grading_functions() -> tuple[Callable[[str, Sequence[str]], Outcome], Callable[[str], object]]:
    from halluc.grading.abstention import detect_abstention
    from halluc.grading.match import grade_answer

    return grade_answer, detect_abstention


class OutcomeResolver:
    """Applies the rules above for one source and counts what it did into the report.

    Abstention detection is memoised per distinct answer text (see ``_ABSTENTION_CACHE``).
    """

    def __init__(self, report: ImportReport, source_grader: str, *, detect: bool = True) -> None:
        self.report = report
        self.source_grader = source_grader
        self.detect = detect
        self._grade_answer: Callable[[str, Sequence[str]], Outcome] | None = None
        self._detect: Callable[[str], object] | None = None

    def _load(self) -> None:
        if self._grade_answer is None:
            self._grade_answer, self._detect = _grading_functions()

    def abstention(self, text: str) -> str:
        cached = _ABSTENTION_CACHE.get(text)
        if cached is None:
            self._load()
            assert self._detect is not None
            cached = str(self._detect(text))
            if len(_ABSTENTION_CACHE) >= _CACHE_LIMIT:
                _ABSTENTION_CACHE.clear()
            _ABSTENTION_CACHE[text] = cached
        return cached

    def resolve(
        self,
        grade: SourceGrade,
        response: str | None,
        answers: Sequence[str] | None,
        where: str,
    ) -> tuple[Outcome, str, str | None]:
        """Returns ``(outcome, grader, error message or None)``."""
        if grade is SourceGrade.CORRECT:
            return Outcome.CORRECT, self.source_grader, None
        if grade is SourceGrade.ABSTAINED:
            return Outcome.ABSTAINED, self.source_grader, None
        if grade is SourceGrade.ERROR:
            return Outcome.ERROR, self.source_grader, None
        if grade is SourceGrade.INCORRECT:
            if self.detect and response and self.abstention(response) == "abstained":
                self.report.reclassified_as_abstained += 1
                return Outcome.ABSTAINED, f"{self.source_grader}+{HALLUC_GRADER}.abstention", None
            return Outcome.INCORRECT, self.source_grader, None
        # No grade from the source: halluc grades (grade_answer detects abstention itself).
        if response is None:
            msg = "no grade in the source and no response to grade"
            self.report.add_unmapped(where, msg)
            return Outcome.ERROR, HALLUC_GRADER, msg
        if not answers:
            if self.detect and self.abstention(response) == "abstained":
                self.report.graded_by_halluc += 1
                return Outcome.ABSTAINED, f"{HALLUC_GRADER}.abstention", None
            msg = "no grade in the source and no gold answers to grade against"
            self.report.add_unmapped(where, msg)
            return Outcome.ERROR, HALLUC_GRADER, msg
        self._load()
        assert self._grade_answer is not None
        outcome = self._grade_answer(response, list(answers))
        self.report.graded_by_halluc += 1
        error = "empty response: nothing to grade" if outcome is Outcome.ERROR else None
        return outcome, f"{HALLUC_GRADER}.match", error


__all__ = ["HALLUC_GRADER", "OutcomeResolver", "SourceGrade"]

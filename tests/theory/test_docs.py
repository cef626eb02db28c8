"""docs/theory.md: every number on the page is recomputed by the library (doctest)."""

from __future__ import annotations

import doctest
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "theory.md"


def test_theory_docs_numbers_come_from_the_library() -> None:
    res = doctest.testfile(
        str(DOC), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert res.attempted >= 30
    assert res.failed == 0

"""A worksheet renders the same rows in every format."""

from __future__ import annotations

import csv
import io
import json

from halluc.render.tables import OutputFormat
from halluc.theory.bound import Bound
from halluc.theory.worksheet import Section, Worksheet, cell

LOWER = Bound(-0.5, {"a": 1.0, "b|c": 0.25}, "err >= a - b = -0.5", "lower", 1.0, "Toy")


def sheet() -> Worksheet:
    return Worksheet((Section.of('in, "x"', [("N", 10), ("sr", 0.125), ("ok", True)]),), (LOWER,))


def test_cells_drop_the_point_of_whole_numbers() -> None:
    assert [cell(3.0), cell(0.125), cell(1e20), cell(True), cell("never")] == [
        "3",
        "0.125",
        "1.0000e+20",
        "True",
        "never",
    ]


def test_json_is_the_dict() -> None:
    doc = json.loads(sheet().render(OutputFormat.JSON))
    assert doc == sheet().to_dict()
    assert doc['in, "x"'] == {"N": 10, "sr": 0.125, "ok": True}
    assert doc["bounds"][0]["terms"] == {"a": 1.0, "b|c": 0.25}


def test_csv_has_a_row_per_quantity_and_term() -> None:
    rows = list(csv.reader(io.StringIO(sheet().render(OutputFormat.CSV))))
    assert rows == [
        ["section", "name", "value"],
        ['in, "x"', "N", "10"],
        ['in, "x"', "sr", "0.125"],
        ['in, "x"', "ok", "True"],
        ["Toy: lower bound", "a", "1"],
        ["Toy: lower bound", "b|c", "0.25"],
        ["Toy: lower bound", "value", "-0.5"],
    ]


def test_markdown_and_terminal_state_each_bound() -> None:
    md = sheet().render(OutputFormat.MARKDOWN)
    assert "| b\\|c | 0.25 |" in md
    assert md.endswith("- Toy: `err >= a - b = -0.5`\n")
    text = sheet().render(OutputFormat.TABLE)
    assert "Toy: err >= a - b = -0.5  (vacuous)" in text

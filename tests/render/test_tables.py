"""One table model drawn in the terminal, in Markdown and in HTML with the same headers."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from halluc.render.result_tables import score_table
from halluc.render.tables import Cell, OutputFormat, Table
from halluc.scoring.metrics import summarize

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "simpleqa_blog.csv"


def test_every_medium_shows_the_same_headers_and_values() -> None:
    frame = pd.read_csv(EXAMPLE).assign(target=float("nan"), mode="imported")
    table = score_table(summarize(frame, [0.0, 0.5]))
    text = table.render(OutputFormat.TABLE, width=300)
    markdown = table.render(OutputFormat.MARKDOWN)
    page = table.to_html()
    escaped = [h.replace("|", "\\|") for h in table.headers]
    assert markdown.splitlines()[0] == "| " + " | ".join(escaped) + " |"
    for header in table.headers:
        assert f">{html.escape(header)}</th>" in page
        assert header in text
    for value in ("-0.040", "-0.510", "0.240", "[0.160, 0.330]"):
        assert value in text and value in markdown and value in page


def test_html_escapes_model_output_and_markdown_escapes_pipes() -> None:
    t = Table(["entry", "note"], [["<script>x</script>", Cell("a|b", "[1, 2]")]])
    page = t.to_html()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert '<span class="ci">[1, 2]</span>' in page
    assert "| a\\|b [1, 2] |" in t.to_markdown()

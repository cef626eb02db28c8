"""Turning result frames into text people read: terminal tables, Markdown, CSV, JSON."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table


class OutputFormat(StrEnum):
    TABLE = "table"
    MARKDOWN = "markdown"
    JSON = "json"
    CSV = "csv"


def fmt_num(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def fmt_interval(value: Any, lo: Any, hi: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f} [{fmt_num(lo, digits)}, {fmt_num(hi, digits)}]"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def cell(s: str) -> str:
        return s.replace("|", "\\|")

    lines = [
        "| " + " | ".join(cell(h) for h in headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def rich_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    title: str | None = None,
    numeric_from: int = 0,
) -> Table:
    table = Table(title=title, show_lines=False, header_style="bold")
    for i, h in enumerate(headers):
        table.add_column(
            escape(h), justify="right" if i >= numeric_from else "left", overflow="fold"
        )
    for r in rows:
        table.add_row(*(escape(c) for c in r))
    return table


def render_text_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    fmt: OutputFormat,
    title: str | None = None,
    numeric_from: int = 0,
    width: int | None = None,
) -> str:
    """A human table as text: rich box drawing for ``table``, pipes for ``markdown``."""
    if fmt is OutputFormat.MARKDOWN:
        return (f"**{title}**\n\n" if title else "") + markdown_table(headers, rows)
    console = Console(width=width or 200, record=True, file=io.StringIO(), force_terminal=False)
    console.print(rich_table(headers, rows, title, numeric_from))
    return console.export_text()


def frame_to_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False)

"""The one table model: headers, rows of cells, a title; rendered to the terminal (rich), to
Markdown and to HTML (escaped) from the same object, so every medium shows the same headers.

Which columns a result shows is decided once, in :mod:`halluc.render.result_tables`; this
module only draws.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from halluc.render.numbers import fmt_interval, fmt_num


class OutputFormat(StrEnum):
    TABLE = "table"
    MARKDOWN = "markdown"
    JSON = "json"
    CSV = "csv"


@dataclass(frozen=True)
class Cell:
    """A value and, optionally, its interval (``sub``) shown smaller beside it."""

    text: str
    sub: str = ""
    css: str = ""

    def plain(self) -> str:
        return f"{self.text} {self.sub}".strip()


CellLike = Cell | str


def _cell(c: CellLike) -> Cell:
    return c if isinstance(c, Cell) else Cell(c)


def _stacked(cell: Cell) -> str:
    text = cell.text.replace("\n", " ")
    return f"{text}\n{cell.sub}" if cell.sub else text


@dataclass
class Table:
    """``numeric_from``: columns from this index on are numbers (right-aligned).
    ``title`` stands above the table; ``caption`` is a note below it."""

    headers: list[str]
    rows: list[list[CellLike]] = field(default_factory=list)
    title: str = ""
    caption: str = ""
    numeric_from: int = 1
    css: str = ""

    def plain_rows(self) -> list[list[str]]:
        """Each cell as one line of text: the value, then its interval."""
        return [[_cell(c).plain().replace("\n", " ") for c in r] for r in self.rows]

    def stacked_rows(self) -> list[list[str]]:
        """Each cell with its interval on a line of its own (narrow terminal columns)."""
        return [[_stacked(_cell(c)) for c in r] for r in self.rows]

    def to_markdown(self) -> str:
        head = f"**{self.title}**\n\n" if self.title else ""
        head += f"*{self.caption}*\n\n" if self.caption else ""
        return head + markdown_table(self.headers, self.plain_rows())

    def to_text(self, width: int | None = None) -> str:
        """Box-drawn text for a terminal (``width`` characters, 200 when not given)."""
        table = rich_table(self.headers, self.stacked_rows(), self.title, self.numeric_from)
        if self.caption:
            table.caption = escape(self.caption)
        console = Console(width=width or 200, record=True, file=io.StringIO(), force_terminal=False)
        console.print(table)
        return console.export_text()

    def render(self, fmt: OutputFormat, width: int | None = None) -> str:
        """Text for ``table`` or ``markdown`` output."""
        return self.to_markdown() if fmt is OutputFormat.MARKDOWN else self.to_text(width)

    def to_html(self) -> str:
        parts = [f'<table class="{html.escape(self.css or "data")}">']
        if self.caption:
            parts.append(f"<caption>{html.escape(self.caption)}</caption>")
        parts.append("<thead><tr>")
        for i, h in enumerate(self.headers):
            cls = ' class="num"' if i >= self.numeric_from else ""
            parts.append(f'<th scope="col"{cls}>{html.escape(h)}</th>')
        parts.append("</tr></thead><tbody>")
        for row in self.rows:
            parts.append("<tr>")
            for i, c in enumerate(row):
                cell = _cell(c)
                classes = " ".join(
                    x for x in ("num" if i >= self.numeric_from else "", cell.css) if x
                )
                attr = f' class="{classes}"' if classes else ""
                sub = f' <span class="ci">{html.escape(cell.sub)}</span>' if cell.sub else ""
                parts.append(f"<td{attr}>{html.escape(cell.text)}{sub}</td>")
            parts.append("</tr>")
        parts.append("</tbody></table>")
        return "".join(parts)


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
) -> RichTable:
    """A rich table of plain text cells (markup in them is shown as typed)."""
    table = RichTable(title=title or None, show_lines=False, header_style="bold")
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
    """Plain rows of text as a :class:`Table`: rich box drawing for ``table``, pipes for
    ``markdown``."""
    table = Table(list(headers), [list(r) for r in rows], title or "", numeric_from=numeric_from)
    return table.render(fmt, width)


def frame_to_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False)


__all__ = [
    "Cell",
    "CellLike",
    "OutputFormat",
    "Table",
    "fmt_interval",
    "fmt_num",
    "frame_to_csv",
    "markdown_table",
    "render_text_table",
    "rich_table",
]

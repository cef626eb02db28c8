"""A calculation shown with its work: the inputs, what was derived from them, and each bound.

The paper's theorems are only convincing when every term is visible, so a calculator returns a
:class:`Worksheet` rather than a number: named sections of (quantity, value) rows followed by the
bounds, each with its terms and its statement. ``to_dict`` gives the JSON form and ``render`` the
terminal, Markdown and CSV forms of the same rows.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import pandas as pd
from rich.console import Console

from halluc.render.tables import OutputFormat, frame_to_csv, markdown_table, rich_table
from halluc.theory.bound import Bound, fmt

Value = float | int | bool | str
"""What a row of a worksheet holds: a number, a yes/no, or a word ("never")."""


@dataclass(frozen=True)
class Section:
    """A titled list of named quantities."""

    title: str
    rows: tuple[tuple[str, Value], ...]

    @classmethod
    def of(cls, title: str, rows: Sequence[tuple[str, Value]]) -> Section:
        return cls(title, tuple(rows))

    @classmethod
    def of_bound(cls, bound: Bound) -> Section:
        """A bound's terms and its value, titled with its name and kind."""
        rows = (*bound.terms.items(), ("value", bound.value))
        return cls(f"{bound.name}: {bound.kind} bound", rows)


def cell(value: Value) -> str:
    """A value as shown in a table: whole floats without a decimal point, others compactly."""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return fmt(value)
    return str(value)


@dataclass(frozen=True)
class Worksheet:
    """Sections of inputs and derived quantities, then the bounds they give."""

    sections: tuple[Section, ...] = ()
    bounds: tuple[Bound, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """``{section title: {quantity: value}, ..., "bounds": [bound, ...]}``."""
        doc: dict[str, Any] = {s.title: dict(s.rows) for s in self.sections}
        doc["bounds"] = [b.to_dict() for b in self.bounds]
        return doc

    def all_sections(self) -> list[Section]:
        """The sections, then one section per bound with its terms."""
        return [*self.sections, *(Section.of_bound(b) for b in self.bounds)]

    def render(self, fmt_: OutputFormat) -> str:
        """The worksheet as text in ``fmt_``, ending in a newline."""
        if fmt_ is OutputFormat.JSON:
            return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"
        if fmt_ is OutputFormat.CSV:
            rows = [(s.title, k, cell(v)) for s in self.all_sections() for k, v in s.rows]
            return frame_to_csv(pd.DataFrame(rows, columns=["section", "name", "value"]))
        if fmt_ is OutputFormat.MARKDOWN:
            return self._markdown()
        return self._terminal()

    def _markdown(self) -> str:
        out = [
            f"**{s.title}**\n\n" + markdown_table(["", "value"], [(k, cell(v)) for k, v in s.rows])
            for s in self.all_sections()
        ]
        out += [f"- {b.name}: `{b.statement}`" for b in self.bounds]
        return "\n".join(out) + "\n"

    def _terminal(self) -> str:
        buf = io.StringIO()
        console = Console(file=buf, width=110, force_terminal=False, color_system=None)
        for s in self.all_sections():
            rows = [(k, cell(v)) for k, v in s.rows]
            console.print(rich_table(["", "value"], rows, title=s.title, numeric_from=1))
        for b in self.bounds:
            note = "  (vacuous)" if b.vacuous else ""
            console.print(f"{b.name}: {b.statement}{note}", soft_wrap=True)
            for n in b.notes:
                console.print(f"  note: {n}", soft_wrap=True)
        return buf.getvalue()

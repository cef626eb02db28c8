"""What every command shares: parsing of comma lists and the option declarations of shared ideas.

One idea, one spelling: a list is written ``a,b,c`` everywhere, and a flag that means the same
thing in two commands is declared once here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

import typer

from halluc.errors import InputError
from halluc.render.tables import OutputFormat

T = TypeVar("T")

FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]
"""``--format/-f``: how a command prints its result."""


def split_list(text: str, flag: str) -> tuple[str, ...]:
    """``'a, b,,c'`` -> ``('a', 'b', 'c')``; an empty list is an error naming ``flag``."""
    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    if not parts:
        raise InputError("empty list", field=flag)
    return parts


def parse_list(
    text: str, flag: str, convert: Callable[[str], T], what: str, *, unique: bool = False
) -> tuple[T, ...]:
    """Each item of a comma list converted; the first bad one named in a one-line error."""
    out: list[T] = []
    for part in split_list(text, flag):
        try:
            out.append(convert(part))
        except (TypeError, ValueError):
            raise InputError(f"not {what}: {part!r}", field=flag) from None
    if unique and len(set(out)) != len(out):
        raise InputError("values repeat", field=flag)
    return tuple(out)


def parse_floats(text: str, flag: str, *, lo: float, hi: float) -> tuple[float, ...]:
    """A comma list of numbers x with ``lo <= x < hi``."""
    values = parse_list(text, flag, float, "a number")
    for x in values:
        if not lo <= x < hi:
            raise InputError(f"each value must satisfy {lo:g} <= x < {hi:g}, got {x:g}", field=flag)
    return values


def parse_ints(text: str, flag: str, *, unique: bool = True) -> tuple[int, ...]:
    """A comma list of integers (distinct unless ``unique`` is false)."""
    return parse_list(text, flag, int, "an integer", unique=unique)


def parse_targets(text: str, flag: str = "--targets") -> tuple[float, ...]:
    """``'0,0.5,0.75'`` -> ``(0.0, 0.5, 0.75)``: confidence targets, each 0 <= t < 1."""
    values = parse_list(text, flag, float, "a number")
    for t in values:
        if not 0.0 <= t < 1.0:
            raise InputError(f"each target must satisfy 0 <= t < 1, got {t:g}", field=flag)
    return values


def number(text: str) -> int | float:
    """``'1000'`` -> 1000 (exact), ``'1e6'`` or ``'2.5'`` -> a float; ValueError otherwise."""
    t = text.strip()
    return float(t) if any(ch in t for ch in ".eE") else int(t)


def parse_number(text: str, flag: str) -> int | float:
    """A count written plainly or with an exponent (``1e9``); the library checks its range."""
    try:
        return number(text)
    except ValueError:
        raise InputError(f"not a number: {text!r}", field=flag) from None

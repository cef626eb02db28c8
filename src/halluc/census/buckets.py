"""Count buckets: 0, 1, 2–3, 4–10, 11–100, >100 by default (any lower edges may be given)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from halluc.errors import InputError

DEFAULT_EDGES: tuple[int, ...] = (0, 1, 2, 4, 11, 101)
"""Lower edges of the buckets: [0], [1], [2, 3], [4, 10], [11, 100], [101, inf)."""


@dataclass(frozen=True, slots=True)
class Bucket:
    lo: int
    hi: int | None  # inclusive; None = unbounded

    @property
    def label(self) -> str:
        if self.hi is None:
            return f">{self.lo - 1}" if self.lo > 0 else ">=0"
        if self.hi == self.lo:
            return str(self.lo)
        return f"{self.lo}-{self.hi}"

    def contains(self, count: int) -> bool:
        return count >= self.lo and (self.hi is None or count <= self.hi)

    def as_dict(self) -> dict[str, Any]:
        return {"bucket": self.label, "lo": self.lo, "hi": self.hi}


def parse_edges(text: str) -> tuple[int, ...]:
    """'0,1,2,4,11,101' -> (0, 1, 2, 4, 11, 101), checked."""
    try:
        edges = tuple(int(p) for p in text.split(",") if p.strip())
    except ValueError:
        raise InputError(f"not a list of integers: {text!r}", field="edges") from None
    return check_edges(edges)


def check_edges(edges: Sequence[int]) -> tuple[int, ...]:
    e = tuple(int(x) for x in edges)
    if not e or e[0] != 0:
        raise InputError("bucket edges must start at 0", field="edges")
    if any(b <= a for a, b in itertools.pairwise(e)):
        raise InputError(f"bucket edges must increase strictly, got {list(e)}", field="edges")
    return e


def make_buckets(edges: Sequence[int] = DEFAULT_EDGES) -> list[Bucket]:
    e = check_edges(edges)
    out = [Bucket(lo, hi - 1) for lo, hi in itertools.pairwise(e)]
    out.append(Bucket(e[-1], None))
    return out


def assign(counts: npt.ArrayLike, edges: Sequence[int] = DEFAULT_EDGES) -> npt.NDArray[np.int64]:
    """Index of each count's bucket (counts must be >= 0)."""
    c = np.asarray(counts, dtype=np.int64)
    if c.size and c.min() < 0:
        raise InputError("counts must be >= 0", field="count")
    e = np.asarray(check_edges(edges), dtype=np.int64)
    return np.searchsorted(e, c, side="right").astype(np.int64) - 1

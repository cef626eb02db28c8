"""A bound with every term named, so that a reader can see why it is what it is."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Bound:
    """The value of a bound on the generative error rate, its named terms and its statement.

    ``value`` is the raw number the formula gives; a lower bound below 0 or an upper bound
    above 1 is *vacuous* (true but uninformative) and is kept as computed rather than clipped,
    so that the terms add up to it. ``holds_with`` is the probability over the training data
    with which the bound holds (1.0 for the deterministic theorems).
    """

    value: float
    terms: dict[str, float]
    statement: str
    kind: Literal["lower", "upper"] = "lower"
    holds_with: float = 1.0
    name: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def vacuous(self) -> bool:
        return self.value <= 0.0 if self.kind == "lower" else self.value >= 1.0

    @property
    def clipped(self) -> float:
        """The value clipped to [0, 1], the range of an error rate."""
        return min(1.0, max(0.0, self.value))

    def check(self, err: float, tol: float = 1e-12) -> bool:
        """Whether an observed error rate satisfies the bound (within ``tol``)."""
        if self.kind == "lower":
            return err >= self.value - tol
        return err <= self.value + tol

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "value": self.value,
            "holds_with": self.holds_with,
            "vacuous": self.vacuous,
            "terms": dict(self.terms),
            "statement": self.statement,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Bound:
        """The bound :meth:`to_dict` wrote (``vacuous`` is recomputed, not read)."""
        return cls(
            value=float(data["value"]),
            terms={str(k): float(v) for k, v in data["terms"].items()},
            statement=str(data["statement"]),
            kind="upper" if data["kind"] == "upper" else "lower",
            holds_with=float(data["holds_with"]),
            name=str(data["name"]),
            notes=tuple(str(n) for n in data.get("notes", ())),
        )


def fmt(x: float) -> str:
    """Compact number formatting for statements."""
    if math.isnan(x):
        return "nan"
    if x != 0 and (abs(x) < 1e-4 or abs(x) >= 1e6):
        return f"{x:.4e}"
    return f"{x:.6g}"

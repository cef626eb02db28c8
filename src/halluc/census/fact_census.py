"""The result of counting facts: frequency-of-frequencies, N, the singleton rate, Good–Turing.

Every backend returns the same exact integers: ``F_r`` (distinct facts seen exactly r times
without IDK), ``N`` (ALL examples, IDK ones included) and the number of IDK examples. The rest
is derived here from those numbers, the Good–Turing quantities by ``halluc.theory.goodturing``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from halluc.census.buckets import DEFAULT_EDGES, Bucket, make_buckets
from halluc.errors import InputError
from halluc.render.tables import OutputFormat, fmt_num, render_text_table
from halluc.theory.facts import SingletonStats
from halluc.theory.goodturing import good_turing_summary


@dataclass(frozen=True)
class FactCensus:
    """Exact counts of one mention table. ``fof`` maps r >= 1 to F_r."""

    fof: dict[int, int]
    n: int
    n_idk: int = 0
    parameters: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        answered = sum(r * f for r, f in self.fof.items())
        if answered + self.n_idk != self.n:
            raise ValueError(
                f"inconsistent counts: sum r*F_r = {answered}, IDK = {self.n_idk}, N = {self.n}"
            )

    @classmethod
    def from_rows(
        cls, rows: Mapping[int, int], n: int, n_idk: int, parameters: Mapping[str, Any]
    ) -> FactCensus:
        fof = {int(r): int(f) for r, f in sorted(rows.items()) if r > 0 and f > 0}
        return cls(fof, int(n), int(n_idk), dict(parameters))

    @property
    def n_answered(self) -> int:
        """Examples with an answer (not IDK): Σ r·F_r."""
        return self.n - self.n_idk

    @property
    def distinct(self) -> int:
        """Distinct facts seen at least once with an answer."""
        return sum(self.fof.values())

    @property
    def singletons(self) -> int:
        return self.fof.get(1, 0)

    @property
    def singleton_rate(self) -> float:
        """Definition 2: facts seen exactly once without IDK, over N (IDK examples included)."""
        return self.singletons / self.n if self.n else float("nan")

    def singleton_stats(self) -> SingletonStats:
        return SingletonStats(
            self.singleton_rate, self.n, self.singletons, self.distinct, self.n_idk
        )

    def good_turing(self) -> dict[str, float]:
        """Good–Turing quantities of the answered examples (empty when there are none)."""
        if not self.fof:
            return {}
        return good_turing_summary(self.fof)

    def by_bucket(self, edges: tuple[int, ...] = DEFAULT_EDGES) -> list[dict[str, Any]]:
        """Facts and mentions per count bucket (1, 2–3, 4–10, ...; bucket 0 is always empty)."""
        out = []
        buckets: list[Bucket] = make_buckets(edges)
        for b in buckets:
            if b.hi is not None and b.hi < 1:
                continue
            facts = sum(f for r, f in self.fof.items() if b.contains(r))
            mentions = sum(r * f for r, f in self.fof.items() if b.contains(r))
            out.append({**b.as_dict(), "facts": facts, "mentions": mentions})
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "parameters": self.parameters,
            "n": self.n,
            "n_idk": self.n_idk,
            "n_answered": self.n_answered,
            "distinct": self.distinct,
            "singletons": self.singletons,
            "singleton_rate": self.singleton_rate,
            "singleton_rate_definition": (
                "facts seen exactly once without IDK / N, N counting all examples incl. IDK"
            ),
            "good_turing": self.good_turing(),
            "by_bucket": self.by_bucket(),
            "frequency_of_frequencies": [{"r": r, "f": f} for r, f in self.fof.items()],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str | None = None) -> FactCensus:
        """Read back :meth:`to_dict` (e.g. a saved ``census facts`` result)."""
        try:
            rows = {int(e["r"]): int(e["f"]) for e in data["frequency_of_frequencies"]}
            return cls.from_rows(
                rows, int(data["n"]), int(data.get("n_idk", 0)), data.get("parameters", {})
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not a fact census result ({exc})", path=path) from None

    def render(self, fmt: OutputFormat = OutputFormat.TABLE, top: int = 15) -> str:
        gt = self.good_turing()
        summary_rows = [
            ["N (all examples)", f"{self.n:,}"],
            ["IDK examples", f"{self.n_idk:,}"],
            ["distinct facts", f"{self.distinct:,}"],
            ["singletons F_1", f"{self.singletons:,}"],
            ["singleton rate F_1/N", fmt_num(self.singleton_rate, 6)],
        ]
        if gt:
            summary_rows += [
                ["missing mass F_1/Σ r·F_r", fmt_num(gt["missing_mass"], 6)],
                ["Esty 95% interval", f"[{gt['esty_lo']:.6f}, {gt['esty_hi']:.6f}]"],
                ["Chao1 distinct facts", f"{gt['chao1']:,.1f}"],
            ]
        text = render_text_table(["quantity", "value"], summary_rows, fmt, "Fact census", 1)
        fof_rows = [[str(r), f"{f:,}"] for r, f in list(self.fof.items())[:top]]
        if len(self.fof) > top:
            rest = list(self.fof.items())[top:]
            fof_rows.append([f"{rest[0][0]}..{rest[-1][0]}", f"{sum(f for _, f in rest):,}"])
        text += render_text_table(["r", "F_r"], fof_rows, fmt, "Frequency of frequencies", 1)
        bucket_rows = [
            [str(b["bucket"]), f"{b['facts']:,}", f"{b['mentions']:,}"] for b in self.by_bucket()
        ]
        text += render_text_table(
            ["mentions per fact", "facts", "mentions"], bucket_rows, fmt, "By bucket", 1
        )
        return text

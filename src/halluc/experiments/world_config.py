"""What determines a synthetic world: its settings, and how N mentions fall on its people.

:class:`WorldConfig` fixes a world (the same config and seed give the same world); when it asks
for a singleton rate instead of a population size, :class:`Mentions` solves for the population
whose expected singleton rate reaches it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from halluc.errors import InputError
from halluc.experiments.text import TEMPLATES

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class WorldConfig:
    """Everything that determines a world; the same config and seed give the same world."""

    n_examples: int = 12_000
    """N, the number of training examples, IDK ones included."""
    n_people: int | None = None
    """Population size; ``None`` means: solve it from ``target_sr``."""
    target_sr: float | None = 0.3
    """Expected singleton rate to aim for when ``n_people`` is not given."""
    zipf_exponent: float = 0.5
    """mu(c) is proportional to rank**-zipf_exponent; larger is more heavy-headed."""
    unknown_fraction: float = 0.1
    """Share of people whose birthday is undocumented (alpha_c = 0)."""
    answer_prob: float = 1.0
    """alpha_c of the other people: the chance that a mention states the birthday."""
    n_templates: int = len(TEMPLATES)
    """How many of the sentence templates the corpus uses (the first is the measured one)."""
    seed: int = 0

    def __post_init__(self) -> None:
        if self.n_examples < 1:
            raise InputError(f"must be >= 1, got {self.n_examples}", field="n_examples")
        if self.n_people is None and self.target_sr is None:
            raise InputError("give n_people or target_sr", field="target_sr")
        if self.n_people is not None and self.n_people < 1:
            raise InputError(f"must be >= 1, got {self.n_people}", field="n_people")
        if self.target_sr is not None and not 0.0 < self.target_sr < 1.0:
            raise InputError(f"must be in (0, 1), got {self.target_sr}", field="target_sr")
        if not self.zipf_exponent >= 0.0:
            raise InputError(f"must be >= 0, got {self.zipf_exponent}", field="zipf_exponent")
        if not 0.0 <= self.unknown_fraction < 1.0:
            raise InputError(
                f"must be in [0, 1), got {self.unknown_fraction}", field="unknown_fraction"
            )
        if not 0.0 < self.answer_prob <= 1.0:
            raise InputError(f"must be in (0, 1], got {self.answer_prob}", field="answer_prob")
        if not 1 <= self.n_templates <= len(TEMPLATES):
            raise InputError(
                f"must be in 1..{len(TEMPLATES)}, got {self.n_templates}", field="n_templates"
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorldConfig:
        known = set(cls.__dataclass_fields__)
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown world settings: {sorted(unknown)}")
        return cls(**data)

    @property
    def mentions(self) -> Mentions:
        """How the N examples fall on people, whatever the population size."""
        return Mentions(
            self.n_examples,
            self.zipf_exponent,
            answering_fraction=1.0 - self.unknown_fraction,
            answer_prob=self.answer_prob,
        )

    def resolved_population(self) -> int:
        if self.n_people is not None:
            return self.n_people
        assert self.target_sr is not None
        return self.mentions.solve_population(self.target_sr)


def zipf_weights(n_people: int, exponent: float) -> FloatArray:
    ranks = np.arange(1, n_people + 1, dtype=np.float64)
    w = ranks**-exponent
    out: FloatArray = w / w.sum()
    return out


@dataclass(frozen=True, slots=True)
class Mentions:
    """N mentions drawn by Zipf popularity; a share of people has a documented birthday, and a
    mention of one of them states it with probability ``answer_prob``."""

    n_examples: int
    exponent: float
    answering_fraction: float = 1.0
    answer_prob: float = 1.0

    def expected_singleton_rate(self, n_people: int) -> float:
        """E[sr] over the world's randomness: each person is a singleton with probability
        N q (1 - q)^(N - 1), q = mu(c) alpha_c, and alpha_c = answer_prob for a share
        ``answering_fraction`` of people (0 for the rest)."""
        mu = zipf_weights(n_people, self.exponent)
        q = mu * self.answer_prob
        n = float(self.n_examples)
        per_person = n * q * np.exp((n - 1.0) * np.log1p(-np.minimum(q, 1.0 - 1e-15)))
        return float(self.answering_fraction * per_person.sum() / n)

    def solve_population(self, target_sr: float, *, max_people: int = 50_000_000) -> int:
        """The smallest population whose expected singleton rate reaches ``target_sr``.

        The expected rate grows with the population (more people share the same N mentions)
        up to ``answering_fraction * answer_prob``-ish limits; an unreachable target is an
        error.
        """
        f = self.expected_singleton_rate
        lo, hi = 1, 2
        while f(hi) < target_sr:
            lo, hi = hi, hi * 2
            if hi > max_people:
                raise InputError(
                    f"singleton rate {target_sr} is out of reach with N={self.n_examples}, "
                    f"exponent {self.exponent}, {self.answering_fraction:.0%} of people "
                    f"answering (at most {f(max_people):.3f} with {max_people} people)",
                    field="target_sr",
                )
        while hi - lo > max(1, lo // 1000):
            mid = (lo + hi) // 2
            if f(mid) < target_sr:
                lo = mid
            else:
                hi = mid
        return hi

"""A trained model measured against its world, as typed results with ``to_dict``/``render``.

:func:`halluc.experiments.measure.summarize` computes a :class:`Measurement`; the sweep saves
it with where it came from (:class:`MeasuredModel`) and reads it back on resume, so each type
here reads back exactly what its ``to_dict`` wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import orjson

from halluc.experiments.train import TrainingRecord
from halluc.experiments.world import WorldConfig, WorldStats
from halluc.render.tables import OutputFormat, fmt_num, render_text_table
from halluc.theory.bound import Bound
from halluc.theory.facts import SingletonStats


@dataclass(frozen=True, slots=True)
class Masses:
    """Probability mass of a model's answers, averaged over people with some weights."""

    err: float
    """Wrong dates plus nonsense."""
    acc: float
    idk: float
    other: float
    """Nonsense alone (outside the dates and IDK)."""
    wrong: float
    """Wrong dates alone."""

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class BucketRow:
    """The people whose birthday was stated a given number of times, and the model on them."""

    bucket: str
    people: int
    mass: float
    """Their share of the prompt distribution mu."""
    err: float
    acc: float
    idk: float
    other: float
    wrong: float
    err_people_mean: float
    uniform_guess_err: float
    """364/365 x (1 - IDK mass): the error of a uniform guess that abstains as often."""
    greedy_abstain: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BucketRow:
        """JSON has no NaN: the rates of an empty bucket come back from null."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            v = data[f.name]
            values[f.name] = float("nan") if v is None else v
        return cls(**values)


@dataclass(frozen=True, slots=True)
class IIVTerms:
    """Theorem 1's quantities at the global threshold 1/364, computed exactly."""

    delta: float
    p_hat_a: float
    p_a: float
    err_iiv: float
    false_positive: float
    false_negative: float

    def to_dict(self) -> dict[str, float]:
        return {
            "delta": self.delta,
            "p_hat_A": self.p_hat_a,
            "p_A": self.p_a,
            "err_iiv": self.err_iiv,
            "iiv_false_positive": self.false_positive,
            "iiv_false_negative": self.false_negative,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IIVTerms:
        keys = ("delta", "p_hat_A", "p_A", "err_iiv", "iiv_false_positive", "iiv_false_negative")
        return cls(*(float(data[k]) for k in keys))


BUCKET_HEADERS = (
    "model",
    "stated",
    "people",
    "μ mass",
    "err",
    "acc",
    "IDK",
    "other",
    "364/365·(1−IDK)",
)


@dataclass(frozen=True)
class Measurement:
    """Everything measured about one model on its world (see :mod:`halluc.experiments.measure`)."""

    masses: Masses
    err_on_training_mix: float
    singletons: SingletonStats
    missing_mass: float
    calibrated_reference_err: float
    iiv: IIVTerms
    theorem1: Bound
    theorem1_holds: bool
    theorem2_lower: Bound
    theorem2_upper: Bound
    theorem2_lower_no_slack: float
    theorem2_upper_no_slack: float
    """Theorem 2's band without its finite-N slack: where it sits as N grows."""
    buckets: tuple[BucketRow, ...]

    @property
    def err(self) -> float:
        return self.masses.err

    @property
    def sr(self) -> float:
        return self.singletons.sr

    def bucket(self, label: str) -> BucketRow:
        return next(b for b in self.buckets if b.bucket == label)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.masses.to_dict(),
            "err_on_training_mix": self.err_on_training_mix,
            "sr": self.singletons.sr,
            "singletons": self.singletons.to_dict(),
            "missing_mass": self.missing_mass,
            "calibrated_reference_err": self.calibrated_reference_err,
            **self.iiv.to_dict(),
            "theorem1": self.theorem1.to_dict(),
            "theorem1_holds": self.theorem1_holds,
            "theorem2_lower": self.theorem2_lower.to_dict(),
            "theorem2_upper": self.theorem2_upper.to_dict(),
            "theorem2_lower_no_slack": self.theorem2_lower_no_slack,
            "theorem2_upper_no_slack": self.theorem2_upper_no_slack,
            "buckets": [b.to_dict() for b in self.buckets],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Measurement:
        return cls(
            masses=Masses(*(float(data[f.name]) for f in fields(Masses))),
            err_on_training_mix=float(data["err_on_training_mix"]),
            singletons=SingletonStats.from_dict(data["singletons"]),
            missing_mass=float(data["missing_mass"]),
            calibrated_reference_err=float(data["calibrated_reference_err"]),
            iiv=IIVTerms.from_dict(data),
            theorem1=Bound.from_dict(data["theorem1"]),
            theorem1_holds=bool(data["theorem1_holds"]),
            theorem2_lower=Bound.from_dict(data["theorem2_lower"]),
            theorem2_upper=Bound.from_dict(data["theorem2_upper"]),
            theorem2_lower_no_slack=float(data["theorem2_lower_no_slack"]),
            theorem2_upper_no_slack=float(data["theorem2_upper_no_slack"]),
            buckets=tuple(BucketRow.from_dict(b) for b in data["buckets"]),
        )

    def render(self, name: str, fmt: OutputFormat) -> str:
        """The headline numbers, then the same by times stated."""
        if fmt is OutputFormat.JSON:
            return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"
        head = [[k, fmt_num(v, 4)] for k, v in self._headline()]
        a = render_text_table(["quantity", "value"], head, fmt, title=name, numeric_from=1)
        b = render_text_table(
            BUCKET_HEADERS,
            bucket_rows([(name, self)]),
            fmt,
            title="by times stated",
            numeric_from=2,
        )
        return a + "\n" + b

    def _headline(self) -> list[tuple[str, float | int]]:
        return [
            ("N", self.singletons.n),
            ("singleton rate sr", self.sr),
            ("missing mass MM", self.missing_mass),
            ("err (μ-weighted)", self.err),
            ("  of which nonsense", self.masses.other),
            ("acc", self.masses.acc),
            ("IDK mass", self.masses.idk),
            ("err on the training prompt mix", self.err_on_training_mix),
            ("δ (Theorem 1 at 1/364)", self.iiv.delta),
            ("err_iiv", self.iiv.err_iiv),
            ("Theorem 1 lower bound", self.theorem1.value),
            ("Theorem 2 lower bound (99%)", self.theorem2_lower.value),
            ("Theorem 2 upper bound (99%, calibrated alg.)", self.theorem2_upper.value),
            ("calibrated algorithm's err on this world", self.calibrated_reference_err),
        ]


def bucket_rows(measurements: Sequence[tuple[str, Measurement]]) -> list[list[str]]:
    """One table row per (model, bucket)."""
    return [
        [
            name,
            b.bucket,
            str(b.people),
            fmt_num(b.mass),
            fmt_num(b.err),
            fmt_num(b.acc),
            fmt_num(b.idk),
            fmt_num(b.other, 4),
            fmt_num(b.uniform_guess_err),
        ]
        for name, m in measurements
        for b in m.buckets
    ]


@dataclass(frozen=True)
class MeasuredModel:
    """A measurement saved with the world and the training it came from."""

    measurement: Measurement
    seconds: float
    world: WorldConfig
    world_stats: WorldStats
    training: TrainingRecord
    role: str | None = None
    """In a sweep: "main", or "poor" for the model too small to memorise."""

    def to_dict(self) -> dict[str, Any]:
        out = {
            **self.measurement.to_dict(),
            "measure_seconds": self.seconds,
            "world": {"config": self.world.to_dict(), "stats": self.world_stats.to_dict()},
            "training": self.training.to_dict(steps=False),
        }
        if self.role is not None:
            out["role"] = self.role
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MeasuredModel:
        return cls(
            measurement=Measurement.from_dict(data),
            seconds=float(data["measure_seconds"]),
            world=WorldConfig.from_dict(data["world"]["config"]),
            world_stats=WorldStats.from_dict(data["world"]["stats"]),
            training=TrainingRecord.from_dict(data["training"]),
            role=data.get("role"),
        )

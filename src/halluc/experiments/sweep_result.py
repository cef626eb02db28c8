"""What the sweep found: one typed row per (world, model), with ``to_dict``/``render``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from halluc.experiments.measurement import MeasuredModel
from halluc.render.tables import OutputFormat, fmt_num, render_text_table


@dataclass(frozen=True, slots=True)
class SweepRow:
    """The flat numbers of one measured model that the table, plots and summary use."""

    world: str
    model: str
    role: str
    seed: int
    sr_target: float
    sr: float
    N: int
    people: int
    missing_mass: float
    err: float
    acc: float
    idk: float
    other: float
    err_on_training_mix: float
    calibrated_reference_err: float
    delta: float
    err_iiv: float
    theorem1_lower: float
    theorem1_holds: bool
    lower: float
    upper: float
    lower_no_slack: float
    upper_no_slack: float
    err_seen_once: float
    uniform_guess_seen_once: float
    err_seen_6plus: float
    err_unseen: float
    final_loss: float | None
    converged: bool
    tokens_per_second: float
    train_seconds: float
    parameters: int

    @classmethod
    def of(
        cls, world: str, model: str, role: str, seed: int, sr_target: float, measured: MeasuredModel
    ) -> SweepRow:
        m, train = measured.measurement, measured.training
        once, often = m.bucket("1"), m.bucket("6+")
        return cls(
            world=world,
            model=model,
            role=role,
            seed=seed,
            sr_target=sr_target,
            sr=m.sr,
            N=m.singletons.n,
            people=measured.world_stats.n_people,
            missing_mass=m.missing_mass,
            err=m.err,
            acc=m.masses.acc,
            idk=m.masses.idk,
            other=m.masses.other,
            err_on_training_mix=m.err_on_training_mix,
            calibrated_reference_err=m.calibrated_reference_err,
            delta=m.iiv.delta,
            err_iiv=m.iiv.err_iiv,
            theorem1_lower=m.theorem1.value,
            theorem1_holds=m.theorem1_holds,
            lower=m.theorem2_lower.value,
            upper=m.theorem2_upper.value,
            lower_no_slack=m.theorem2_lower_no_slack,
            upper_no_slack=m.theorem2_upper_no_slack,
            err_seen_once=once.err,
            uniform_guess_seen_once=once.uniform_guess_err,
            err_seen_6plus=often.err,
            err_unseen=m.bucket("unseen").err,
            final_loss=train.result.final_loss,
            converged=train.result.converged,
            tokens_per_second=train.result.tokens_per_second,
            train_seconds=train.result.seconds,
            parameters=train.parameters,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def cells(self) -> list[str]:
        return [
            self.world,
            self.model + (" (poor)" if self.role == "poor" else ""),
            str(self.N),
            fmt_num(self.sr),
            fmt_num(self.missing_mass),
            fmt_num(self.err),
            fmt_num(self.lower),
            fmt_num(self.upper),
            fmt_num(self.calibrated_reference_err),
            fmt_num(self.err_on_training_mix),
            fmt_num(self.acc),
            fmt_num(self.idk),
            fmt_num(self.delta),
            f"{fmt_num(self.err_seen_once)} [{fmt_num(self.uniform_guess_seen_once)}]",
            fmt_num(self.err_seen_6plus),
            fmt_num(self.final_loss),
            f"{self.tokens_per_second:,.0f}",
        ]


SWEEP_HEADERS = (
    "world",
    "model",
    "N",
    "sr",
    "MM",
    "err",
    "T2 lower",
    "T2 upper",
    "calib. alg.",
    "err (train mix)",
    "acc",
    "IDK",
    "δ",
    "err seen 1× [guess]",
    "err seen 6+×",
    "loss",
    "tok/s",
)

SWEEP_NOTES = (
    "err = μ-weighted mass on wrong dates plus nonsense, over every person of the world "
    "(those never mentioned included), computed exactly over the 365 dates, IDK and the rest.",
    "T2 lower = sr − 2/364 − (35 + 6 ln N)/√N − δ (any algorithm), T2 upper = "
    "sr − sr/365 + 13/√N (the calibrated algorithm), both with probability ≥ 99%; at CPU "
    "sizes the √N slack dominates. 'calib. alg.' is the exact error of Theorem 2's calibrated "
    "algorithm on the same world; MM is the missing mass, which sr estimates (Good–Turing).",
    "err (train mix) weights each person by how often the corpus mentions them (no unseen people).",
    "err seen 1×: error mass on facts stated exactly once, against the uniform-guess level "
    "364/365 × (1 − IDK mass) of the same people.",
)


def sweep_table(rows: Sequence[SweepRow], fmt: OutputFormat, title: str) -> str:
    """Main models by singleton rate and seed, then the poor ones."""
    ordered = sorted(rows, key=lambda r: (r.role != "main", r.sr_target, r.seed))
    cells = [r.cells() for r in ordered]
    return render_text_table(SWEEP_HEADERS, cells, fmt, title=title, numeric_from=2, width=260)


@dataclass(slots=True)
class SweepResult:
    """Every (world, model) of a sweep, in the order they ran, and how long it all took."""

    folder: Path
    rows: list[SweepRow] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> list[dict[str, Any]]:
        """The rows, as ``summary.json`` holds them under ``rows``."""
        return [r.to_dict() for r in self.rows]

    def render(self, fmt: OutputFormat) -> str:
        if fmt is OutputFormat.JSON:
            return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"
        return sweep_table(self.rows, fmt, "err against sr (Theorem 2)")

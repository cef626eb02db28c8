"""The sweep: worlds of increasing singleton rate, one model each, err against sr.

For every target singleton rate a world is drawn (per seed) and a model trained on it; the
model's exact error is set against the world's measured singleton rate and the Theorem 2 band.
The paper's "poor model" side is the same world with a model too small to memorise.
Results: ``summary.json`` (every number), ``table.md``, ``err_vs_sr.png``, ``buckets.png`` and
``loss.png`` in the run folder, plus each world, checkpoint and measurement in sub-folders.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from halluc.experiments.model import ModelSpec
from halluc.experiments.pipeline import VERSIONED, Log, jsonable, measure_into, train_in, world_in
from halluc.experiments.train import TrainConfig
from halluc.experiments.world import WorldConfig
from halluc.log.runs import RunFolder, package_versions


@dataclass(frozen=True, slots=True)
class SweepConfig:
    world: WorldConfig
    model: ModelSpec
    poor_model: ModelSpec | None
    train: TrainConfig
    srs: tuple[float, ...]
    poor_sr: float
    seeds: tuple[int, ...] = (0,)
    preset: str = "cpu"
    device: str = "cpu"
    threads: int | None = None

    def __post_init__(self) -> None:
        if len(self.srs) < 1:
            raise ValueError("no singleton rates to sweep")
        if not self.seeds:
            raise ValueError("no seeds")
        if self.poor_model is not None and self.poor_sr not in self.srs:
            raise ValueError(
                f"the poor model's world (sr {self.poor_sr}) must be one of {self.srs}"
            )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["kind"] = "simulate-sweep"
        return d


@dataclass(slots=True)
class Unit:
    """One (world, model) pair of the sweep."""

    sr_target: float
    seed: int
    spec: ModelSpec
    role: str
    """"main" or "poor"."""

    @property
    def world_name(self) -> str:
        return f"sr{self.sr_target:.2f}-s{self.seed}"

    @property
    def name(self) -> str:
        return f"{self.world_name}-{self.spec.label}"


def units(cfg: SweepConfig) -> list[Unit]:
    out = [Unit(sr, seed, cfg.model, "main") for seed in cfg.seeds for sr in cfg.srs]
    if cfg.poor_model is not None:
        out += [Unit(cfg.poor_sr, seed, cfg.poor_model, "poor") for seed in cfg.seeds]
    return out


@dataclass(slots=True)
class SweepResult:
    folder: Path
    rows: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


def row_of(unit: Unit, m: dict[str, Any]) -> dict[str, Any]:
    """The flat numbers of one measurement that the table and plots use."""
    res = m["training"]["result"]
    buckets = {b["bucket"]: b for b in m["buckets"]}
    return {
        "world": unit.world_name,
        "model": unit.spec.label,
        "role": unit.role,
        "seed": unit.seed,
        "sr_target": unit.sr_target,
        "sr": m["sr"],
        "N": m["singletons"]["n"],
        "people": m["world"]["stats"]["n_people"],
        "missing_mass": m["missing_mass"],
        "err": m["err"],
        "acc": m["acc"],
        "idk": m["idk"],
        "other": m["other"],
        "err_on_training_mix": m["err_on_training_mix"],
        "calibrated_reference_err": m["calibrated_reference_err"],
        "delta": m["delta"],
        "err_iiv": m["err_iiv"],
        "theorem1_lower": m["theorem1"]["value"],
        "theorem1_holds": m["theorem1_holds"],
        "lower": m["theorem2_lower"]["value"],
        "upper": m["theorem2_upper"]["value"],
        "lower_no_slack": m["theorem2_lower_no_slack"],
        "upper_no_slack": m["theorem2_upper_no_slack"],
        "err_seen_once": buckets["1"]["err"],
        "uniform_guess_seen_once": buckets["1"]["uniform_guess_err"],
        "err_seen_6plus": buckets["6+"]["err"],
        "err_unseen": buckets["unseen"]["err"],
        "final_loss": res["final_loss"],
        "converged": res["converged"],
        "tokens_per_second": res["tokens_per_second"],
        "train_seconds": res["seconds"],
        "parameters": m["training"]["parameters"],
    }


def run_sweep(folder: str | Path, cfg: SweepConfig, *, log: Log) -> SweepResult:
    """Run (or resume) the sweep in ``folder``."""
    from halluc.experiments.report import write_sweep_outputs

    start = time.perf_counter()
    run = RunFolder.create(
        folder,
        {**jsonable(cfg.to_dict()), "versions": package_versions(VERSIONED)},
        resume_keys=("kind", "world", "model", "poor_model", "train", "srs", "seeds"),
    )
    result = SweepResult(run.path)
    measurements: dict[str, dict[str, Any]] = {}
    todo = units(cfg)
    for i, unit in enumerate(todo, 1):
        log(f"[{i}/{len(todo)}] {unit.name} ({unit.role})")
        wcfg = replace(cfg.world, target_sr=unit.sr_target, n_people=None, seed=unit.seed)
        world = world_in(run.path / "worlds" / unit.world_name, wcfg, log)
        tcfg = replace(cfg.train, seed=unit.seed)
        trained = train_in(
            run.path / "models" / unit.name, world, unit.spec, tcfg, device=cfg.device, log=log
        )
        m = measure_into(
            run.path / "measurements" / f"{unit.name}.json",
            world,
            trained,
            device=cfg.device,
            extra={"role": unit.role},
            log=log,
        )
        measurements[unit.name] = m
        result.rows.append(row_of(unit, m))
    result.seconds = time.perf_counter() - start
    write_sweep_outputs(run, cfg, result, measurements)
    return result

"""The sweep: worlds of increasing singleton rate, one model each, err against sr.

For every target singleton rate a world is drawn (per seed) and a model trained on it; the
model's exact error is set against the world's measured singleton rate and the Theorem 2 band.
The paper's "poor model" side is the same world with a model too small to memorise.
Results: ``summary.json`` (every number), ``table.md``, ``err_vs_sr.png``, ``buckets.png`` and
``loss.png`` in the run folder, plus each world, checkpoint and measurement in sub-folders.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from halluc.errors import InputError
from halluc.experiments.measurement import BUCKET_HEADERS, MeasuredModel, bucket_rows
from halluc.experiments.model import ModelSpec
from halluc.experiments.pipeline import (
    VERSIONED,
    Log,
    jsonable,
    measure_into,
    read_training_record,
    train_in,
    world_in,
)
from halluc.experiments.sweep_result import SWEEP_NOTES, SweepResult, SweepRow, sweep_table
from halluc.experiments.train import TrainConfig
from halluc.experiments.world import WorldConfig
from halluc.log.runs import RunFolder, package_versions
from halluc.render.tables import OutputFormat, render_text_table


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
            raise InputError("no singleton rates to sweep", field="srs")
        if not self.seeds:
            raise InputError("no seeds", field="seeds")
        if self.poor_model is not None and self.poor_sr not in self.srs:
            raise InputError(
                f"the poor model's world (sr {self.poor_sr}) must be one of {self.srs}",
                field="poor_sr",
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


def run_sweep(folder: str | Path, cfg: SweepConfig, *, log: Log) -> SweepResult:
    """Run (or resume) the sweep in ``folder``."""
    start = time.perf_counter()
    run = RunFolder.create(
        folder,
        {**jsonable(cfg.to_dict()), "versions": package_versions(VERSIONED)},
        resume_keys=("kind", "world", "model", "poor_model", "train", "srs", "seeds"),
    )
    result = SweepResult(run.path)
    measured: dict[str, MeasuredModel] = {}
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
            role=unit.role,
            log=log,
        )
        measured[unit.name] = m
        result.rows.append(
            SweepRow.of(unit.world_name, unit.spec.label, unit.role, unit.seed, unit.sr_target, m)
        )
    result.seconds = time.perf_counter() - start
    write_sweep_outputs(run, cfg, result, measured)
    return result


def write_sweep_outputs(
    run: RunFolder,
    cfg: SweepConfig,
    result: SweepResult,
    measured: dict[str, MeasuredModel],
) -> None:
    """table.md, err_vs_sr.png, buckets.png, loss.png and summary.json in the run folder."""
    from halluc.experiments.plots import plot_buckets, plot_err_vs_sr, plot_losses

    title = f"halluc simulate sweep ({cfg.preset}): err against singleton rate"
    main = [(n, m.measurement) for n, m in measured.items() if m.role == "main"]
    poor = [(n, m.measurement) for n, m in measured.items() if m.role == "poor"]
    md = [
        f"# {title}\n",
        sweep_table(result.rows, OutputFormat.MARKDOWN, "err against sr, with Theorem 2's bounds"),
        "",
        *[f"- {n}" for n in SWEEP_NOTES],
        "",
        render_text_table(
            BUCKET_HEADERS,
            bucket_rows(main + poor),
            OutputFormat.MARKDOWN,
            title="By how often the birthday was stated in training",
        ),
        f"\nTotal wall time: {result.seconds:.0f} s.\n",
    ]
    (run.path / "table.md").write_text("\n".join(md), encoding="utf-8")
    plot_err_vs_sr(result.rows, run.path / "err_vs_sr.png", title)
    shown = main[:: max(1, len(main) // 5)] + poor[:1]
    plot_buckets(shown, run.path / "buckets.png", "Error mass by how often the fact was stated")
    curves = []
    for name in measured:  # per-step losses are kept only in each model's train.json
        record = read_training_record(run.path / "models" / name)
        curves.append((name, record.step_loss if record else ()))
    plot_losses(curves, run.path / "loss.png", "Training loss")
    run.write_summary(
        {
            "kind": "simulate-sweep",
            "rows": result.to_dict(),
            "seconds": result.seconds,
            "notes": list(SWEEP_NOTES),
            "files": ["table.md", "err_vs_sr.png", "buckets.png", "loss.png"],
        }
    )

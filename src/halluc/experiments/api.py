"""The simulations' entry points: one function per ``halluc simulate`` command.

Each takes the settings a user can change (``None``: the preset's value; ``scale`` picks the
GPU-sized preset), prepares torch (threads, device, bfloat16 where the hardware has it), runs,
writes its files and returns a typed result with ``render``. Errors name these parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from halluc.errors import InputError
from halluc.experiments.incentives import IncentivesConfig, run_incentives
from halluc.experiments.incentives_result import IncentivesResult
from halluc.experiments.measure import greedy_records, measure_people, summarize
from halluc.experiments.measurement import Measurement
from halluc.experiments.model import ModelSpec, load_checkpoint, prepare_torch
from halluc.experiments.pipeline import TRAIN_JSON, Log, quiet, train_in
from halluc.experiments.posttrain import RLConfig
from halluc.experiments.presets import CPU, Preset
from halluc.experiments.sweep import SweepConfig, run_sweep
from halluc.experiments.sweep_result import SweepResult
from halluc.experiments.train import TrainConfig, TrainingRecord
from halluc.experiments.world import WORLD_JSON, World, WorldConfig, WorldStats, build_world
from halluc.log.jsonl import write_json_atomic
from halluc.log.runs import RunFolder
from halluc.render.tables import OutputFormat


def create_world(out: str | Path, config: WorldConfig) -> WorldStats:
    """Draw a world and save it in ``out`` (world.json, people, examples, corpus.txt).

    ``config`` is usually a preset's world with some settings changed
    (:meth:`~halluc.experiments.presets.Preset.world_config`).
    """
    if (Path(out) / WORLD_JSON).exists():
        raise InputError("already holds a world; choose another folder", path=out)
    world = build_world(config)
    world.save(out)
    return world.stats()


def train_model(
    world_dir: str | Path,
    out: str | Path,
    spec: ModelSpec,
    config: TrainConfig,
    *,
    threads: int | None = None,
    bf16: bool | None = None,
    log: Log = quiet,
) -> TrainingRecord:
    """Pre-train a model on a world's text; save the checkpoint, train.json and loss.png.

    ``bf16`` (None: where the hardware has bf16 units) replaces ``config.bf16``.
    """
    from halluc.experiments.plots import plot_losses

    folder = Path(out)
    if (folder / TRAIN_JSON).exists():
        raise InputError("already holds a trained model; choose another folder", path=folder)
    world = World.load(world_dir)
    torch_setup = prepare_torch(threads, bf16)
    config = replace(config, bf16=torch_setup.bf16)
    trained = train_in(folder, world, spec, config, device=torch_setup.device, log=log)
    assert trained.record is not None
    plot_losses([(spec.label, trained.record.step_loss)], folder / "loss.png", "Training loss")
    return trained.record


@dataclass(frozen=True)
class CheckpointMeasurement:
    """A checkpoint measured on its world, and the run folder that holds the results."""

    folder: Path
    name: str
    measurement: Measurement

    def render(self, fmt: OutputFormat) -> str:
        return self.measurement.render(self.name, fmt)


def measure_model(
    world_dir: str | Path,
    model_dir: str | Path,
    *,
    out: str | Path | None = None,
    threads: int | None = None,
) -> CheckpointMeasurement:
    """Measure a checkpoint exactly on every person of its world.

    Writes measurement.json, table.md, buckets.png, summary.json and a records.jsonl of greedy
    answers (kept when the run folder is reused) into ``out`` (default MODEL/measurement).
    """
    from halluc.experiments.plots import plot_buckets

    world = World.load(world_dir)
    device = prepare_torch(threads, bf16=False).device
    model, tok = load_checkpoint(model_dir, device)
    name = Path(model_dir).name
    run = RunFolder.create(
        Path(model_dir) / "measurement" if out is None else out,
        {"kind": "simulate-measure", "world": str(world_dir), "model": str(model_dir)},
        resume_keys=("kind", "world", "model"),
    )
    scores = measure_people(model, tok, world, device=device)
    m = summarize(world, scores)
    write_json_atomic(run.path / "measurement.json", m.to_dict())
    (run.path / "table.md").write_text(m.render(name, OutputFormat.MARKDOWN), encoding="utf-8")
    plot_buckets([(name, m)], run.path / "buckets.png", f"{name}: error mass by times stated")
    if not run.records_path.stat().st_size:
        run.append(greedy_records(world, scores, name))
    run.write_summary(m.to_dict())
    return CheckpointMeasurement(run.path, name, m)


def sweep(
    out: str | Path,
    p: Preset = CPU,
    *,
    srs: Sequence[float] | None = None,
    seeds: Sequence[int] = (0,),
    world: WorldConfig | None = None,
    model: ModelSpec | None = None,
    poor_model: ModelSpec | None = None,
    with_poor_model: bool = True,
    poor_sr: float | None = None,
    train: TrainConfig | None = None,
    threads: int | None = None,
    bf16: bool | None = None,
    log: Log = quiet,
) -> SweepResult:
    """Worlds of increasing singleton rate, one model each (and a too-small one): err vs sr.

    Settings left as None are the preset's; ``poor_sr`` defaults to the preset's when it is
    among ``srs``, else the middle rate. ``bf16`` (None: where the hardware has bf16 units)
    replaces the training config's.
    """
    sr_list = p.srs if srs is None else tuple(srs)
    if poor_sr is None:
        poor_sr = p.poor_sr if p.poor_sr in sr_list else sr_list[len(sr_list) // 2]
    if with_poor_model and poor_model is None:
        poor_model = p.poor_model
    torch_setup = prepare_torch(threads, bf16)
    cfg = SweepConfig(
        world=p.world if world is None else world,
        model=p.model if model is None else model,
        poor_model=poor_model if with_poor_model else None,
        train=replace(p.train if train is None else train, bf16=torch_setup.bf16),
        srs=sr_list,
        poor_sr=poor_sr,
        seeds=tuple(seeds),
        preset=p.name,
        device=torch_setup.device,
        threads=threads,
    )
    return run_sweep(out, cfg, log=log)


def incentives(
    out: str | Path,
    p: Preset = CPU,
    *,
    targets: Sequence[float] = (0.0, 0.5, 0.75),
    seeds: Sequence[int] = (0, 1, 2),
    base_world: str | Path | None = None,
    base_model: str | Path | None = None,
    world: WorldConfig | None = None,
    rl: RLConfig | None = None,
    threads: int | None = None,
    bf16: bool | None = None,
    log: Log = quiet,
) -> IncentivesResult:
    """Post-train under binary grading and under confidence targets; compare abstention.

    Starts from ``base_model`` trained on ``base_world`` (give both), or draws ``world`` (the
    preset's if None) and pre-trains the preset's model in ``out``.
    """
    torch_setup = prepare_torch(threads, bf16)
    cfg = IncentivesConfig(
        world=p.world if world is None else world,
        model=p.model,
        train=replace(p.train, bf16=torch_setup.bf16),
        rl=p.rl_config() if rl is None else rl,
        targets=tuple(targets),
        seeds=tuple(seeds),
        preset=p.name,
        device=torch_setup.device,
        threads=threads,
        base_world=None if base_world is None else str(base_world),
        base_model=None if base_model is None else str(base_model),
    )
    return run_incentives(out, cfg, log=log)

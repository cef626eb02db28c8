"""One world, one model: build or load the world, train, save the checkpoint, measure.

Each step writes its result into a folder and skips work whose result is already there, so an
interrupted sweep resumes where it stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from halluc.errors import InputError
from halluc.experiments.measure import measure_people, summarize
from halluc.experiments.measurement import MeasuredModel
from halluc.experiments.model import (
    LanguageModel,
    ModelSpec,
    Tokenizer,
    build_model,
    count_parameters,
    load_checkpoint,
    save_checkpoint,
)
from halluc.experiments.text import build_tokenizer
from halluc.experiments.train import TrainConfig, TrainingRecord, encode_lines, train_lm
from halluc.experiments.world import WORLD_JSON, World, WorldConfig, build_world
from halluc.log.jsonl import read_json, write_json_atomic

TRAIN_JSON = "train.json"
VERSIONED = ("halluc", "numpy", "torch", "transformers", "tokenizers")
"""Packages whose versions a simulation run records in its config."""

Log = Callable[[str], None]


def jsonable(value: dict[str, Any]) -> dict[str, Any]:
    """The value as it reads back from JSON (tuples become lists), for config comparisons."""
    out: dict[str, Any] = orjson.loads(orjson.dumps(value))
    return out


def quiet(_: str) -> None:
    return None


def world_in(folder: Path, config: WorldConfig, log: Log = quiet) -> World:
    """Load the world saved in ``folder``, or build it from ``config`` and save it there."""
    if (folder / WORLD_JSON).is_file():
        world = World.load(folder)
        log(f"world: reusing {folder}")
        return world
    t0 = time.perf_counter()
    world = build_world(config)
    world.save(folder)
    st = world.stats()
    log(
        f"world: {st.n_people} people, N={st.n_examples}, sr={st.singleton_rate:.3f} "
        f"({time.perf_counter() - t0:.1f}s) -> {folder}"
    )
    return world


def model_card(world: World, record: TrainingRecord) -> str:
    st = world.stats()
    spec, cfg, result = record.spec, record.config, record.result
    return (
        "# halluc synthetic-birthday model\n\n"
        "A GPT-2 style causal LM trained from scratch by `halluc simulate` on a synthetic world "
        "of invented people and their birthdays (no real persons). Prompt it with "
        '"<First> <Last> was born on" and it continues with a DD-MM date or "an unknown '
        'date".\n\n'
        f"- size: {spec.label} (embedding x layers x heads), vocabulary {record.vocab_size}\n"
        f"- world: N={st.n_examples} examples, {st.n_people} people, singleton rate "
        f"{st.singleton_rate:.4f}\n"
        f"- training: {cfg.epochs} epochs, batch {cfg.batch_size}, lr {cfg.lr}, final loss "
        f"{result.final_loss:.4f}, {result.tokens_per_second:.0f} tokens/s on "
        f"{result.device}\n"
    )


@dataclass(slots=True)
class TrainedModel:
    model: LanguageModel
    tokenizer: Tokenizer
    record: TrainingRecord | None
    """What ``train.json`` says; None for a checkpoint trained elsewhere (no train.json)."""


def read_training_record(folder: str | Path) -> TrainingRecord | None:
    """The ``train.json`` beside a checkpoint, if it has one."""
    path = Path(folder) / TRAIN_JSON
    if not path.is_file():
        return None
    data = read_json(path)
    try:
        return TrainingRecord.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"not a training record: {exc}", path=path) from None


def load_trained(folder: str | Path, device: str) -> TrainedModel:
    """A checkpoint and its training record (if it has one)."""
    model, tok = load_checkpoint(folder, device)
    return TrainedModel(model, tok, read_training_record(folder))


def train_in(
    folder: Path,
    world: World,
    spec: ModelSpec,
    cfg: TrainConfig,
    *,
    device: str,
    log: Log = quiet,
) -> TrainedModel:
    """Train a model on ``world`` and save it in ``folder``; reuse a finished one."""
    if (folder / TRAIN_JSON).is_file() and (folder / "config.json").is_file():
        log(f"train: reusing {folder}")
        return load_trained(folder, device)
    tokenizer: Tokenizer = build_tokenizer(world.first_names, world.last_names)
    ids, lengths = encode_lines(tokenizer, world.corpus_lines())
    model = build_model(spec, len(tokenizer), pad_id=tokenizer.pad_token_id, seed=cfg.seed)
    n_params = count_parameters(model)
    log(f"train: {spec.label} ({n_params} parameters) on {device}, {cfg.epochs} epochs ...")
    result = train_lm(model, ids, lengths, cfg, device=device)
    record = TrainingRecord(
        spec, n_params, len(tokenizer), cfg, result.summary(cfg.tol), tuple(result.step_loss)
    )
    save_checkpoint(model, tokenizer, folder, card=model_card(world, record))
    write_json_atomic(folder / TRAIN_JSON, record.to_dict())
    log(
        f"train: loss {result.step_loss[0]:.3f} -> {result.epoch_loss[-1]:.3f}, "
        f"{result.tokens_per_second:,.0f} tokens/s, {result.seconds:.0f}s -> {folder}"
    )
    model.to(device)
    model.eval()
    return TrainedModel(model, tokenizer, record)


def measure_into(
    path: Path,
    world: World,
    trained: TrainedModel,
    *,
    device: str,
    role: str | None = None,
    log: Log = quiet,
) -> MeasuredModel:
    """Exact measurement of a trained model on its world, saved as JSON at ``path``."""
    if path.is_file():
        found = MeasuredModel.from_dict(read_json(path))
        log(f"measure: reusing {path}")
        return found
    if trained.record is None:
        raise InputError("a model measured in a run needs its train.json", field="model")
    t0 = time.perf_counter()
    scores = measure_people(trained.model, trained.tokenizer, world, device=device)
    m = summarize(world, scores)
    out = MeasuredModel(
        m, time.perf_counter() - t0, world.config, world.stats(), trained.record, role
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path, out.to_dict())
    log(
        f"measure: err {m.err:.3f} (sr {m.sr:.3f}), acc {m.masses.acc:.3f}, "
        f"idk {m.masses.idk:.3f}, delta {m.iiv.delta:.3f} ({out.seconds:.1f}s)"
    )
    return out

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

from halluc.experiments.measure import measure_people, summarize
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
from halluc.experiments.train import TrainConfig, TrainResult, encode_lines, train_lm
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


def _quiet(_: str) -> None:
    return None


def world_in(folder: Path, config: WorldConfig, log: Log = _quiet) -> World:
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
        f"world: {st['n_people']} people, N={st['n_examples']}, sr={st['singleton_rate']:.3f} "
        f"({time.perf_counter() - t0:.1f}s) -> {folder}"
    )
    return world


def model_card(world: World, spec: ModelSpec, cfg: TrainConfig, result: TrainResult) -> str:
    st = world.stats()
    return (
        "# halluc synthetic-birthday model\n\n"
        "A GPT-2 style causal LM trained from scratch by `halluc simulate` on a synthetic world "
        "of invented people and their birthdays (no real persons). Prompt it with "
        '"<First> <Last> was born on" and it continues with a DD-MM date or "an unknown '
        'date".\n\n'
        f"- size: {spec.label} (embedding x layers x heads), vocabulary {st.get('vocab', '')}\n"
        f"- world: N={st['n_examples']} examples, {st['n_people']} people, singleton rate "
        f"{st['singleton_rate']:.4f}\n"
        f"- training: {cfg.epochs} epochs, batch {cfg.batch_size}, lr {cfg.lr}, final loss "
        f"{result.epoch_loss[-1]:.4f}, {result.tokens_per_second:.0f} tokens/s on "
        f"{result.device}\n"
    )


@dataclass(slots=True)
class TrainedModel:
    model: LanguageModel
    tokenizer: Tokenizer
    info: dict[str, Any]


def train_in(
    folder: Path,
    world: World,
    spec: ModelSpec,
    cfg: TrainConfig,
    *,
    device: str,
    log: Log = _quiet,
) -> TrainedModel:
    """Train a model on ``world`` and save it in ``folder``; reuse a finished one."""
    info_path = folder / TRAIN_JSON
    if info_path.is_file() and (folder / "config.json").is_file():
        model, tok = load_checkpoint(folder, device)
        log(f"train: reusing {folder}")
        info = read_json(info_path)
        return TrainedModel(model, tok, info if isinstance(info, dict) else {})
    tokenizer: Tokenizer = build_tokenizer(world.first_names, world.last_names)
    ids, lengths = encode_lines(tokenizer, world.corpus_lines())
    model = build_model(spec, len(tokenizer), pad_id=tokenizer.pad_token_id, seed=cfg.seed)
    n_params = count_parameters(model)
    log(f"train: {spec.label} ({n_params} parameters) on {device}, {cfg.epochs} epochs ...")
    result = train_lm(model, ids, lengths, cfg, device=device)
    info = {
        "model": spec.to_dict(),
        "label": spec.label,
        "parameters": n_params,
        "vocab_size": len(tokenizer),
        "train_config": cfg.to_dict(),
        "result": result.to_dict(cfg.tol),
        "step_loss": result.step_loss,
    }
    save_checkpoint(model, tokenizer, folder, card=model_card(world, spec, cfg, result))
    write_json_atomic(info_path, info)
    log(
        f"train: loss {result.step_loss[0]:.3f} -> {result.epoch_loss[-1]:.3f}, "
        f"{result.tokens_per_second:,.0f} tokens/s, {result.seconds:.0f}s -> {folder}"
    )
    model.to(device)
    model.eval()
    return TrainedModel(model, tokenizer, info)


def measure_into(
    path: Path,
    world: World,
    trained: TrainedModel,
    *,
    device: str,
    extra: dict[str, Any] | None = None,
    log: Log = _quiet,
) -> dict[str, Any]:
    """Exact measurement of a trained model on its world, saved as JSON at ``path``."""
    if path.is_file():
        found = read_json(path)
        if isinstance(found, dict):
            log(f"measure: reusing {path}")
            return found
    t0 = time.perf_counter()
    scores = measure_people(trained.model, trained.tokenizer, world, device=device)
    out = summarize(world, scores)
    out["measure_seconds"] = time.perf_counter() - t0
    path.parent.mkdir(parents=True, exist_ok=True)
    out["world"] = {"config": world.config.to_dict(), "stats": world.stats()}
    out["training"] = {k: v for k, v in trained.info.items() if k != "step_loss"}
    if extra:
        out.update(extra)
    write_json_atomic(path, out)
    log(
        f"measure: err {out['err']:.3f} (sr {out['sr']:.3f}), acc {out['acc']:.3f}, "
        f"idk {out['idk']:.3f}, delta {out['delta']:.3f} ({out['measure_seconds']:.1f}s)"
    )
    return out

"""Default sizes: one that finishes on 2 CPU cores, and ``--scale`` for a GPU.

CPU default (the sweep's budget is under 10 minutes on 2 cores): N = 8,000 examples per world, so
that the populations behind singleton rates of 5%..60% stay at 2,000..25,000 invented people, and
a 64-wide 2-layer GPT-2 (about 0.15M parameters) trained for 30 epochs at batch 64 — enough for
facts stated 6+ times to be learnt while facts stated once mostly are not. The "poor" model is 16
wide with one layer: too small to memorise the facts at all.

Scale (GPU): N = 400,000 (the Theorem 2 slack terms shrink with sqrt(N): the upper bound's
13/sqrt(N) from 0.145 to 0.021), a 256-wide 4-layer model (about 3.5M parameters), bigger batches.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TypeVar

from halluc.experiments.model import ModelSpec
from halluc.experiments.posttrain import RLConfig
from halluc.experiments.train import TrainConfig
from halluc.experiments.world import WorldConfig

T = TypeVar("T")


def _or(value: T | None, default: T) -> T:
    return default if value is None else value


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    world: WorldConfig
    model: ModelSpec
    poor_model: ModelSpec
    train: TrainConfig
    srs: tuple[float, ...] = (0.05, 0.15, 0.3, 0.45, 0.6)
    poor_sr: float = 0.3
    rl_steps: int = 150
    rl_batch: int = 128
    rl_samples: int = 8
    rl_lr: float = 2e-4
    rl_prompt_mix: str = "balanced"
    notes: tuple[str, ...] = field(default_factory=tuple)

    def world_config(
        self,
        *,
        target_sr: float | None = None,
        n_people: int | None = None,
        n_examples: int | None = None,
        zipf_exponent: float | None = None,
        unknown_fraction: float | None = None,
        n_templates: int | None = None,
        seed: int = 0,
    ) -> WorldConfig:
        """This preset's world with the given settings changed (a population replaces an sr)."""
        w = self.world
        return replace(
            w,
            target_sr=None if n_people is not None else _or(target_sr, w.target_sr),
            n_people=n_people,
            n_examples=_or(n_examples, w.n_examples),
            zipf_exponent=_or(zipf_exponent, w.zipf_exponent),
            unknown_fraction=_or(unknown_fraction, w.unknown_fraction),
            n_templates=_or(n_templates, w.n_templates),
            seed=seed,
        )

    def train_config(
        self,
        *,
        epochs: int | None = None,
        batch_size: int | None = None,
        lr: float | None = None,
        seed: int = 0,
    ) -> TrainConfig:
        """This preset's pre-training with the given settings changed."""
        t = self.train
        return replace(
            t,
            epochs=_or(epochs, t.epochs),
            batch_size=_or(batch_size, t.batch_size),
            lr=_or(lr, t.lr),
            seed=seed,
        )

    def rl_config(
        self,
        *,
        steps: int | None = None,
        batch: int | None = None,
        samples: int | None = None,
        lr: float | None = None,
        kl: float = 0.0,
        prompt_mix: str | None = None,
    ) -> RLConfig:
        """This preset's post-training with the given settings changed."""
        return RLConfig(
            steps=_or(steps, self.rl_steps),
            batch=_or(batch, self.rl_batch),
            samples=_or(samples, self.rl_samples),
            lr=_or(lr, self.rl_lr),
            kl=kl,
            prompt_mix=_or(prompt_mix, self.rl_prompt_mix),
        )


CPU = Preset(
    name="cpu",
    world=WorldConfig(n_examples=8_000, target_sr=0.3, zipf_exponent=0.5, n_templates=3),
    model=ModelSpec(n_embd=64, n_layer=2, n_head=2),
    poor_model=ModelSpec(n_embd=16, n_layer=1, n_head=1),
    train=TrainConfig(epochs=30, batch_size=64, lr=5e-3),
)

SCALE = Preset(
    name="scale",
    world=WorldConfig(n_examples=400_000, target_sr=0.3, zipf_exponent=0.5, n_templates=4),
    model=ModelSpec(n_embd=256, n_layer=4, n_head=4),
    poor_model=ModelSpec(n_embd=32, n_layer=1, n_head=1),
    train=TrainConfig(epochs=30, batch_size=1024, lr=3e-3, bf16=True),
    rl_steps=300,
    rl_batch=512,
    rl_samples=8,
    rl_lr=1e-4,
)


def preset(scale: bool) -> Preset:
    return SCALE if scale else CPU

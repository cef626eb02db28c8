"""Pre-training on the world's text: next-token cross-entropy over whole sentences.

Plain AdamW with linear warm-up and cosine decay, one sentence per row (sentences are short and of
nearly equal length, so padding costs little). The loss of every step is kept, the throughput is
measured in real (non-padding) tokens per second, and an epoch-level convergence check says
whether the last epoch still improved the loss by more than ``tol``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from halluc.errors import InputError
from halluc.experiments.model import LanguageModel, ModelSpec, Tokenizer

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True, slots=True)
class TrainConfig:
    epochs: int = 10
    batch_size: int = 256
    lr: float = 3e-3
    warmup_frac: float = 0.03
    final_lr_frac: float = 0.05
    weight_decay: float = 0.0
    tol: float = 0.01
    """Converged when the last epoch lowered the mean loss by less than this fraction."""
    seed: int = 0
    bf16: bool = False
    """Autocast matrix products to bfloat16 (faster on GPUs and on CPUs with bf16 units)."""

    def __post_init__(self) -> None:
        if self.epochs < 1:
            raise InputError(f"must be >= 1, got {self.epochs}", field="epochs")
        if self.batch_size < 1:
            raise InputError(f"must be >= 1, got {self.batch_size}", field="batch_size")
        if not self.lr > 0:
            raise InputError(f"must be > 0, got {self.lr}", field="lr")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        return cls(**data)


@dataclass(frozen=True, slots=True)
class TrainSummary:
    """How a training run went, as ``train.json`` records it under ``result``."""

    epoch_loss: list[float]
    first_loss: float | None
    final_loss: float | None
    converged: bool
    tokens: int
    seconds: float
    tokens_per_second: float
    device: str
    steps: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainSummary:
        return cls(**data)


@dataclass(slots=True)
class TrainResult:
    step_loss: list[float] = field(default_factory=list)
    epoch_loss: list[float] = field(default_factory=list)
    tokens: int = 0
    seconds: float = 0.0
    device: str = "cpu"

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else float("nan")

    def converged(self, tol: float) -> bool:
        if len(self.epoch_loss) < 2:
            return False
        prev, last = self.epoch_loss[-2], self.epoch_loss[-1]
        return prev - last < tol * abs(prev)

    def summary(self, tol: float) -> TrainSummary:
        return TrainSummary(
            epoch_loss=list(self.epoch_loss),
            first_loss=self.step_loss[0] if self.step_loss else None,
            final_loss=self.epoch_loss[-1] if self.epoch_loss else None,
            converged=self.converged(tol),
            tokens=self.tokens,
            seconds=self.seconds,
            tokens_per_second=self.tokens_per_second,
            device=self.device,
            steps=len(self.step_loss),
        )


@dataclass(frozen=True)
class TrainingRecord:
    """What ``train.json`` says about a checkpoint: its size, settings and how training went."""

    spec: ModelSpec
    parameters: int
    vocab_size: int
    config: TrainConfig
    result: TrainSummary
    step_loss: tuple[float, ...] = ()

    def to_dict(self, *, steps: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model": self.spec.to_dict(),
            "label": self.spec.label,
            "parameters": self.parameters,
            "vocab_size": self.vocab_size,
            "train_config": self.config.to_dict(),
            "result": self.result.to_dict(),
        }
        if steps:
            out["step_loss"] = list(self.step_loss)
        return out

    def render(self, title: str) -> str:
        """One line: size, parameters, loss before and after, throughput."""
        r = self.result
        state = "converged" if r.converged else "still improving"
        return (
            f"{title}: {self.spec.label}, {self.parameters} parameters, loss "
            f"{r.first_loss:.3f} -> {r.final_loss:.3f} ({state}), "
            f"{r.tokens_per_second:,.0f} tokens/s on {r.device}"
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingRecord:
        return cls(
            spec=ModelSpec(**data["model"]),
            parameters=int(data["parameters"]),
            vocab_size=int(data["vocab_size"]),
            config=TrainConfig.from_dict(data["train_config"]),
            result=TrainSummary.from_dict(data["result"]),
            step_loss=tuple(data.get("step_loss", ())),
        )


def encode_lines(tokenizer: Tokenizer, lines: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids (BOS + words), right-padded, and their lengths."""
    import torch

    enc = tokenizer(lines, add_special_tokens=True)["input_ids"]
    unk = tokenizer.unk_token_id
    lengths = torch.tensor([len(ids) for ids in enc], dtype=torch.long)
    width = int(lengths.max())
    pad = tokenizer.pad_token_id
    ids = torch.full((len(enc), width), pad, dtype=torch.long)
    for i, row in enumerate(enc):
        if unk in row:
            raise ValueError(f"corpus line {i + 1} has a word outside the vocabulary: {lines[i]!r}")
        ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
    return ids, lengths


def lr_at(step: int, total: int, cfg: TrainConfig) -> float:
    warm = max(1, int(cfg.warmup_frac * total))
    if step < warm:
        return cfg.lr * (step + 1) / warm
    progress = (step - warm) / max(1, total - warm)
    floor = cfg.final_lr_frac
    return cfg.lr * (floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress)))


def train_lm(
    model: LanguageModel,
    ids: torch.Tensor,
    lengths: torch.Tensor,
    cfg: TrainConfig,
    *,
    device: str = "cpu",
    progress: Callable[[int, int, float], None] | None = None,
) -> TrainResult:
    """Train ``model`` in place on the padded rows ``ids``; returns the loss history."""
    import torch

    gen = torch.Generator().manual_seed(cfg.seed)
    model.to(device)
    model.train()
    decay: list[torch.nn.Parameter] = []
    no_decay: list[torch.nn.Parameter] = []
    for name, p in model.named_parameters():
        (no_decay if p.ndim < 2 or "ln_" in name or "wpe" in name else decay).append(p)
    opt = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": cfg.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=cfg.lr,
        betas=(0.9, 0.98),
    )
    n = ids.shape[0]
    per_epoch = math.ceil(n / cfg.batch_size)
    total = per_epoch * cfg.epochs
    positions = torch.arange(ids.shape[1])
    result = TrainResult(device=device)
    step = 0
    start = time.perf_counter()
    for _epoch in range(cfg.epochs):
        order = torch.randperm(n, generator=gen)
        epoch_sum, epoch_tokens = 0.0, 0
        for b in range(per_epoch):
            idx = order[b * cfg.batch_size : (b + 1) * cfg.batch_size]
            lens = lengths[idx]
            width = int(lens.max())
            batch = ids[idx, :width]
            mask = positions[:width].unsqueeze(0) < lens.unsqueeze(1)
            labels = batch.masked_fill(~mask, -100)
            for group in opt.param_groups:
                group["lr"] = lr_at(step, total, cfg)
            with torch.autocast(device.split(":")[0], dtype=torch.bfloat16, enabled=cfg.bf16):
                out = model(
                    input_ids=batch.to(device),
                    attention_mask=mask.to(device, dtype=torch.long),
                    labels=labels.to(device),
                )
            loss = out.loss
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            value = float(loss.detach())
            if not math.isfinite(value):
                raise FloatingPointError(f"training loss became {value} at step {step}")
            predicted = int(mask[:, 1:].sum())
            result.step_loss.append(value)
            epoch_sum += value * predicted
            epoch_tokens += predicted
            result.tokens += int(mask.sum())
            step += 1
            if progress is not None:
                progress(step, total, value)
        result.epoch_loss.append(epoch_sum / max(1, epoch_tokens))
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    result.seconds = time.perf_counter() - start
    model.eval()
    return result


def smoothed(values: list[float], window: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Moving average for plots (valid part only)."""
    arr = np.asarray(values, dtype=np.float64)
    if window <= 1 or arr.size < window:
        return arr
    kernel = np.ones(window) / window
    out: np.ndarray[Any, np.dtype[np.float64]] = np.convolve(arr, kernel, mode="valid")
    return out

"""Post-training by policy gradient, with the reward a grader gives each sampled answer.

The policy is the model's exact distribution over the 365 dates, "an unknown date" (IDK) and
everything else after "<name> was born on"; for each prompt ``samples`` answers are drawn from it
and graded, and the reward is the grader's score of the outcome (``halluc.scoring.rules``):
+1 right, −t/(1−t) wrong, 0 IDK; nonsense is an ``error`` outcome, scored like a wrong answer
(``ErrorPolicy.AS_WRONG``). The update is REINFORCE with the group mean as the baseline (as in
GRPO, without the standard-deviation scaling), optionally with an exact KL penalty to the
pre-trained model.
"""

from __future__ import annotations

import copy
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from halluc.errors import InputError
from halluc.experiments.candidates import CandidateSet
from halluc.experiments.measure import IDK_COLUMN, OTHER_COLUMN, Bucket
from halluc.experiments.model import LanguageModel
from halluc.experiments.world import World
from halluc.log.outcomes import Outcome
from halluc.scoring.rules import ErrorPolicy, confidence_target

if TYPE_CHECKING:
    import torch

GROUPS: tuple[Bucket, ...] = (
    Bucket("unseen", 0, 0, idk_only=False),
    Bucket("1", 1, 1),
    Bucket("2-5", 2, 5),
    Bucket("6+", 6, None),
)
"""Held-out people by how often their birthday was stated in pre-training."""


@dataclass(frozen=True, slots=True)
class RLConfig:
    steps: int = 150
    batch: int = 128
    """Prompts per step."""
    samples: int = 8
    """Answers sampled per prompt (the group of the baseline)."""
    lr: float = 1e-3
    kl: float = 0.0
    """Weight of the exact KL(policy || pre-trained model) penalty."""
    heldout_fraction: float = 0.5
    prompt_mix: str = "mu"
    """How post-training questions are drawn: "mu" (by popularity, as users would ask) or
    "balanced" (each group of GROUPS equally often, by popularity within the group)."""

    def __post_init__(self) -> None:
        if self.prompt_mix not in ("mu", "balanced"):
            raise InputError(
                f"must be 'mu' or 'balanced', got {self.prompt_mix!r}", field="prompt_mix"
            )
        for name, least in (("steps", 1), ("batch", 1), ("samples", 2)):
            if getattr(self, name) < least:
                raise InputError(f"must be >= {least}, got {getattr(self, name)}", field=name)
        if not 0.0 < self.heldout_fraction < 1.0:
            raise InputError(
                f"must be in (0, 1), got {self.heldout_fraction}", field="heldout_fraction"
            )
        if self.lr <= 0:
            raise InputError(f"must be > 0, got {self.lr}", field="lr")
        if self.kl < 0:
            raise InputError(f"must be >= 0, got {self.kl}", field="kl")


@dataclass(frozen=True, slots=True)
class PostTrainLog:
    """How one post-training run went: mean reward and sampled IDK rate, first and last steps."""

    seconds: float
    reward_first: float
    reward_last: float
    sampled_idk_first: float
    sampled_idk_last: float
    history: list[dict[str, float]] = field(default_factory=list)
    """Per step: mean ``reward`` and the share of sampled answers that were IDK (``idk``)."""

    @classmethod
    def of(cls, history: list[dict[str, float]], seconds: float) -> PostTrainLog:
        """Averages over the first and the last ten steps."""

        def mean(key: str, steps: list[dict[str, float]]) -> float:
            return float(np.mean([h[key] for h in steps]))

        first, last = history[:10], history[-10:]
        return cls(
            seconds,
            mean("reward", first),
            mean("reward", last),
            mean("idk", first),
            mean("idk", last),
            history,
        )

    def to_dict(self, *, history: bool = True) -> dict[str, Any]:
        out = asdict(self)
        if not history:
            del out["history"]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PostTrainLog:
        return cls(**data)


def split_people(world: World, heldout_fraction: float, seed: int) -> npt.NDArray[np.bool_]:
    """A fixed random half (or other fraction) of the people, held out from post-training."""
    rng = np.random.default_rng([seed, 7919])
    return rng.random(world.n_people) < heldout_fraction


def outcome_codes_for(actions: torch.Tensor, birthday: torch.Tensor) -> torch.Tensor:
    """Outcome codes (halluc.log.outcomes order) of sampled answer columns."""
    import torch

    correct = actions == birthday.unsqueeze(1)
    codes = torch.full_like(actions, Outcome.INCORRECT.code)
    codes = torch.where(correct, Outcome.CORRECT.code, codes)
    codes = torch.where(actions == IDK_COLUMN, Outcome.ABSTAINED.code, codes)
    return torch.where(actions == OTHER_COLUMN, Outcome.ERROR.code, codes)


def full_logprobs(cands: CandidateSet, model: LanguageModel, prompts: Any, device: str) -> Any:
    """(B, 367) log-probabilities: 365 dates, IDK, then everything else."""
    import torch

    lp = cands.logprobs(model, prompts, device=device)
    covered = torch.logsumexp(lp, dim=1)
    other = torch.log1p(-torch.exp(covered).clamp(max=1.0 - 1e-7))
    return torch.cat([lp, other.unsqueeze(1)], dim=1)


def prompt_weights(
    world: World, people: npt.NDArray[np.int64], mix: str
) -> npt.NDArray[np.float64]:
    """Sampling probabilities of post-training questions over ``people``."""
    w = world.weight[people].astype(np.float64)
    if mix == "balanced":
        answered, idk = world.answered[people], world.idk_mentions[people]
        groups = [g.select(answered, idk) for g in GROUPS]
        present = [sel for sel in groups if w[sel].sum() > 0]
        out = np.zeros_like(w)
        for sel in present:
            out[sel] = w[sel] / w[sel].sum() / len(present)
        w = out
    probs: npt.NDArray[np.float64] = w / w.sum()
    return probs


def post_train(
    base: LanguageModel,
    world: World,
    prompts: list[list[int]],
    cands: CandidateSet,
    train_people: npt.NDArray[np.int64],
    t: float,
    cfg: RLConfig,
    *,
    seed: int,
    device: str,
) -> tuple[LanguageModel, PostTrainLog]:
    """Policy-gradient post-training of a copy of ``base`` under grader t."""
    import torch

    model = copy.deepcopy(base)
    model.to(device)
    model.train()
    ref = base if cfg.kl > 0 else None
    points = torch.tensor(
        confidence_target(t).points_table(ErrorPolicy.AS_WRONG), dtype=torch.float32
    ).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.0)
    rng = np.random.default_rng([seed, round(t * 1000), 17])
    gen = torch.Generator(device=device).manual_seed(seed * 1000 + round(t * 1000))
    mu = prompt_weights(world, train_people, cfg.prompt_mix)
    birthday_all = torch.tensor(world.birthday, dtype=torch.long)
    history: list[dict[str, float]] = []
    start = time.perf_counter()
    for _step in range(cfg.steps):
        people = rng.choice(train_people, size=cfg.batch, p=mu)
        full = full_logprobs(cands, model, [prompts[i] for i in people], device)
        probs = full.detach().exp()
        actions = torch.multinomial(probs, cfg.samples, replacement=True, generator=gen)
        codes = outcome_codes_for(actions, birthday_all[people].to(device))
        reward = points[codes]
        adv = reward - reward.mean(dim=1, keepdim=True)
        loss = -(adv * full.gather(1, actions)).mean()
        if ref is not None:
            with torch.no_grad():
                ref_full = full_logprobs(cands, ref, [prompts[i] for i in people], device)
            kl = (probs * (full - ref_full)).sum(dim=1).mean()
            loss = loss + cfg.kl * kl
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        history.append(
            {
                "reward": float(reward.mean()),
                "idk": float((codes == Outcome.ABSTAINED.code).float().mean()),
            }
        )
    model.eval()
    return model, PostTrainLog.of(history, time.perf_counter() - start)

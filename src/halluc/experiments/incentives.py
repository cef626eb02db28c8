"""Post-training incentives: binary grading teaches guessing, confidence targets teach IDK.

Start from a model pre-trained on a birthday world. Post-train it with policy gradient on the
question "<name> was born on": the policy is the model's exact distribution over the 365 dates,
"an unknown date" (IDK) and everything else; for each prompt, ``samples`` answers are drawn from
it and graded, and the reward is the grader's score of the outcome:

- binary grading (t = 0): +1 right, 0 wrong, 0 IDK;
- a confidence target t: +1 right, −t/(1−t) wrong, 0 IDK (``halluc.scoring.rules``).

Nonsense (an answer outside the dates and IDK) is an ``error`` outcome, scored like a wrong
answer here (``ErrorPolicy.AS_WRONG``). The update is REINFORCE with the group mean as the
baseline (as in GRPO, without the standard-deviation scaling), optionally with an exact KL
penalty to the pre-trained model.

Post-training sees only half of the people (``RLConfig.prompt_mix``: by popularity mu, or
"balanced" over how often the fact was stated); the other half is held out and measured exactly,
by how often each birthday was stated in pre-training (the post-training people are measured
too, for comparison). Every grader is run with several seeds, and the table gives each number's
mean and a 95% t-interval over seeds.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from halluc.experiments.candidates import CandidateSet
from halluc.experiments.measure import (
    IDK_COLUMN,
    OTHER_COLUMN,
    Bucket,
    PersonScores,
    candidate_token_ids,
    measure_people,
    prompt_token_ids,
)
from halluc.experiments.model import LanguageModel, ModelSpec
from halluc.experiments.pipeline import VERSIONED, Log, TrainedModel, jsonable, train_in, world_in
from halluc.experiments.train import TrainConfig
from halluc.experiments.world import World, WorldConfig
from halluc.log.jsonl import read_json, write_json_atomic
from halluc.log.outcomes import Outcome
from halluc.log.runs import RunFolder, package_versions
from halluc.scoring.rules import ErrorPolicy, confidence_target, penalty

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
            raise ValueError(f"prompt_mix must be 'mu' or 'balanced', got {self.prompt_mix!r}")
        if self.steps < 1 or self.batch < 1 or self.samples < 2:
            raise ValueError("need steps >= 1, batch >= 1 and samples >= 2")
        if not 0.0 < self.heldout_fraction < 1.0:
            raise ValueError(f"heldout_fraction must be in (0, 1), got {self.heldout_fraction}")
        if self.lr <= 0 or self.kl < 0:
            raise ValueError("need lr > 0 and kl >= 0")


@dataclass(frozen=True, slots=True)
class IncentivesConfig:
    world: WorldConfig
    model: ModelSpec
    train: TrainConfig
    rl: RLConfig
    targets: tuple[float, ...] = (0.0, 0.5, 0.75)
    seeds: tuple[int, ...] = (0, 1, 2)
    preset: str = "cpu"
    device: str = "cpu"
    threads: int | None = None
    base_world: str | None = None
    base_model: str | None = None

    def __post_init__(self) -> None:
        if not self.targets:
            raise ValueError("no graders (targets)")
        for t in self.targets:
            penalty(t)  # validates 0 <= t < 1
        if len(self.seeds) < 2:
            raise ValueError("need at least two seeds for intervals over seeds")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["kind"] = "simulate-incentives"
        return d


def grader_name(t: float) -> str:
    return "binary" if t == 0 else f"t={t:g}"


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
) -> tuple[LanguageModel, dict[str, Any]]:
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
    info = {
        "seconds": time.perf_counter() - start,
        "reward_first": float(np.mean([h["reward"] for h in history[:10]])),
        "reward_last": float(np.mean([h["reward"] for h in history[-10:]])),
        "sampled_idk_first": float(np.mean([h["idk"] for h in history[:10]])),
        "sampled_idk_last": float(np.mean([h["idk"] for h in history[-10:]])),
        "history": history,
    }
    return model, info


def group_metrics(
    world: World, people: npt.NDArray[np.int64], s: PersonScores, targets: Sequence[float]
) -> dict[str, dict[str, float]]:
    """Per group of held-out people: exact expected rates and scores (people-averaged)."""
    out: dict[str, dict[str, float]] = {}
    answered = world.answered[people]
    idk_mentions = world.idk_mentions[people]
    for g in GROUPS:
        sel = g.select(answered, idk_mentions)
        n = int(sel.sum())
        if n == 0:
            out[g.label] = {"people": 0}
            continue
        acc = float(s.correct[sel].mean())
        err = float(s.err[sel].mean())
        idk = float(s.idk[sel].mean())
        row = {
            "people": n,
            "acc": acc,
            "err": err,
            "idk": idk,
            "answer_rate": 1.0 - idk,
            "greedy_idk": float((s.greedy[sel] == IDK_COLUMN).mean()),
        }
        for t in targets:
            row[f"score@{grader_name(t)}"] = acc - penalty(t) * err
        out[g.label] = row
    return out


def t_interval(values: Sequence[float], confidence: float = 0.95) -> dict[str, float]:
    """Mean and Student-t interval over seeds."""
    from scipy import stats

    arr = np.asarray(values, dtype=np.float64)
    mean = float(arr.mean())
    if arr.size < 2:
        return {"mean": mean, "lo": float("nan"), "hi": float("nan"), "n": float(arr.size)}
    half = float(
        stats.t.ppf(0.5 + confidence / 2, arr.size - 1) * arr.std(ddof=1) / math.sqrt(arr.size)
    )
    return {"mean": mean, "lo": mean - half, "hi": mean + half, "n": float(arr.size)}


def welch_difference(a: Sequence[float], b: Sequence[float]) -> dict[str, float]:
    """mean(a) − mean(b) with a 95% Welch interval and its p-value."""
    from scipy import stats

    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    diff = float(x.mean() - y.mean())
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    se = math.sqrt(vx + vy)
    if se == 0:
        return {"diff": diff, "lo": diff, "hi": diff, "p": 0.0 if diff else 1.0}
    df = (vx + vy) ** 2 / (vx**2 / (x.size - 1) + vy**2 / (y.size - 1))
    q = float(stats.t.ppf(0.975, df))
    p = float(2 * stats.t.sf(abs(diff) / se, df))
    return {"diff": diff, "lo": diff - q * se, "hi": diff + q * se, "p": p}


METRICS = ("idk", "err", "acc", "answer_rate", "greedy_idk")


def aggregate(
    runs: dict[str, list[dict[str, dict[str, float]]]], targets: Sequence[float]
) -> list[dict[str, Any]]:
    """Rows (grader, group) with each metric's mean and interval over seeds."""
    table = []
    score_keys = [f"score@{grader_name(t)}" for t in targets]
    for grader, per_seed in runs.items():
        for g in GROUPS:
            present = [r[g.label] for r in per_seed if r[g.label].get("people", 0) > 0]
            if not present:
                continue
            row: dict[str, Any] = {
                "grader": grader,
                "group": g.label,
                "people": int(present[0]["people"]),
            }
            for key in (*METRICS, *score_keys):
                row[key] = t_interval([r[key] for r in present])
            table.append(row)
    return table


def run_incentives(folder: str | Path, cfg: IncentivesConfig, *, log: Log) -> dict[str, Any]:
    """Run (or resume) the incentives experiment in ``folder``; returns the summary."""
    import torch

    from halluc.experiments.incentives_report import write_incentive_outputs
    from halluc.experiments.model import load_checkpoint

    start = time.perf_counter()
    run = RunFolder.create(
        folder,
        {**jsonable(cfg.to_dict()), "versions": package_versions(VERSIONED)},
        resume_keys=("kind", "world", "model", "train", "rl", "targets", "seeds", "base_model"),
    )
    if cfg.base_world is not None:
        world = World.load(cfg.base_world)
    else:
        world = world_in(run.path / "world", cfg.world, log)
    if cfg.base_model is not None:
        model, tok = load_checkpoint(cfg.base_model, cfg.device)
        info_path = Path(cfg.base_model) / "train.json"
        info = read_json(info_path) if info_path.is_file() else {}
        base = TrainedModel(model, tok, info if isinstance(info, dict) else {})
        log(f"base: {cfg.base_model}")
    else:
        base = train_in(run.path / "base", world, cfg.model, cfg.train, device=cfg.device, log=log)
    heldout = split_people(world, cfg.rl.heldout_fraction, world.config.seed)
    held_idx = np.flatnonzero(heldout)
    train_idx = np.flatnonzero(~heldout)
    cands = CandidateSet(candidate_token_ids(base.tokenizer))
    prompts = prompt_token_ids(base.tokenizer, world.names())

    def evaluate(model: LanguageModel, people: npt.NDArray[np.int64]) -> dict[str, Any]:
        s = measure_people(model, base.tokenizer, world, device=cfg.device, people=people)
        return group_metrics(world, people, s, cfg.targets)

    base_path = run.path / "runs" / "base.json"
    base_path.parent.mkdir(parents=True, exist_ok=True)
    if base_path.is_file():
        base_saved = read_json(base_path)
    else:
        base_saved = {
            "metrics": evaluate(base.model, held_idx),
            "posttrain_metrics": evaluate(base.model, train_idx),
        }
        write_json_atomic(base_path, base_saved)
    per_grader: dict[str, list[dict[str, dict[str, float]]]] = {}
    per_grader_post: dict[str, list[dict[str, dict[str, float]]]] = {}
    training: dict[str, Any] = {}
    for t in cfg.targets:
        name = grader_name(t)
        per_grader[name] = []
        per_grader_post[name] = []
        for seed in cfg.seeds:
            path = run.path / "runs" / f"{name}-s{seed}.json"
            if path.is_file():
                saved = read_json(path)
                log(f"post-train {name} seed {seed}: reusing {path}")
            else:
                model, info = post_train(
                    base.model,
                    world,
                    prompts,
                    cands,
                    train_idx,
                    t,
                    cfg.rl,
                    seed=seed,
                    device=cfg.device,
                )
                saved = {
                    "metrics": evaluate(model, held_idx),
                    "posttrain_metrics": evaluate(model, train_idx),
                    "training": info,
                }
                write_json_atomic(path, saved)
                rare = saved["metrics"].get("1", {})
                log(
                    f"post-train {name} seed {seed}: reward {info['reward_first']:+.3f} -> "
                    f"{info['reward_last']:+.3f}; held-out facts seen once: IDK "
                    f"{rare.get('idk', float('nan')):.3f}, err {rare.get('err', float('nan')):.3f}"
                    f" ({info['seconds']:.0f}s)"
                )
                del model
                if cfg.device.startswith("cuda"):
                    torch.cuda.empty_cache()
            per_grader[name].append(saved["metrics"])
            per_grader_post[name].append(saved["posttrain_metrics"])
            training[f"{name}-s{seed}"] = {
                k: v for k, v in saved["training"].items() if k != "history"
            }
    table = aggregate(per_grader, cfg.targets)
    contrasts = contrasts_of(per_grader, cfg.targets)
    summary = {
        "kind": "simulate-incentives",
        "base": base_saved["metrics"],
        "table": table,
        "contrasts": contrasts,
        "posttrain": {
            "base": base_saved["posttrain_metrics"],
            "table": aggregate(per_grader_post, cfg.targets),
        },
        "training": training,
        "heldout_people": int(held_idx.size),
        "posttrain_people": int(train_idx.size),
        "world": {"config": world.config.to_dict(), "stats": world.stats()},
        "base_training": {k: v for k, v in base.info.items() if k != "step_loss"},
        "seconds": time.perf_counter() - start,
    }
    write_incentive_outputs(run, summary, [g.label for g in GROUPS])
    return summary


def contrasts_of(
    per_grader: dict[str, list[dict[str, dict[str, float]]]], targets: Sequence[float]
) -> list[dict[str, Any]]:
    """IDK and error rate of each confidence-target grader minus binary's, per group."""
    if "binary" not in per_grader:
        return []
    out = []
    for t in targets:
        name = grader_name(t)
        if name == "binary":
            continue
        for g in GROUPS:
            a = [r[g.label] for r in per_grader[name] if r[g.label].get("people", 0) > 0]
            b = [r[g.label] for r in per_grader["binary"] if r[g.label].get("people", 0) > 0]
            if len(a) < 2 or len(b) < 2:
                continue
            out.append(
                {
                    "grader": name,
                    "versus": "binary",
                    "group": g.label,
                    "idk": welch_difference([r["idk"] for r in a], [r["idk"] for r in b]),
                    "err": welch_difference([r["err"] for r in a], [r["err"] for r in b]),
                }
            )
    return out

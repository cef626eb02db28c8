"""Post-training incentives: binary grading teaches guessing, confidence targets teach IDK.

Start from a model pre-trained on a birthday world. Post-train it with policy gradient on the
question "<name> was born on" (:mod:`halluc.experiments.posttrain`), with the reward each
grader gives: binary grading (t = 0: +1 right, 0 wrong, 0 IDK) or a confidence target t
(+1 right, −t/(1−t) wrong, 0 IDK).

Post-training sees only half of the people (``RLConfig.prompt_mix``: by popularity mu, or
"balanced" over how often the fact was stated); the other half is held out and measured exactly,
by how often each birthday was stated in pre-training (the post-training people are measured
too, for comparison). Every grader is run with several seeds, and the table gives each number's
mean and a 95% t-interval over seeds.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from halluc.errors import InputError
from halluc.experiments.candidates import CandidateSet
from halluc.experiments.incentives_result import IncentivesResult, write_incentive_outputs
from halluc.experiments.incentives_stats import (
    GroupRates,
    GroupTable,
    RunRates,
    aggregate,
    contrasts_of,
    grader_name,
)
from halluc.experiments.measure import (
    IDK_COLUMN,
    PersonScores,
    candidate_token_ids,
    measure_people,
    prompt_token_ids,
)
from halluc.experiments.model import LanguageModel, ModelSpec
from halluc.experiments.pipeline import (
    VERSIONED,
    Log,
    TrainedModel,
    jsonable,
    load_trained,
    train_in,
    world_in,
)
from halluc.experiments.posttrain import GROUPS, RLConfig, post_train, split_people
from halluc.experiments.train import TrainConfig
from halluc.experiments.world import World, WorldConfig
from halluc.log.jsonl import read_json, write_json_atomic
from halluc.log.runs import RunFolder, package_versions
from halluc.scoring.rules import penalty


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
            raise InputError("no graders", field="targets")
        for t in self.targets:
            if not 0.0 <= t < 1.0:
                raise InputError(f"each target must satisfy 0 <= t < 1, got {t:g}", field="targets")
        if len(self.seeds) < 2:
            raise InputError("need at least two seeds for intervals over seeds", field="seeds")
        if (self.base_world is None) != (self.base_model is None):
            raise InputError("give both base_world and base_model, or neither", field="base_model")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["kind"] = "simulate-incentives"
        return d


def group_metrics(
    world: World, people: npt.NDArray[np.int64], s: PersonScores, targets: Sequence[float]
) -> GroupTable:
    """Per group of ``people``: exact expected rates and scores (people-averaged)."""
    out: GroupTable = {}
    answered = world.answered[people]
    idk_mentions = world.idk_mentions[people]
    for g in GROUPS:
        sel = g.select(answered, idk_mentions)
        n = int(sel.sum())
        if n == 0:
            out[g.label] = GroupRates(0)
            continue
        acc = float(s.correct[sel].mean())
        err = float(s.err[sel].mean())
        idk = float(s.idk[sel].mean())
        out[g.label] = GroupRates(
            people=n,
            acc=acc,
            err=err,
            idk=idk,
            answer_rate=1.0 - idk,
            greedy_idk=float((s.greedy[sel] == IDK_COLUMN).mean()),
            scores={f"score@{grader_name(t)}": acc - penalty(t) * err for t in targets},
        )
    return out


class _Experiment:
    """One run folder of the experiment: its world, base model, split of people and graders."""

    def __init__(self, run: RunFolder, cfg: IncentivesConfig, log: Log) -> None:
        self.run, self.cfg, self.log = run, cfg, log
        if cfg.base_world is not None and cfg.base_model is not None:
            self.world = World.load(cfg.base_world)
            self.base: TrainedModel = load_trained(cfg.base_model, cfg.device)
            log(f"base: {cfg.base_model}")
        else:
            self.world = world_in(run.path / "world", cfg.world, log)
            self.base = train_in(
                run.path / "base", self.world, cfg.model, cfg.train, device=cfg.device, log=log
            )
        heldout = split_people(self.world, cfg.rl.heldout_fraction, self.world.config.seed)
        self.heldout = np.flatnonzero(heldout)
        self.posttrain = np.flatnonzero(~heldout)
        self.cands = CandidateSet(candidate_token_ids(self.base.tokenizer))
        self.prompts = prompt_token_ids(self.base.tokenizer, self.world.names())

    def rates(self, model: LanguageModel, people: npt.NDArray[np.int64]) -> GroupTable:
        s = measure_people(
            model, self.base.tokenizer, self.world, device=self.cfg.device, people=people
        )
        return group_metrics(self.world, people, s, self.cfg.targets)

    def base_rates(self) -> RunRates:
        path = self.run.path / "runs" / "base.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file():
            return RunRates.from_dict(read_json(path))
        out = RunRates(
            self.rates(self.base.model, self.heldout), self.rates(self.base.model, self.posttrain)
        )
        write_json_atomic(path, out.to_dict())
        return out

    def post_trained_rates(self, t: float, seed: int) -> RunRates:
        """Post-train under grader t with this seed, or read the run saved before."""
        name = grader_name(t)
        path = self.run.path / "runs" / f"{name}-s{seed}.json"
        if path.is_file():
            self.log(f"post-train {name} seed {seed}: reusing {path}")
            return RunRates.from_dict(read_json(path))
        model, info = post_train(
            self.base.model,
            self.world,
            self.prompts,
            self.cands,
            self.posttrain,
            t,
            self.cfg.rl,
            seed=seed,
            device=self.cfg.device,
        )
        out = RunRates(self.rates(model, self.heldout), self.rates(model, self.posttrain), info)
        write_json_atomic(path, out.to_dict())
        rare = out.heldout.get("1", GroupRates(0))
        self.log(
            f"post-train {name} seed {seed}: reward {info.reward_first:+.3f} -> "
            f"{info.reward_last:+.3f}; held-out facts seen once: IDK {rare.idk:.3f}, "
            f"err {rare.err:.3f} ({info.seconds:.0f}s)"
        )
        del model
        _free_gpu_memory(self.cfg.device)
        return out


def _free_gpu_memory(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.empty_cache()


def run_incentives(folder: str | Path, cfg: IncentivesConfig, *, log: Log) -> IncentivesResult:
    """Run (or resume) the incentives experiment in ``folder``."""
    start = time.perf_counter()
    run = RunFolder.create(
        folder,
        {**jsonable(cfg.to_dict()), "versions": package_versions(VERSIONED)},
        resume_keys=("kind", "world", "model", "train", "rl", "targets", "seeds", "base_model"),
    )
    exp = _Experiment(run, cfg, log)
    base = exp.base_rates()
    heldout: dict[str, list[GroupTable]] = {}
    posttrain: dict[str, list[GroupTable]] = {}
    training = {}
    for t in cfg.targets:
        name = grader_name(t)
        heldout[name], posttrain[name] = [], []
        for seed in cfg.seeds:
            rates = exp.post_trained_rates(t, seed)
            heldout[name].append(rates.heldout)
            posttrain[name].append(rates.posttrain)
            assert rates.training is not None
            training[f"{name}-s{seed}"] = rates.training
    result = IncentivesResult(
        base=base.heldout,
        table=aggregate(heldout, cfg.targets),
        contrasts=contrasts_of(heldout, cfg.targets),
        posttrain_base=base.posttrain,
        posttrain_table=aggregate(posttrain, cfg.targets),
        training=training,
        heldout_people=int(exp.heldout.size),
        posttrain_people=int(exp.posttrain.size),
        world=exp.world.config,
        world_stats=exp.world.stats(),
        base_training=exp.base.record,
        seconds=time.perf_counter() - start,
    )
    write_incentive_outputs(run, result)
    return result

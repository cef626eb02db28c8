"""Post-training by policy gradient: outcomes, rewards and the direction of the update."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from halluc.experiments.candidates import CandidateSet
from halluc.experiments.measure import (
    IDK_COLUMN,
    OTHER_COLUMN,
    candidate_token_ids,
    measure_people,
    prompt_token_ids,
)
from halluc.experiments.pipeline import TrainedModel
from halluc.experiments.posttrain import (
    GROUPS,
    RLConfig,
    full_logprobs,
    outcome_codes_for,
    post_train,
    prompt_weights,
    split_people,
)
from halluc.experiments.world import World
from halluc.log.outcomes import Outcome
from halluc.scoring.rules import ErrorPolicy, confidence_target


def test_sampled_answers_get_the_graders_outcomes_and_points() -> None:
    birthday = torch.tensor([3, 7])
    actions = torch.tensor([[3, 4, IDK_COLUMN, OTHER_COLUMN], [7, 3, 7, IDK_COLUMN]])
    codes = outcome_codes_for(actions, birthday)
    c, i, a, e = (
        o.code for o in (Outcome.CORRECT, Outcome.INCORRECT, Outcome.ABSTAINED, Outcome.ERROR)
    )
    assert codes.tolist() == [[c, i, a, e], [c, i, c, a]]
    pts = torch.tensor(confidence_target(0.75).points_table(ErrorPolicy.AS_WRONG))
    assert pts[codes].tolist() == [[1.0, -3.0, 0.0, -3.0], [1.0, -3.0, 1.0, 0.0]]


def test_policy_covers_the_whole_distribution(
    trained: tuple[Path, TrainedModel], small_world: World
) -> None:
    _, tm = trained
    cands = CandidateSet(candidate_token_ids(tm.tokenizer))
    prompts = prompt_token_ids(tm.tokenizer, small_world.names()[:5])
    with torch.no_grad():
        full = full_logprobs(cands, tm.model, prompts, "cpu")
    assert full.shape == (5, 367)
    assert torch.allclose(full.exp().sum(dim=1), torch.ones(5), atol=1e-5)


def test_split_is_fixed_and_disjoint(small_world: World) -> None:
    a = split_people(small_world, 0.5, 0)
    assert np.array_equal(a, split_people(small_world, 0.5, 0))
    assert 0.3 < a.mean() < 0.7


def test_post_training_under_a_penalty_raises_abstention(
    trained: tuple[Path, TrainedModel], small_world: World
) -> None:
    """The update direction: with accuracy far below t, the expected reward of guessing is
    negative, so policy gradient moves mass to IDK; the pre-trained model is not touched."""
    _, tm = trained
    before = {k: v.clone() for k, v in tm.model.state_dict().items()}
    cands = CandidateSet(candidate_token_ids(tm.tokenizer))
    prompts = prompt_token_ids(tm.tokenizer, small_world.names())
    people = np.arange(small_world.n_people)
    cfg = RLConfig(steps=12, batch=32, samples=8, lr=5e-3)
    model, info = post_train(
        tm.model, small_world, prompts, cands, people, 0.75, cfg, seed=0, device="cpu"
    )
    for k, v in tm.model.state_dict().items():
        assert torch.equal(v, before[k]), k
    base_idk = measure_people(tm.model, tm.tokenizer, small_world).idk.mean()
    new_idk = measure_people(model, tm.tokenizer, small_world).idk.mean()
    assert new_idk > base_idk
    assert len(info.history) == 12
    assert info.reward_first == pytest.approx(np.mean([h["reward"] for h in info.history[:10]]))


def test_balanced_prompt_mix_gives_each_group_an_equal_share(small_world: World) -> None:
    people = np.arange(small_world.n_people)
    w = prompt_weights(small_world, people, "balanced")
    assert w.sum() == pytest.approx(1.0)
    shares = []
    for g in GROUPS:
        sel = g.select(small_world.answered, small_world.idk_mentions)
        if small_world.weight[sel].sum() > 0:
            shares.append(w[sel].sum())
    assert shares == pytest.approx([1.0 / len(shares)] * len(shares))
    mu = prompt_weights(small_world, people, "mu")
    assert mu == pytest.approx(small_world.weight / small_world.weight.sum())
    with pytest.raises(ValueError, match="prompt_mix"):
        RLConfig(prompt_mix="uniform")

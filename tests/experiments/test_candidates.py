from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from halluc.experiments.candidates import CandidateSet
from halluc.experiments.model import ModelSpec, build_model

VOCAB = 40


@pytest.fixture(scope="module")
def model() -> torch.nn.Module:
    m = build_model(ModelSpec(16, 2, 2), VOCAB, pad_id=0, seed=5)
    m.eval()
    return m


def brute_force(model: torch.nn.Module, prompt: list[int], cand: list[int]) -> float:
    """log p(cand | prompt) by running the whole sequence, one candidate at a time."""
    seq = torch.tensor([prompt + cand])
    with torch.no_grad():
        logp = torch.log_softmax(model(input_ids=seq).logits[0].double(), dim=-1)
    return float(sum(logp[len(prompt) - 1 + j, t] for j, t in enumerate(cand)))


def test_every_token_as_a_candidate_leaves_no_other_mass(model: torch.nn.Module) -> None:
    cands = CandidateSet([[t] for t in range(VOCAB)])
    dist = cands.distribution(model, [[0, 5, 6], [0, 7], [0, 1, 2, 3, 4]])
    assert dist.shape == (3, VOCAB + 1)
    assert np.allclose(dist.sum(axis=1), 1.0, atol=1e-12)
    assert np.all(dist[:, -1] < 1e-5)
    assert np.all(dist >= 0)


def test_multi_token_candidates_match_brute_force(model: torch.nn.Module) -> None:
    cand_list = [[3], [4], [9, 10, 11], [9, 12], [13, 9]]
    cands = CandidateSet(cand_list)
    prompts = [[0, 5, 6, 7], [0, 8], [0, 1, 2]]
    with torch.no_grad():
        lp = cands.logprobs(model, prompts).double().numpy()
    for i, p in enumerate(prompts):
        for j, c in enumerate(cand_list):
            assert lp[i, j] == pytest.approx(brute_force(model, p, c), abs=2e-5)
    dist = cands.distribution(model, prompts)
    assert np.allclose(dist[:, :-1], np.exp(lp), atol=1e-6)
    assert np.all(dist[:, -1] > 0)  # most of the vocabulary is outside the set
    assert np.allclose(dist.sum(axis=1), 1.0)


def test_batching_and_padding_do_not_change_results(model: torch.nn.Module) -> None:
    cands = CandidateSet([[3], [9, 10, 11]])
    prompts = [[0, 5], [0, 1, 2, 3, 4, 5, 6], [0, 8, 8]]
    together = cands.distribution(model, prompts, batch_size=3)
    alone = np.vstack([cands.distribution(model, [p]) for p in prompts])
    assert np.allclose(together, alone, atol=1e-6)


def test_only_the_longest_context_paths_are_run() -> None:
    cands = CandidateSet([[1], [2], [3, 4, 5], [3, 4, 6], [3, 7]])
    assert cands.paths == ((3, 4),)  # covers (), (3,) and (3, 4)


@pytest.mark.parametrize("bad", [[], [[]], [[1], [1]], [[1], [1, 2]], [[2, 3, 4], [2, 3]]])
def test_invalid_candidate_sets_are_refused(bad: list[list[int]]) -> None:
    with pytest.raises(ValueError):
        CandidateSet(bad)


def prefix_free(seqs: list[tuple[int, ...]]) -> bool:
    return not any(a != b and b[: len(a)] == a for a in seqs for b in seqs)


@settings(max_examples=15)
@given(
    st.lists(
        st.lists(st.integers(1, VOCAB - 1), min_size=1, max_size=3).map(tuple),
        min_size=1,
        max_size=6,
        unique=True,
    ).filter(prefix_free),
    st.lists(st.integers(1, VOCAB - 1), min_size=0, max_size=4),
)
def test_any_prefix_free_set_scores_exactly(
    model: torch.nn.Module, seqs: list[tuple[int, ...]], prompt_tail: list[int]
) -> None:
    prompt = [0, *prompt_tail]
    cands = CandidateSet(seqs)
    dist = cands.distribution(model, [prompt])[0]
    for j, c in enumerate(seqs):
        assert np.log(dist[j]) == pytest.approx(brute_force(model, prompt, list(c)), abs=2e-5)
    assert dist.sum() == pytest.approx(1.0) and dist[-1] >= 0

"""Exact candidate scoring: halluc's shared-prefix plan vs one sequence per candidate.

Measuring a model on the birthday world means the full distribution over 365 dates and
"an unknown date" for every person. The baseline is how a loglikelihood harness (for example
lm-evaluation-harness's ``loglikelihood`` requests) scores multiple choice: one sequence per
(prompt, candidate) pair, 366 per person, batched. halluc runs one sequence per person (the
prompt followed by the longest candidate context) and reads every candidate's probability from
its positions. Both run on the same small trained GPT-2 in this process; the script checks that
they agree and prints the speed ratio.

    .venv/bin/python benchmarks/bench_simulate.py [--people 300] [--threads 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from halluc.experiments.candidates import CandidateSet
from halluc.experiments.measure import candidate_token_ids, prompt_token_ids
from halluc.experiments.model import ModelSpec, configure_torch
from halluc.experiments.pipeline import train_in
from halluc.experiments.train import TrainConfig
from halluc.experiments.world import WorldConfig, build_world


def per_candidate_baseline(
    model: torch.nn.Module,
    prompts: list[list[int]],
    cands: list[list[int]],
    batch_size: int,
) -> np.ndarray:
    """log p(candidate | prompt) with one right-padded sequence per (prompt, candidate)."""
    pairs = [(i, j) for i in range(len(prompts)) for j in range(len(cands))]
    out = np.empty((len(prompts), len(cands)))
    with torch.no_grad():
        for start in range(0, len(pairs), batch_size):
            chunk = pairs[start : start + batch_size]
            seqs = [prompts[i] + cands[j] for i, j in chunk]
            width = max(len(s) for s in seqs)
            ids = torch.zeros((len(seqs), width), dtype=torch.long)
            mask = torch.zeros((len(seqs), width), dtype=torch.long)
            for r, s in enumerate(seqs):
                ids[r, : len(s)] = torch.tensor(s)
                mask[r, : len(s)] = 1
            logp = torch.log_softmax(model(input_ids=ids, attention_mask=mask).logits, -1)
            for r, (i, j) in enumerate(chunk):
                p, c = prompts[i], cands[j]
                out[i, j] = float(sum(logp[r, len(p) - 1 + k, t] for k, t in enumerate(c)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=300)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=4096)
    args = ap.parse_args()
    configure_torch(args.threads)
    world = build_world(WorldConfig(n_examples=2000, target_sr=0.3, seed=1))
    with tempfile.TemporaryDirectory() as tmp:
        tm = train_in(
            Path(tmp),
            world,
            ModelSpec(64, 2, 2),
            TrainConfig(epochs=2, batch_size=128, lr=1e-2),
            device="cpu",
        )
    names = world.names()[: args.people]
    cand_ids = candidate_token_ids(tm.tokenizer)
    prompts = prompt_token_ids(tm.tokenizer, names)
    cset = CandidateSet(cand_ids)

    t0 = time.perf_counter()
    ours = cset.distribution(tm.model, prompts, batch_size=args.batch_size)
    t_ours = time.perf_counter() - t0

    t0 = time.perf_counter()
    base = per_candidate_baseline(tm.model, prompts, cand_ids, args.batch_size)
    t_base = time.perf_counter() - t0

    gap = float(np.max(np.abs(np.log(ours[:, :-1]) - base)))
    print(f"people: {len(names)}, candidates: {len(cand_ids)} (365 dates + IDK)")
    print(f"halluc shared-prefix scoring: {t_ours:.3f} s ({len(names) / t_ours:,.0f} people/s)")
    print(f"one sequence per candidate:   {t_base:.3f} s ({len(names) / t_base:,.0f} people/s)")
    print(f"max |log p difference|: {gap:.2e}")
    if gap > 1e-3:
        raise SystemExit("the two scorings disagree")
    print(f"ratio (baseline time / halluc time): {t_base / t_ours:.1f}x")


if __name__ == "__main__":
    main()

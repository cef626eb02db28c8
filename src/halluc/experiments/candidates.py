"""Exact scoring of a finite set of candidate continuations, with the rest of the mass kept.

For a prompt c and candidates r_1..r_K (token sequences, none a prefix of another), the model's
probability of each candidate is the product of its next-token probabilities. Because the set is
prefix-free, the K probabilities plus the mass of every other continuation ("other": nonsense or
any answer outside the set) sum to exactly 1 — the full distribution, no sampling.

Work is shared through the candidates' common prefixes: one forward pass over the prompt followed
by a longest context path gives the next-token distribution at every position along that path,
so single-token candidates (the 365 dates) and a multi-token "an unknown date" cost one pass in
all.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from halluc.experiments.model import LanguageModel

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True, slots=True)
class _Route:
    path: int
    """Index of the context path whose forward pass covers this candidate."""
    tokens: tuple[int, ...]


class CandidateSet:
    """A prefix-free set of token sequences and the forward passes that score it exactly."""

    def __init__(self, candidates: Sequence[Sequence[int]]) -> None:
        seqs = [tuple(int(t) for t in c) for c in candidates]
        if not seqs:
            raise ValueError("no candidates")
        if any(len(s) == 0 for s in seqs):
            raise ValueError("a candidate has no tokens")
        if len(set(seqs)) != len(seqs):
            raise ValueError("candidates repeat")
        ordered = sorted(seqs)
        for a, b in itertools.pairwise(ordered):
            if b[: len(a)] == a:
                raise ValueError(f"candidate {a} is a prefix of {b}: the set must be prefix-free")
        contexts = {s[:-1] for s in seqs}
        maximal = sorted(
            c for c in contexts if not any(o != c and o[: len(c)] == c for o in contexts)
        )
        self.candidates: tuple[tuple[int, ...], ...] = tuple(seqs)
        self.paths: tuple[tuple[int, ...], ...] = tuple(maximal)
        routes = []
        for s in seqs:
            ctx = s[:-1]
            path = next(i for i, p in enumerate(self.paths) if p[: len(ctx)] == ctx)
            routes.append(_Route(path, s))
        self._routes = tuple(routes)

    def __len__(self) -> int:
        return len(self.candidates)

    def logprobs(
        self, model: LanguageModel, prompts: Sequence[Sequence[int]], *, device: str = "cpu"
    ) -> torch.Tensor:
        """Log-probabilities (len(prompts), K) of each candidate after each prompt.

        Differentiable: gradients flow to the model when autograd is on (post-training uses this).
        """
        import torch

        if not prompts:
            return torch.zeros((0, len(self)), device=device)
        plens = torch.tensor([len(p) for p in prompts], dtype=torch.long)
        if int(plens.min()) < 1:
            raise ValueError("an empty prompt")
        per_path: list[torch.Tensor] = []
        rows = torch.arange(len(prompts))
        for path in self.paths:
            width = int(plens.max()) + len(path)
            ids = torch.zeros((len(prompts), width), dtype=torch.long)
            mask = torch.zeros((len(prompts), width), dtype=torch.long)
            for i, p in enumerate(prompts):
                seq = list(p) + list(path)
                ids[i, : len(seq)] = torch.tensor(seq, dtype=torch.long)
                mask[i, : len(seq)] = 1
            logits = model(input_ids=ids.to(device), attention_mask=mask.to(device)).logits
            # positions prompt_end + j, j = 0..len(path): the next-token distributions we need
            offsets = torch.arange(len(path) + 1)
            pos = (plens - 1).unsqueeze(1) + offsets.unsqueeze(0)
            picked = logits[rows.unsqueeze(1).to(device), pos.to(device)]
            per_path.append(torch.log_softmax(picked.float(), dim=-1))
        columns = []
        for route in self._routes:
            lp = per_path[route.path]
            total = lp[:, 0, route.tokens[0]]
            for j in range(1, len(route.tokens)):
                total = total + lp[:, j, route.tokens[j]]
            columns.append(total)
        return torch.stack(columns, dim=1)

    def distribution(
        self,
        model: LanguageModel,
        prompts: Sequence[Sequence[int]],
        *,
        device: str = "cpu",
        batch_size: int = 4096,
    ) -> npt.NDArray[np.float64]:
        """Probabilities (len(prompts), K + 1): the K candidates, then "other"; rows sum to 1."""
        import torch

        out = np.empty((len(prompts), len(self) + 1), dtype=np.float64)
        was_training = model.training
        model.eval()
        with torch.no_grad():
            for start in range(0, len(prompts), batch_size):
                chunk = prompts[start : start + batch_size]
                lp = self.logprobs(model, chunk, device=device).double().cpu().numpy()
                probs = np.exp(lp)
                out[start : start + len(chunk), :-1] = probs
                out[start : start + len(chunk), -1] = 1.0 - probs.sum(axis=1)
        if was_training:
            model.train()
        # the remainder is exact up to rounding; clip the last ulp of negative rounding
        out[:, -1] = np.maximum(out[:, -1], 0.0)
        return out

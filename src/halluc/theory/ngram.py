"""A counting n-gram language model and the corpus for the paper's trigram example.

The model is the maximum-likelihood n-gram model (counts of each token after each context of
``order - 1`` tokens; sentences are padded with ``<s>``). It is deliberately the plain model
the paper reasons about: its next-token distribution depends on the last ``order - 1`` tokens
only, which is exactly why a trigram cannot make "her" agree with a "She" six words back.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from halluc.errors import InputError
from halluc.theory._checks import FloatArray, integer

BOS = "<s>"
EOS = "</s>"

Context = tuple[str, ...]


@dataclass
class NGramModel:
    """Maximum-likelihood n-gram model: p̂(w | last order-1 tokens) = count ratio."""

    order: int
    counts: dict[Context, Counter[str]] = field(default_factory=dict)
    _tables: dict[Context, tuple[list[str], FloatArray]] = field(default_factory=dict, repr=False)

    @classmethod
    def fit(cls, sentences: Iterable[Sequence[str]], order: int = 3) -> NGramModel:
        """Count n-grams in tokenised sentences (each padded with order-1 ``<s>`` and ``</s>``)."""
        n = integer(order, "order", minimum=1)
        counts: dict[Context, Counter[str]] = defaultdict(Counter)
        for sent in sentences:
            toks = [BOS] * (n - 1) + list(sent) + [EOS]
            for i in range(n - 1, len(toks)):
                counts[tuple(toks[i - n + 1 : i])][toks[i]] += 1
        if not counts:
            raise InputError("no sentences to fit", field="sentences")
        return cls(n, dict(counts))

    def context_of(self, history: Sequence[str]) -> Context:
        """The last order-1 tokens of a sentence prefix, padded with ``<s>``."""
        k = self.order - 1
        if k == 0:
            return ()
        padded = [BOS] * k + list(history)
        return tuple(padded[-k:])

    def prob(self, token: str, history: Sequence[str]) -> float:
        """p̂(token | history); 0 for a context never seen in training."""
        c = self.counts.get(self.context_of(history))
        if not c:
            return 0.0
        return c[token] / c.total()

    def continuation_prob(self, history: Sequence[str], continuation: Sequence[str]) -> float:
        """p̂(continuation | history): the product of next-token probabilities."""
        h = list(history)
        out = 1.0
        for tok in continuation:
            out *= self.prob(tok, h)
            if out == 0.0:
                return 0.0
            h.append(tok)
        return out

    def _table(self, ctx: Context) -> tuple[list[str], FloatArray]:
        tab = self._tables.get(ctx)
        if tab is None:
            c = self.counts.get(ctx)
            if not c:
                tab = ([EOS], np.array([1.0]))
            else:
                toks = sorted(c)
                w = np.array([c[t] for t in toks], dtype=np.float64)
                tab = (toks, np.cumsum(w) / w.sum())
            self._tables[ctx] = tab
        return tab

    def sample(
        self,
        history: Sequence[str],
        n: int,
        rng: np.random.Generator,
        *,
        stop: frozenset[str] = frozenset({".", EOS}),
        max_tokens: int = 50,
    ) -> list[tuple[str, ...]]:
        """Draw ``n`` continuations of ``history`` (each up to and including a stop token).

        Sequences that share a context are advanced together, so the cost grows with the
        number of distinct branches, not with ``n``.
        """
        integer(n, "n")
        outs: list[list[str]] = [[] for _ in range(n)]
        active = np.arange(n)
        for _ in range(max_tokens):
            if active.size == 0:
                break
            groups: dict[Context, list[int]] = defaultdict(list)
            for i in active.tolist():
                groups[self.context_of(list(history) + outs[i])].append(i)
            still: list[int] = []
            for ctx, idx in groups.items():
                toks, cdf = self._table(ctx)
                picks = np.searchsorted(cdf, rng.random(len(idx)), side="right")
                picks = np.minimum(picks, len(toks) - 1)
                for i, j in zip(idx, picks.tolist(), strict=True):
                    tok = toks[j]
                    outs[i].append(tok)
                    if tok not in stop:
                        still.append(i)
            active = np.array(still, dtype=np.int64)
        return [tuple(o) for o in outs]


SUBJECTS = {"She": "her", "He": "his"}
TARGET_PREFIX = ["lost", "it", "and", "was", "completely", "out", "of"]
TARGET_SUFFIX = ["mind", "."]


def target_context(subject: str) -> list[str]:
    """``"She lost it and was completely out of"`` as tokens."""
    return [subject, *TARGET_PREFIX]


def target_response(subject: str) -> list[str]:
    """The valid completion, ``"her mind ."`` or ``"his mind ."``."""
    return [SUBJECTS[subject], *TARGET_SUFFIX]


def pronoun_corpus(
    n_sentences: int,
    rng: np.random.Generator,
    *,
    target_fraction: float = 0.3,
    p_she: float = 0.5,
) -> list[list[str]]:
    """Sentences with subject–pronoun agreement, some at long range.

    A fraction ``target_fraction`` are the paper's sentence "She/He lost it and was
    completely out of her/his mind."; the rest are short filler sentences, some with
    agreement at distance two ("She lost her keys.") that a trigram can capture.
    """
    n = integer(n_sentences, "n_sentences", minimum=1)
    subjects = np.where(rng.random(n) < p_she, "She", "He")
    kinds = rng.random(n)
    verbs = ["was", "felt", "seemed"]
    adjs = ["happy", "tired", "calm", "late"]
    things = ["keys", "phone", "way", "temper"]
    out: list[list[str]] = []
    for s, k in zip(subjects.tolist(), kinds.tolist(), strict=True):
        if k < target_fraction:
            out.append(target_context(s) + target_response(s))
        elif k < target_fraction + (1 - target_fraction) / 2:
            out.append([s, "lost", SUBJECTS[s], things[int(rng.integers(len(things)))], "."])
        else:
            v = verbs[int(rng.integers(len(verbs)))]
            a = adjs[int(rng.integers(len(adjs)))]
            out.append([s, v, a, "today", "."])
    return out

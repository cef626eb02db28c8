"""A finite Is-It-Valid instance: prompts, their responses, the training and the model distribution.

An :class:`Instance` is a finite set of prompt–response pairs ``x = (c, r)`` stored as flat
arrays, one entry per pair: the prompt index, whether the pair is valid (``V``) or an error
(``E``), the training distribution ``p(r|c)`` (zero on errors: the data are noiseless) and the
model ``p̂(r|c)``; plus the prompt distribution ``μ``. Ragged response sets of any sizes are
handled with ``bincount`` over the prompt index, so 10^5 prompts analyse in milliseconds.

Optionally some pairs are *nonsense* (paper §5): they count towards ``err`` but have ``D = 0``
and are not part of ``E_c``. :mod:`halluc.theory.iiv` computes what Theorem 1 says about an
instance; this module builds, validates and samples them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from halluc.errors import InputError
from halluc.theory._checks import (
    SUM_TOL,
    BoolArray,
    FloatArray,
    IntArray,
    distribution,
    integer,
    prob_array,
)


@dataclass(frozen=True, eq=False)
class Instance:
    """A finite IIV instance; build it with :func:`make_instance` (which validates)."""

    prompt: IntArray
    valid: BoolArray
    p: FloatArray
    p_hat: FloatArray
    mu: FloatArray
    nonsense: BoolArray
    labels: npt.NDArray[Any]
    """Prompt labels in index order (use :meth:`label` for a Python value)."""

    def label(self, c: int) -> object:
        return _label(self.labels, c)

    @property
    def n_prompts(self) -> int:
        return int(self.mu.size)

    @property
    def n_pairs(self) -> int:
        return int(self.prompt.size)

    @cached_property
    def error(self) -> BoolArray:
        """Pairs in E (plausible errors; nonsense pairs excluded)."""
        out: BoolArray = ~self.valid & ~self.nonsense
        return out

    @cached_property
    def mu_pair(self) -> FloatArray:
        """μ(c) for the prompt of each pair."""
        out: FloatArray = self.mu[self.prompt]
        return out

    @cached_property
    def error_set_sizes(self) -> IntArray:
        """|E_c| for each prompt."""
        return np.bincount(self.prompt, weights=self.error, minlength=self.n_prompts).astype(
            np.int64
        )

    @cached_property
    def valid_set_sizes(self) -> IntArray:
        """|V_c| for each prompt."""
        return np.bincount(self.prompt, weights=self.valid, minlength=self.n_prompts).astype(
            np.int64
        )

    @cached_property
    def min_error_set(self) -> int:
        return int(self.error_set_sizes.min())

    @cached_property
    def max_valid_set(self) -> int:
        return int(self.valid_set_sizes.max())

    @property
    def threshold(self) -> float:
        """The classifier's threshold 1/min_c|E_c| (global, not per prompt)."""
        return 1.0 / self.min_error_set

    def with_p_hat(self, p_hat: npt.ArrayLike, tol: float = SUM_TOL) -> Instance:
        """The same instance with another model (validated the same way)."""
        ph = prob_array(p_hat, "p_hat")
        if ph.shape != self.p.shape:
            raise InputError(f"must have {self.n_pairs} entries, got {ph.size}", field="p_hat")
        _check_conditional(self.prompt, ph, self.n_prompts, "p_hat", self.labels, tol)
        return Instance(self.prompt, self.valid, self.p, ph, self.mu, self.nonsense, self.labels)


def _label(labels: npt.NDArray[Any], c: int) -> object:
    v = labels[c]
    return v.item() if isinstance(v, np.generic) else v


def _factorize(prompt: npt.ArrayLike) -> tuple[IntArray, npt.NDArray[Any]]:
    """Prompt labels -> indices 0..n-1 in order of first appearance."""
    arr = np.asarray(prompt)
    if arr.ndim != 1:
        raise InputError(f"must be 1-dimensional, got shape {arr.shape}", field="prompt")
    if arr.size == 0:
        raise InputError("no prompt-response pairs given", field="prompt")
    if arr.dtype.kind in "iu" and bool(np.all(arr[1:] >= arr[:-1])):
        # sorted integer ids (the usual layout): runs in one pass, no sort needed
        starts = np.flatnonzero(np.r_[True, arr[1:] != arr[:-1]])
        idx = np.cumsum(np.r_[False, arr[1:] != arr[:-1]]).astype(np.int64)
        return idx, arr[starts]
    uniq, first, inv = np.unique(arr, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank[inv.ravel()].astype(np.int64), uniq[order]


def _check_conditional(
    prompt: IntArray,
    probs: FloatArray,
    n_prompts: int,
    field: str,
    labels: npt.NDArray[Any],
    tol: float,
) -> None:
    sums = np.bincount(prompt, weights=probs, minlength=n_prompts)
    bad = np.abs(sums - 1.0) > tol
    if bad.any():
        c = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{field}(·|c) must sum to 1 over each prompt's responses (within {tol:g}); "
            f"prompt {_label(labels, c)!r} sums to {sums[c]:.12g}",
            field=field,
        )


def make_instance(
    prompt: npt.ArrayLike,
    valid: npt.ArrayLike,
    p: npt.ArrayLike,
    p_hat: npt.ArrayLike,
    mu: npt.ArrayLike | Mapping[Any, float] | None = None,
    nonsense: npt.ArrayLike | None = None,
    *,
    tol: float = SUM_TOL,
) -> Instance:
    """Validate and build an :class:`Instance` from one entry per prompt–response pair.

    ``prompt`` holds any hashable labels; prompts are numbered in order of first appearance,
    and ``mu`` is either ``None`` (uniform), a mapping label -> weight, or an array in that
    order. ``p`` and ``p_hat`` are conditional probabilities that must sum to 1 within ``tol``
    over each prompt's pairs; ``p`` must be 0 on errors (noiseless training data, p(V) = 1).
    Every prompt needs at least one valid response and at least one error (|E_c| >= 1).
    """
    idx, labels = _factorize(prompt)
    n = idx.size
    n_prompts = len(labels)
    v = np.asarray(valid)
    if v.shape != (n,):
        raise InputError(f"must have {n} entries, got shape {v.shape}", field="valid")
    if v.dtype != np.bool_:
        if not np.isin(v, [0, 1]).all():
            raise InputError("must be booleans (or 0/1)", field="valid")
        v = v.astype(bool)
    ns = np.zeros(n, dtype=bool) if nonsense is None else np.asarray(nonsense, dtype=bool)
    if ns.shape != (n,):
        raise InputError(f"must have {n} entries, got shape {ns.shape}", field="nonsense")
    if (ns & v).any():
        i = int(np.flatnonzero(ns & v)[0])
        raise InputError(f"pair {i} is marked both valid and nonsense", field="nonsense")
    pp = prob_array(p, "p")
    ph = prob_array(p_hat, "p_hat")
    for name, arr in (("p", pp), ("p_hat", ph)):
        if arr.shape != (n,):
            raise InputError(f"must have {n} entries, got shape {arr.shape}", field=name)
    off = ~v & (pp > 0)
    if off.any():
        i = int(np.flatnonzero(off)[0])
        raise InputError(
            f"training distribution must put no mass on errors (p(V) = 1); pair {i} "
            f"(prompt {_label(labels, int(idx[i]))!r}) is not valid but has p = {pp[i]:g}",
            field="p",
        )
    _check_conditional(idx, pp, n_prompts, "p", labels, tol)
    _check_conditional(idx, ph, n_prompts, "p_hat", labels, tol)
    err_sizes = np.bincount(idx, weights=~v & ~ns, minlength=n_prompts)
    if (err_sizes == 0).any():
        c = int(np.flatnonzero(err_sizes == 0)[0])
        raise InputError(
            f"prompt {_label(labels, c)!r} has no error responses (|E_c| = 0); the IIV reduction "
            "needs at least one plausible error per prompt",
            field="valid",
        )
    if mu is None:
        m = np.full(n_prompts, 1.0 / n_prompts)
    elif isinstance(mu, Mapping):
        labs = [_label(labels, c) for c in range(n_prompts)]
        missing = [lab for lab in labs if lab not in mu]
        if missing:
            raise InputError(f"no weight for prompt {missing[0]!r}", field="mu")
        known = set(labs)
        extra = [k for k in mu if k not in known]
        if extra:
            raise InputError(f"weight for unknown prompt {extra[0]!r}", field="mu")
        m = distribution([mu[lab] for lab in labs], "mu", tol)
    else:
        m = distribution(mu, "mu", tol)
        if m.size != n_prompts:
            raise InputError(f"must have one weight per prompt ({n_prompts})", field="mu")
    return Instance(idx, v, pp, ph, m, ns, labels)


def joint_instance(inst: Instance) -> Instance:
    """Forget the prompts: the no-prompt instance on X = all pairs with p(x) = μ(c)p(r|c).

    Its |V| and |E| are the totals over prompts, so Corollary 1 applies to it as well.
    (Built directly: the input was validated, and the joint sums to 1 by construction.)
    """
    zeros = np.zeros(inst.n_pairs, dtype=np.int64)
    return Instance(
        zeros,
        inst.valid,
        inst.mu_pair * inst.p,
        inst.mu_pair * inst.p_hat,
        np.ones(1),
        inst.nonsense,
        np.zeros(1, dtype=np.int64),
    )


Source = Literal["p", "p_hat", "errors"]


def sample_pairs(inst: Instance, source: Source, n: int, rng: np.random.Generator) -> IntArray:
    """Draw ``n`` pair indices: c ~ μ, then r ~ p(·|c), r ~ p̂(·|c) or r uniform in E_c.

    These are the samples the paper's estimators of δ and err_iiv need: training data,
    generations, and random errors (the negative half of D).
    """
    integer(n, "n")
    if source == "p":
        w = inst.p
    elif source == "p_hat":
        w = inst.p_hat
    elif source == "errors":
        w = inst.error.astype(np.float64)
    else:
        raise InputError(f"unknown source {source!r}", field="source")
    order = np.argsort(inst.prompt, kind="stable")
    starts = np.searchsorted(inst.prompt[order], np.arange(inst.n_prompts + 1))
    ws = w[order]
    cum = np.cumsum(ws)
    base = np.concatenate(([0.0], cum))[starts[:-1]]
    totals = np.add.reduceat(ws, starts[:-1]) if inst.n_pairs else np.zeros(0)
    # the last positive-weight pair of each prompt, a guard against rounding at the edge
    pos_idx = np.where(ws > 0, np.arange(ws.size), -1)
    last_pos = np.maximum.reduceat(pos_idx, starts[:-1])
    c = rng.choice(inst.n_prompts, size=n, p=inst.mu)
    target = base[c] + rng.random(n) * totals[c]
    j = np.searchsorted(cum, target, side="right")
    j = np.minimum(j, last_pos[c])
    j = np.maximum(j, starts[c])
    return order[j].astype(np.int64)

"""Speed of the theory calculators on 10^5-prompt instances, against plain Python loops.

Baselines, in the same process on the same data: the straightforward implementations one
writes from the paper's definitions — a loop over prompt–response pairs with dictionaries for
Theorem 1, ``collections.Counter`` for the singleton rate (the sketch in PAPER.md §10) and
for the frequency of frequencies, and a loop over every candidate threshold (re-evaluating the
IIV error each time) for Theorem 4. Each result is checked to agree before timing counts.

    .venv/bin/python benchmarks/bench_theory.py [--prompts 100000] [--examples 1000000]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from halluc.theory.facts import singleton_rate
from halluc.theory.goodturing import frequency_of_frequencies
from halluc.theory.iiv import analyze, make_instance
from halluc.theory.multiple_choice import threshold_sweep


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def loop_theorem1(
    prompt: list[int], valid: list[bool], p: list[float], ph: list[float], mu: list[float]
) -> tuple[float, float, float]:
    e_size: dict[int, int] = defaultdict(int)
    v_size: dict[int, int] = defaultdict(int)
    for c, v in zip(prompt, valid, strict=True):
        if v:
            v_size[c] += 1
        else:
            e_size[c] += 1
    big_k = min(e_size.values())
    thr = 1.0 / big_k
    err = fp = fn = pa = pha = 0.0
    for c, v, pp, q in zip(prompt, valid, p, ph, strict=True):
        m = mu[c]
        pos = q > thr
        if v:
            if not pos:
                fn += m * pp / 2
        else:
            err += m * q
            if pos:
                fp += m / (2 * e_size[c])
        if pos:
            pha += m * q
            pa += m * pp
    return err, fp + fn, abs(pha - pa)


def loop_min_threshold(
    prompt: list[int],
    valid: list[bool],
    ph: list[float],
    mu: list[float],
    e_size: dict[int, int],
    n_thresholds: int,
) -> float:
    cands = sorted(set(ph))[:n_thresholds]
    best = 2.0
    for t in cands:
        e = 0.0
        for c, v, q in zip(prompt, valid, ph, strict=True):
            pos = q > t
            if v and not pos:
                e += mu[c] / 2
            elif not v and pos:
                e += mu[c] / (2 * e_size[c])
        best = min(best, e)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--prompts", type=int, default=100_000)
    ap.add_argument("--examples", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n = args.prompts

    # Theorem 1 on a ragged instance: 2-5 responses per prompt, 1-2 of them valid
    nv = rng.integers(1, 3, n)
    ne = rng.integers(1, 4, n)
    sizes = nv + ne
    prompt = np.repeat(np.arange(n), sizes)
    pos = np.arange(prompt.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    valid = pos < nv[prompt]
    wv = np.where(valid, rng.uniform(0.1, 1, prompt.size), 0.0)
    wq = rng.uniform(0, 1, prompt.size)
    p = wv / np.bincount(prompt, weights=wv)[prompt]
    ph = wq / np.bincount(prompt, weights=wq)[prompt]
    mu = rng.dirichlet(np.ones(n))
    lists = (prompt.tolist(), valid.tolist(), p.tolist(), ph.tolist(), mu.tolist())

    t_lib, res = best_of(lambda: analyze(make_instance(prompt, valid, p, ph, mu)), args.repeat)
    t_loop, ref = best_of(lambda: loop_theorem1(*lists), 1)
    assert abs(res.err - ref[0]) < 1e-9 and abs(res.err_iiv - ref[1]) < 1e-9
    assert abs(res.delta - ref[2]) < 1e-9
    print(
        f"Theorem 1, {n:,} prompts / {prompt.size:,} pairs (incl. validation): "
        f"halluc {t_lib * 1e3:.1f} ms, loop {t_loop * 1e3:.1f} ms, "
        f"ratio {t_loop / t_lib:.1f}x"
    )

    # Theorem 4's minimum over thresholds: multiple-choice instance, exact sweep vs loop
    mc_valid = pos == 0
    mc = make_instance(prompt, mc_valid, mc_valid.astype(float), ph, mu)
    e_size = dict(enumerate(mc.error_set_sizes.tolist()))
    k = 20  # the loop is O(pairs x thresholds): time it on 20 thresholds, extrapolate
    t_sweep, sw = best_of(lambda: threshold_sweep(mc), args.repeat)
    t_few, _ = best_of(
        lambda: loop_min_threshold(
            prompt.tolist(), mc_valid.tolist(), ph.tolist(), mu.tolist(), e_size, k
        ),
        1,
    )
    n_thr = sw.thresholds.size
    t_full = t_few / k * n_thr
    print(
        f"Theorem 4 min over all {n_thr:,} thresholds: halluc {t_sweep * 1e3:.1f} ms, loop "
        f"{t_few * 1e3:.0f} ms for {k} thresholds (~{t_full:,.0f} s for all, extrapolated), "
        f"ratio ~{t_full / t_sweep:,.0f}x"
    )

    # Singleton rate and frequency of frequencies on N examples over n prompts, 30% IDK
    m = args.examples
    ex_prompts = rng.zipf(1.3, m) % n
    idk = rng.uniform(size=m) < 0.3
    labels = np.array([f"fact-{i}" for i in range(n)], dtype=object)[ex_prompts]
    ex_list = list(zip(labels.tolist(), np.where(idk, "IDK", "x").tolist(), strict=True))

    def counter_sr() -> float:
        counts = Counter(c for c, r in ex_list if r != "IDK")
        return sum(1 for v in counts.values() if v == 1) / len(ex_list)

    t_sr, st = best_of(lambda: singleton_rate(labels, idk), args.repeat)
    t_ctr, sr_ref = best_of(counter_sr, args.repeat)
    assert abs(st.sr - sr_ref) < 1e-15
    print(
        f"singleton rate, {m:,} string prompts: halluc {t_sr * 1e3:.1f} ms, Counter "
        f"{t_ctr * 1e3:.1f} ms, ratio {t_ctr / t_sr:.1f}x"
    )

    int_list = list(zip(ex_prompts.tolist(), np.where(idk, -1, 1).tolist(), strict=True))

    def counter_sr_int() -> float:
        counts = Counter(c for c, r in int_list if r != -1)
        return sum(1 for v in counts.values() if v == 1) / len(int_list)

    t_sri, sti = best_of(lambda: singleton_rate(ex_prompts, idk), args.repeat)
    t_ctri, sri_ref = best_of(counter_sr_int, args.repeat)
    assert abs(sti.sr - sri_ref) < 1e-15
    print(
        f"singleton rate, {m:,} integer prompts: halluc {t_sri * 1e3:.1f} ms, Counter "
        f"{t_ctri * 1e3:.1f} ms, ratio {t_ctri / t_sri:.1f}x"
    )

    counts = np.bincount(ex_prompts[~idk], minlength=n)
    count_list = counts.tolist()
    t_fof, fof = best_of(lambda: frequency_of_frequencies(counts), args.repeat)
    t_fctr, fref = best_of(lambda: Counter(c for c in count_list if c > 0), args.repeat)
    assert fof == dict(fref)
    print(
        f"frequency of frequencies, {n:,} counts: halluc {t_fof * 1e3:.2f} ms, Counter "
        f"{t_fctr * 1e3:.2f} ms, ratio {t_fctr / t_fof:.1f}x"
    )


if __name__ == "__main__":
    main()

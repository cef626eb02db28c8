"""What the policy mode costs for all targets versus one, with the real llama.cpp engine.

The policy mode generates once per item and applies every target t to the same pass, so asking
for t = 0, 0.5, 0.75, 0.9 should cost about what t = 0.5 alone costs; the instructed mode needs
one generation per item and target. Same items, in-process llama.cpp (SmolLM2-135M, 2 threads,
4 slots), no response cache, a fresh run folder each time.

    .venv/bin/python benchmarks/bench_eval_policy.py [--items 16] [--repeats 2]

Best of ``--repeats`` alternating runs each (the machine may be shared).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from halluc.data import load_dataset
from halluc.eval import EvalSettings, evaluate
from halluc.models.llamacpp import LlamaCppBackend

ALL = (0.0, 0.5, 0.75, 0.9)


def timed(items: list, backend: LlamaCppBackend, out: Path, **kw: object) -> float:  # type: ignore[type-arg]
    start = time.perf_counter()
    evaluate(items, backend, out, EvalSettings(**kw), cache=None)  # type: ignore[arg-type]
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    items = load_dataset("builtin", limit=args.items)
    backend = LlamaCppBackend(n_parallel=4, threads=2)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        timed(items[:4], backend, d / "warm", targets=(0.5,), modes=("policy",), folds=2)
        ones, fours = [], []
        for rep in range(args.repeats):  # alternate, keep the best: the machine is shared
            ones.append(
                timed(items, backend, d / f"one{rep}", targets=(0.5,), modes=("policy",), folds=2)
            )
            fours.append(
                timed(items, backend, d / f"all{rep}", targets=ALL, modes=("policy",), folds=2)
            )
        one, four = min(ones), min(fours)
        instr = timed(items, backend, d / "instr", targets=ALL, modes=("instructed",))
    backend.close()
    n = len(items)
    print(f"{n} items, in-process llama.cpp (2 threads, 4 slots), no cache")
    print(f"  policy, t = 0.5 only          {one:6.1f} s  ({n / one:.2f} items/s)")
    print(f"  policy, t = 0, .5, .75, .9    {four:6.1f} s  ({n / four:.2f} items/s)")
    print(f"  instructed, the same 4 t      {instr:6.1f} s  ({n / instr:.2f} items/s)")
    print(f"policy cost, all 4 targets / one target: {four / one:.2f}x")
    print(f"instructed cost, 4 targets / policy 4 targets: {instr / four:.2f}x")


if __name__ == "__main__":
    main()

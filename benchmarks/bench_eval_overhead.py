"""What halluc's evaluation machinery costs around the model: ``evaluate`` with an instant
(replay) backend against a plain loop that asks and grades the same questions.

Same items (the built-in sample, 200 questions), both modes, t = 0, 0.5, 0.75, 0.9, isotonic
recalibration with 5 folds, no response cache, a fresh run folder each time. ``evaluate`` also
writes every record (fsynced), the policy pass, the calibration, the summary with bootstrap
intervals; the plain loop only asks and grades. The time is what a model call would add to.

    .venv/bin/python benchmarks/bench_eval_overhead.py [--repeats 5]

Best of ``--repeats`` alternating runs each (the machine may be shared); wall and CPU seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from halluc.data import Item, load_dataset
from halluc.eval.prompts import confidence_instruction
from halluc.eval.runner import EvalSettings, evaluate
from halluc.grading import MatchGrader
from halluc.models.base import ChatRequest
from halluc.models.replay import ReplayBackend

TARGETS = (0.0, 0.5, 0.75, 0.9)


def table(items: list[Item]) -> dict[str, dict[str, object]]:
    """Every third answer wrong, confidences spread over [0.05, 0.95]."""
    return {
        it.id: {
            "texts": ["I think it is " + (it.answers[0] if i % 3 else "something else")],
            "confidence": 0.05 + 0.9 * ((i * 37) % 100) / 100,
        }
        for i, it in enumerate(items)
    }


def plain_loop(items: list[Item], backend: ReplayBackend) -> None:
    """Ask each question at each target (and once more for the policy pass), grade it."""
    grader = MatchGrader()

    async def run() -> None:
        for it in items:
            for t in (*TARGETS, 0.0):
                text = f"Question: {it.question}\n{confidence_instruction(t)}\nAnswer:"
                request = ChatRequest(({"role": "user", "content": text},), item_id=it.id)
                response = await backend.complete(request)
                await grader.grade(it, response.texts[0])

    asyncio.run(run())


def timed(fn: Callable[..., object], *args: object, **kwargs: object) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn(*args, **kwargs)
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    items = load_dataset("builtin")
    backend = ReplayBackend(table(items))
    settings = EvalSettings(targets=TARGETS, folds=5)
    halluc, plain = [], []
    with tempfile.TemporaryDirectory() as tmp:
        evaluate(items[:10], backend, Path(tmp) / "warm", settings)  # imports, first fits
        for rep in range(args.repeats):
            out = Path(tmp) / f"run{rep}"
            halluc.append(timed(evaluate, items, backend, out, settings, cache=None))
            plain.append(timed(plain_loop, items, backend))
    h_wall, h_cpu = min(w for w, _ in halluc), min(c for _, c in halluc)
    p_wall, p_cpu = min(w for w, _ in plain), min(c for _, c in plain)
    n = len(items)
    print(f"{n} items x {len(TARGETS)} targets, both modes, replay backend (instant), no cache")
    print(f"  halluc evaluate      {h_wall:6.2f} s wall  {h_cpu:6.2f} s CPU")
    print(f"  plain ask-and-grade  {p_wall:6.2f} s wall  {p_cpu:6.2f} s CPU")
    print(f"halluc / plain loop: {h_wall / p_wall:.1f}x wall, {h_cpu / p_cpu:.1f}x CPU")
    print(f"halluc per item: {1000 * h_wall / n:.1f} ms")


if __name__ == "__main__":
    main()

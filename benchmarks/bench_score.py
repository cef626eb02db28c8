"""Scoring throughput: halluc's summarize vs a plain pandas groupby doing the same arithmetic.

Both start from the same in-memory DataFrame (model, item_id, outcome as a categorical of
labels) and produce, per model and t: n, accuracy, wrong-answer rate, abstention rate, accuracy
given attempted and the penalized score. halluc also computes intervals (Wilson and a 2,000-draw
bootstrap) that the baseline does not, so the comparison favours the baseline.

    .venv/bin/python benchmarks/bench_score.py [--records 10000000] [--models 20]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from halluc.scoring.metrics import summarize

TARGETS = [0.0, 0.5, 0.75, 0.9]


def make_frame(n_records: int, n_models: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    per_model = n_records // n_models
    models = np.repeat([f"model-{i:02d}" for i in range(n_models)], per_model)
    items = np.tile(np.arange(per_model), n_models)
    outcome = pd.Categorical.from_codes(
        rng.choice(4, size=models.size, p=[0.4, 0.3, 0.28, 0.02]),
        categories=["correct", "incorrect", "abstained", "error"],
    )
    return pd.DataFrame(
        {
            "model": pd.Categorical(models),
            "item_id": items,
            "outcome": outcome,
            "target": np.nan,
            "mode": "imported",
        }
    )


def pandas_baseline(frame: pd.DataFrame) -> pd.DataFrame:
    scored = frame[frame["outcome"] != "error"]
    out = []
    for t in TARGETS:
        pen = t / (1 - t)
        pts = scored["outcome"].map({"correct": 1.0, "incorrect": -pen, "abstained": 0.0})
        g = scored.assign(
            pts=pts.astype(float),
            c=(scored["outcome"] == "correct"),
            w=(scored["outcome"] == "incorrect"),
            a=(scored["outcome"] == "abstained"),
        ).groupby("model", observed=True)
        res = g.agg(
            n=("pts", "size"),
            score=("pts", "mean"),
            accuracy=("c", "mean"),
            error_rate=("w", "mean"),
            abstention_rate=("a", "mean"),
            nc=("c", "sum"),
            nw=("w", "sum"),
        )
        res["accuracy_given_attempted"] = res["nc"] / (res["nc"] + res["nw"])
        res["target"] = t
        out.append(res.reset_index())
    return pd.concat(out, ignore_index=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=10_000_000)
    ap.add_argument("--models", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    frame = make_frame(args.records, args.models)
    n = len(frame)
    best_h = best_p = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        ours = summarize(frame, TARGETS)
        best_h = min(best_h, time.perf_counter() - t0)
        t0 = time.perf_counter()
        base = pandas_baseline(frame)
        best_p = min(best_p, time.perf_counter() - t0)
    a = ours.set_index(["model", "target"])["score"].sort_index()
    b = base.set_index(["model", "target"])["score"].sort_index()
    assert np.allclose(a.to_numpy(), b.to_numpy()), "halluc and pandas disagree"
    print(f"records: {n:,} x {len(TARGETS)} targets, {args.models} models (best of {args.repeat})")
    print(f"halluc summarize : {best_h:8.3f} s  {n / best_h:14,.0f} records/s (with intervals)")
    print(f"pandas groupby   : {best_p:8.3f} s  {n / best_p:14,.0f} records/s (no intervals)")
    print(f"ratio halluc/pandas throughput: {best_p / best_h:.2f}x")


if __name__ == "__main__":
    main()

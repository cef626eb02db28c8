"""Build time, size and browser open time of `halluc report` for a large comparison.

Default: 20 models x 5,000 items x 4 targets (half instructed, half policy mode with
confidences): 400,000 records in 20 run folders, compared on one page.

Baseline, in the same process on the same run folders: the report people write by hand in a
notebook: pandas reads every records.jsonl, a crosstab gives outcome shares per model and t,
``DataFrame.to_html`` writes that table and every record, and one matplotlib PNG of the shares
is embedded. It holds less (no intervals, no scores, no audit, no calibration), so the ratio
is what halluc's complete report costs against the cheapest page that shows every record.

Both pages are then opened in one headless Chromium (median of 3 loads, navigation to load
event; the report's item browser has drawn its first page by then).

    .venv/bin/python benchmarks/bench_report.py [--models 20] [--items 5000] [--targets ...]
"""

from __future__ import annotations

import argparse
import base64
import io
import tempfile
import time
from pathlib import Path

import numpy as np
import orjson
import pandas as pd

from halluc.log.runs import RECORDS, RunFolder
from halluc.report import write_report
from halluc.report.browser import Browser


def make_runs(root: Path, n_models: int, n_items: int, targets: list[float], seed: int) -> int:
    """One run folder per model; returns the number of records written."""
    rng = np.random.default_rng(seed)
    total = 0
    for m in range(n_models):
        model = f"model-{m:02d}"
        policy = m % 2 == 1
        RunFolder.create(root / model, {"model": model, "dataset": "synthetic"})
        p = 1 / (1 + np.exp(-(rng.normal(0, 1.6, n_items) + rng.uniform(-1, 1))))
        knows = rng.uniform(size=n_items) < p
        conf = np.clip(p + rng.normal(0, 0.1, n_items), 0, 1).round(3)
        lines = []
        for i in range(n_items):
            graded = "correct" if knows[i] else "incorrect"
            meta = {
                "question": f"Who first described fact {i} of the synthetic world?",
                "answers": [f"Person {i}", f"P. {i}"],
            }
            response = f"Person {i}" if knows[i] else f"Somebody {rng.integers(1000)}"
            for t in targets:
                rec = {
                    "item_id": f"item-{i:05d}",
                    "model": model,
                    "target": t,
                    "v": 1,
                    "mode": "policy" if policy else "instructed",
                    "metadata": meta,
                }
                if policy:
                    rec.update(
                        outcome=graded if conf[i] > t else "abstained",
                        answer_outcome=graded,
                        confidence=float(conf[i]),
                        confidence_method="token-prob",
                        response=response,
                    )
                else:
                    answers = p[i] > t or t == 0
                    rec.update(
                        outcome=graded if answers else "abstained",
                        response=response if answers else "I don't know.",
                    )
                lines.append(orjson.dumps(rec) + b"\n")
        (root / model / RECORDS).write_bytes(b"".join(lines))
        total += len(lines)
    return total


def baseline_report(runs: list[Path], out: Path) -> None:
    frame = pd.concat([pd.read_json(r / RECORDS, lines=True) for r in runs], ignore_index=True)
    shares = pd.crosstab(
        [frame["model"], frame["mode"], frame["target"]], frame["outcome"], normalize="index"
    )
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 0.25 * len(shares) + 1))
    shares.plot.barh(stacked=True, ax=fig.add_subplot())
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=80)
    img = base64.b64encode(png.getvalue()).decode()
    cols = ["item_id", "model", "mode", "target", "outcome", "confidence", "response"]
    page = (
        "<html><head><meta charset='utf-8'><title>baseline</title></head><body>"
        + shares.to_html()
        + f"<img src='data:image/png;base64,{img}'>"
        + frame[[c for c in cols if c in frame.columns]].to_html(index=False)
        + "</body></html>"
    )
    out.write_text(page, encoding="utf-8")


def open_seconds(browser: Browser, path: Path, repeats: int = 3, limit: float = 180) -> float:
    """Median seconds from navigation to the load event (the page's script has run by then:
    it is inline at the end of the body); ``inf`` when a load takes longer than ``limit``."""
    times = []
    for _ in range(repeats):
        browser.goto("about:blank")
        try:
            times.append(browser.goto(path.resolve().as_uri(), timeout=limit))
        except TimeoutError:
            return float("inf")
    return float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", type=int, default=20)
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--targets", default="0,0.5,0.75,0.9")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    targets = [float(x) for x in args.targets.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        n = make_runs(root / "runs", args.models, args.items, targets, args.seed)
        runs = sorted((root / "runs").iterdir())
        print(
            f"{args.models} models x {args.items} items x {len(targets)} targets = "
            f"{n:,} records (generated in {time.perf_counter() - t0:.1f} s)"
        )
        t0 = time.perf_counter()
        ours = write_report(runs, root / "report.html")
        t_ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        base = root / "baseline.html"
        baseline_report(runs, base)
        t_base = time.perf_counter() - t0
        mb_ours, mb_base = ours.stat().st_size / 1e6, base.stat().st_size / 1e6
        print(f"build   halluc report: {t_ours:7.2f} s  {mb_ours:6.2f} MB")
        print(f"build   baseline:      {t_base:7.2f} s  {mb_base:6.2f} MB")
        print(f"build time ratio (halluc / baseline): {t_ours / t_base:.2f}")
        with Browser(root / "profile") as browser:
            o_ours = open_seconds(browser, ours)
            rows = browser.eval("document.querySelectorAll('#items-body tr').length")
            problems = browser.problems()
            o_base = open_seconds(browser, base, repeats=1)
        print(
            f"open    halluc report: {o_ours:7.2f} s  ({rows} item rows drawn, "
            f"{len(problems)} console errors)"
        )
        if o_base == float("inf"):
            print("open    baseline:      did not load within 180 s")
        else:
            print(f"open    baseline:      {o_base:7.2f} s")
            print(f"open time ratio (halluc / baseline): {o_ours / o_base:.2f}")
        print(f"size ratio (halluc / baseline): {mb_ours / mb_base:.3f}")


if __name__ == "__main__":
    main()

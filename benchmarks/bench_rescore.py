"""Time of `halluc rescore` on the per-item logs of many models, in items per second.

Default: 20 models x 5,000 items, one lm-evaluation-harness ``samples_<task>_<date>.jsonl``
(with its ``results_<date>.json``) per model, as ``--log_samples`` writes them: doc with
question and aliases, the target as lm-eval's ``str()`` of the alias list, request arguments,
raw and filtered responses, and ``exact_match``. Answers mix right ones, wrong ones and
refusals in several wordings, so halluc's abstention detection has work to do.

halluc: ``rescore`` (detect formats, import with abstention detection, score at 4 targets with
2,000-resample bootstrap intervals, leaderboard, render the text), and the command itself in a
fresh process (``halluc rescore DIR``, Python start-up and imports included).
Baseline, in the same process on the same files: what one writes by hand to get the harness's
own number back: ``json.loads`` every line of every samples file and average ``exact_match``
per model (no abstentions, no penalties, no intervals).

    .venv/bin/python benchmarks/bench_rescore.py [--models 20] [--items 5000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import orjson

from halluc.importers import ImportOptions, import_paths, resolve
from halluc.importers.rescore import group_by_task, rescore
from halluc.scoring.report import score_report

DATE = "2025-08-01T12-00-00.000000"
REFUSALS = (
    "I don't know.",
    "I'm not sure.",
    "I cannot answer that.",
    "Sorry, I don't have that information.",
    "I have no idea.",
)


def make_logs(root: Path, n_models: int, n_items: int, seed: int) -> int:
    rng = np.random.default_rng(seed)
    answers = [[f"Answer {i}", f"answer-{i}", f"Alias {i} b"] for i in range(n_items)]
    for m in range(n_models):
        model = f"org/model-{m:02d}"
        folder = root / model.replace("/", "__")
        folder.mkdir(parents=True)
        skill = rng.uniform(0.2, 0.7)
        caution = rng.uniform(0.0, 0.5)
        u = rng.uniform(size=n_items)
        v = rng.uniform(size=n_items)
        lines = []
        correct = 0
        for i in range(n_items):
            if u[i] < skill:
                text, em = f"The answer is Answer {i}.", 1.0
            elif v[i] < caution:
                text, em = REFUSALS[int(v[i] * 1000) % len(REFUSALS)], 0.0
            else:
                text, em = f"It was Person {int(v[i] * 1e6)} in {1900 + i % 120}.", 0.0
            correct += int(em)
            row = {
                "doc_id": i,
                "doc": {"id": f"q{i}", "question": f"Question number {i}?", "answers": answers[i]},
                "target": str(answers[i]),
                "arguments": {
                    "gen_args_0": {
                        "arg_0": f"Question: Question number {i}?\nAnswer:",
                        "arg_1": {"until": ["\n"], "max_gen_toks": 32, "do_sample": False},
                    }
                },
                "resps": [[text]],
                "filtered_resps": [text],
                "filter": "none",
                "metrics": ["exact_match"],
                "doc_hash": f"{i:064x}",
                "prompt_hash": f"{i:064x}",
                "target_hash": f"{i:064x}",
                "exact_match": em,
            }
            lines.append(orjson.dumps(row))
        (folder / f"samples_bench_qa_{DATE}.jsonl").write_bytes(b"\n".join(lines) + b"\n")
        results = {
            "results": {"bench_qa": {"exact_match,none": correct / n_items}},
            "configs": {"bench_qa": {"output_type": "generate_until"}},
            "model_name": model,
        }
        (folder / f"results_{DATE}.json").write_text(json.dumps(results))
    return n_models * n_items


def baseline(root: Path) -> dict[str, float]:
    out = {}
    for path in sorted(root.rglob("samples_*.jsonl")):
        with path.open() as fh:
            values = [json.loads(line)["exact_match"] for line in fh]
        out[path.parent.name] = sum(values) / len(values)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", type=int, default=20)
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        n = make_logs(root, args.models, args.items, args.seed)
        size = sum(p.stat().st_size for p in root.rglob("*.jsonl")) / 1e6
        print(f"{args.models} models x {args.items} items = {n} items, {size:.0f} MB of samples")

        t_base, t_lib, t_import, t_score, t_nodetect = [], [], [], [], []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            own = baseline(root)
            t_base.append(time.perf_counter() - t0)
            resolve._ABSTENTION_CACHE.clear()  # every repeat detects from scratch
            t0 = time.perf_counter()
            imported = import_paths([root])
            t1 = time.perf_counter()
            reports = {
                task: score_report(recs) for task, recs in group_by_task(imported.records).items()
            }
            text = "".join(rep.render() for rep in reports.values())
            t2 = time.perf_counter()
            t_import.append(t1 - t0)
            t_score.append(t2 - t1)
            resolve._ABSTENTION_CACHE.clear()
            t0 = time.perf_counter()
            result = rescore([root])
            text = result.render()
            t_lib.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            import_paths([root], ImportOptions(detect_abstention=False))
            t_nodetect.append(time.perf_counter() - t0)
        assert len(result.records) == n and len(own) == args.models
        assert all(r.matches_source for r in result.imports), "accuracy must reproduce"
        abstained = sum(r.counts["abstained"] for r in result.imports)
        med = statistics.median
        b, h = med(t_base), med(t_lib)
        print(f"baseline (json.loads + mean exact_match): {b:.2f} s, {n / b:,.0f} items/s")
        print(
            f"halluc rescore (library: import + detection + 4 targets + render): {h:.2f} s, "
            f"{n / h:,.0f} items/s; {abstained} abstentions separated, {len(text)} chars"
        )
        print(
            f"  phases (medians of {args.repeats}): import {med(t_import):.2f} s, of which "
            f"abstention detection {med(t_import) - med(t_nodetect):.2f} s; scoring and "
            f"rendering {med(t_score):.2f} s"
        )
        print(f"ratio halluc / baseline: {h / b:.2f}")

        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "halluc", "rescore", str(root)],
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise SystemExit(f"halluc rescore failed:\n{proc.stderr}")
        t_cli = time.perf_counter() - t0
        assert "Leaderboard" in proc.stdout
        print(
            f"`halluc rescore DIR` (fresh process, start-up included): {t_cli:.2f} s, "
            f"{n / t_cli:,.0f} items/s"
        )


if __name__ == "__main__":
    main()

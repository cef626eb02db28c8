"""Run folders with known behaviour, written through the real RunFolder, for report tests.

Each model has a chance ``p_i`` of knowing item i. A ``guesser`` answers everything at every t
(binary grading's winner); a ``calibrated`` model answers in instructed mode only when its own
p_i exceeds t; a ``policy`` model answers once, records a confidence near p_i and the policy
applies "answer iff confidence > t" at every t.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from halluc.log.outcomes import Outcome
from halluc.log.records import Record
from halluc.log.runs import RunFolder
from halluc.scoring.rules import should_answer


@dataclass(frozen=True)
class Behaviour:
    kind: str  # "guesser" | "calibrated" | "policy" | "imported"
    skill: float = 0.0  # shifts p_i up (logit scale)
    method: str = "verbalized"


def _p(n: int, skill: float, rng: np.random.Generator) -> np.ndarray:
    base = rng.normal(0.0, 1.6, n) + skill
    return 1.0 / (1.0 + np.exp(-base))


def make_run(
    path: Path,
    models: dict[str, Behaviour],
    *,
    n_items: int = 60,
    targets: Sequence[float] = (0.0, 0.5, 0.75),
    seed: int = 0,
    error_every: int = 0,
    responses: dict[int, str] | None = None,
    metadata: bool = True,
) -> RunFolder:
    """Write a run folder; ``responses`` overrides the response text of chosen item numbers."""
    rng = np.random.default_rng(seed)
    run = RunFolder.create(path, {"dataset": "synthetic", "targets": list(targets)})
    records: list[Record] = []
    for model, b in models.items():
        p = _p(n_items, b.skill, rng)
        knows = rng.uniform(size=n_items) < p
        conf = np.clip(p + rng.normal(0, 0.05, n_items), 0.0, 1.0).round(3)
        for i in range(n_items):
            item = f"q{i:04d}"
            gold = f"answer {i}"
            meta = {"question": f"What is fact number {i}?", "answers": [gold, f"alias {i}"]}
            text = (responses or {}).get(i)
            failed = error_every > 0 and i % error_every == error_every - 1
            graded = Outcome.CORRECT if knows[i] else Outcome.INCORRECT
            answer = text or (gold if knows[i] else f"wrong {i}")
            if failed:
                graded, answer = Outcome.ERROR, None
            if b.kind == "imported":
                records.append(
                    Record(
                        item,
                        model,
                        graded,
                        None,
                        "imported",
                        response=answer,
                        metadata=meta if metadata else {},
                    )
                )
                continue
            for t in targets:
                outcome = graded
                common: dict[str, Any] = {
                    "metadata": meta if metadata else {},
                    "error": "request failed" if failed else None,
                }
                if b.kind == "policy":
                    if not failed and not conf[i] > t:
                        outcome = Outcome.ABSTAINED
                    records.append(
                        Record(
                            item,
                            model,
                            outcome,
                            t,
                            "policy",
                            response=answer,
                            confidence=None if failed else float(conf[i]),
                            confidence_method=b.method,
                            answer_outcome=graded,
                            **common,
                        )
                    )
                    continue
                if b.kind == "calibrated" and not failed and not should_answer(float(p[i]), t):
                    outcome, text_t = Outcome.ABSTAINED, "I don't know."
                else:
                    text_t = answer
                records.append(
                    Record(item, model, outcome, t, "instructed", response=text_t, **common)
                )
    run.append(records)
    return run


def write_large_runs(
    root: Path, n_models: int, n_items: int, targets: Sequence[float]
) -> list[Path]:
    """Many big run folders fast (lines written directly, one per model): half the models in
    instructed mode, half in policy mode with confidences."""
    import orjson

    rng = np.random.default_rng(0)
    paths = []
    for m in range(n_models):
        model = f"model-{m:02d}"
        policy = m % 2 == 1
        run = RunFolder.create(root / model, {"model": model, "dataset": "synthetic"})
        p = _p(n_items, float(rng.uniform(-1, 1)), rng)
        knows = rng.uniform(size=n_items) < p
        conf = np.clip(p + rng.normal(0, 0.1, n_items), 0, 1).round(3)
        lines = []
        for i in range(n_items):
            graded = "correct" if knows[i] else "incorrect"
            meta = {"question": f"Who first described fact {i}?", "answers": [f"Person {i}"]}
            response = f"Person {i}" if knows[i] else f"Somebody {i % 97}"
            for t in targets:
                rec: dict[str, Any] = {
                    "item_id": f"item-{i:05d}",
                    "model": model,
                    "target": t,
                    "v": 1,
                    "metadata": meta,
                    "response": response,
                    "mode": "policy" if policy else "instructed",
                }
                if policy:
                    rec.update(
                        outcome=graded if conf[i] > t else "abstained",
                        answer_outcome=graded,
                        confidence=float(conf[i]),
                        confidence_method="token-prob",
                    )
                else:
                    rec["outcome"] = graded if (p[i] > t or t == 0) else "abstained"
                lines.append(orjson.dumps(rec) + b"\n")
        run.records_path.write_bytes(b"".join(lines))
        paths.append(run.path)
    return paths

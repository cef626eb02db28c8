"""Answers per second of `halluc eval` (openai backend) against plain loops, on the same items
and the same real llama.cpp HTTP server (SmolLM2-135M, 2 threads, --parallel slots).

Loops, in this order, each on the same prompts (the question with the t = 0 instruction,
greedy, max 32 tokens, token log-probs requested):

1. a plain sequential loop over the synchronous ``openai`` client (one request at a time);
2. the server's own throughput limit at the chosen concurrency: a bare ``asyncio.gather`` of
   ``AsyncOpenAI`` calls behind a semaphore, doing nothing else (loops 2 and 3 alternate for
   ``--rounds`` rounds and the best time of each counts, so that a warmer or busier moment of a
   shared machine favours neither);
3. halluc: ``evaluate`` with the openai backend at the same concurrency (grading, records,
   fsync'd appends, summary and all; no response cache);
4. lm-evaluation-harness ``local-chat-completions`` with ``num_concurrent`` = concurrency, on the
   same items as a local JSONL task, when a Python with ``lm_eval`` is found
   (``$LM_EVAL_PYTHON``, else /tmp/lmeval-venv/bin/python). Its wall time includes its own
   start-up, which is also reported separately (a run with ``--limit 1``).

The target: halluc within 10% of loop 2. Prints each rate and the ratios.

    .venv/bin/python benchmarks/bench_eval_throughput.py [--items 24] [--concurrency 4] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openai

from halluc.data import load_dataset
from halluc.eval import EvalSettings, evaluate
from halluc.eval.prompts import question_prompt
from halluc.models.llamacpp import serve_http
from halluc.models.openai_api import OpenAIBackend

MAX_TOKENS = 32


def sequential(url: str, prompts: list[str]) -> float:
    client = openai.OpenAI(base_url=url, api_key="none", max_retries=0)
    start = time.perf_counter()
    for p in prompts:
        client.chat.completions.create(
            model="smollm2",
            messages=[{"role": "user", "content": p}],
            max_tokens=MAX_TOKENS,
            temperature=0.0,
            logprobs=True,
        )
    return time.perf_counter() - start


def raw_concurrent(url: str, prompts: list[str], concurrency: int) -> float:
    async def run() -> float:
        client = openai.AsyncOpenAI(base_url=url, api_key="none", max_retries=0)
        sem = asyncio.Semaphore(concurrency)

        async def one(p: str) -> None:
            async with sem:
                await client.chat.completions.create(
                    model="smollm2",
                    messages=[{"role": "user", "content": p}],
                    max_tokens=MAX_TOKENS,
                    temperature=0.0,
                    logprobs=True,
                )

        start = time.perf_counter()
        await asyncio.gather(*[one(p) for p in prompts])
        elapsed = time.perf_counter() - start
        await client.close()
        return elapsed

    return asyncio.run(run())


def halluc_eval(url: str, items: list, concurrency: int, out: Path) -> float:  # type: ignore[type-arg]
    backend = OpenAIBackend("smollm2", base_url=url, concurrency=concurrency)
    settings = EvalSettings(targets=(0.0,), modes=("instructed",), max_tokens=MAX_TOKENS)
    start = time.perf_counter()
    evaluate(items, backend, out, settings, cache=None)
    return time.perf_counter() - start


def lm_eval_python() -> str | None:
    for cand in (os.environ.get("LM_EVAL_PYTHON"), "/tmp/lmeval-venv/bin/python"):
        if cand and Path(cand).exists():
            ok = subprocess.run([cand, "-c", "import lm_eval"], capture_output=True)
            if ok.returncode == 0:
                return cand
    return None


def lm_eval_run(
    py: str, url: str, prompts: list[str], concurrency: int, tmp: Path, limit: int
) -> tuple[float, int, str]:
    data = tmp / "items.jsonl"
    data.write_text("".join(json.dumps({"prompt": p, "answer": ""}) + "\n" for p in prompts))
    task = tmp / "tasks"
    task.mkdir(exist_ok=True)
    (task / "halluc_bench.yaml").write_text(
        "task: halluc_bench\n"
        "dataset_path: json\n"
        f"dataset_kwargs:\n  data_files:\n    test: {data}\n"
        "test_split: test\n"
        "output_type: generate_until\n"
        'doc_to_text: "{{prompt}}"\n'
        'doc_to_target: "{{answer}}"\n'
        "generation_kwargs:\n  until: []\n"
        f"  max_gen_toks: {MAX_TOKENS}\n  do_sample: false\n  temperature: 0.0\n"
        "metric_list:\n  - metric: exact_match\n"
    )
    model_args = (
        f"model=smollm2,base_url={url}/chat/completions,num_concurrent={concurrency},"
        "max_retries=1,tokenized_requests=False"
    )
    cmd = [
        py,
        "-m",
        "lm_eval",
        "--model",
        "local-chat-completions",
        "--model_args",
        model_args,
        "--tasks",
        "halluc_bench",
        "--include_path",
        str(task),
        "--apply_chat_template",
        "--limit",
        str(limit),
        "--output_path",
        str(tmp / "lm_eval_out"),
    ]
    env = {**os.environ, "OPENAI_API_KEY": "none", "HF_DATASETS_OFFLINE": "1"}
    start = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1200)
    return time.perf_counter() - start, res.returncode, res.stderr[-1500:]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=24)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    items = load_dataset("builtin", limit=args.items)
    prompts = [question_prompt(it.question, 0.0) for it in items]
    n, c = len(items), args.concurrency
    print(f"{n} items, llama.cpp HTTP server with {c} slots, 2 threads, concurrency {c}")
    with serve_http(n_parallel=c, threads=2) as url, tempfile.TemporaryDirectory() as tmp:
        raw_concurrent(url, prompts[:c], c)  # warm-up
        t_seq = sequential(url, prompts)
        raws, hals = [], []
        for r in range(args.rounds):  # interleaved, best of each: the machine may be shared
            raws.append(raw_concurrent(url, prompts, c))
            hals.append(halluc_eval(url, items, c, Path(tmp) / f"run{r}"))
        t_raw, t_hal = min(raws), min(hals)
        rates = {
            "plain sequential openai loop": n / t_seq,
            f"server limit (bare asyncio, concurrency {c})": n / t_raw,
            f"halluc eval (openai backend, concurrency {c})": n / t_hal,
        }
        py = lm_eval_python()
        lm_note = "lm-evaluation-harness: not installed (set LM_EVAL_PYTHON)"
        if py is not None:
            t_start, rc0, _ = lm_eval_run(py, url, prompts, c, Path(tmp), 1)
            t_lm, rc, err = lm_eval_run(py, url, prompts, c, Path(tmp), n)
            if rc == 0 and rc0 == 0:
                rates[f"lm-eval local-chat-completions (num_concurrent {c})"] = n / t_lm
                lm_note = (
                    f"lm-eval wall time {t_lm:.1f} s includes its start-up; a 1-item run "
                    f"took {t_start:.1f} s, so generation alone is about "
                    f"{n / max(t_lm - t_start, 1e-9):.2f} answers/s"
                )
            else:
                lm_note = f"lm-evaluation-harness failed (exit {rc}): {err.strip()[-400:]}"
    for name, rate in rates.items():
        print(f"  {name:55s} {rate:7.2f} answers/s")
    hal = rates[f"halluc eval (openai backend, concurrency {c})"]
    print(f"halluc / plain sequential loop: {hal / rates['plain sequential openai loop']:.2f}x")
    print(
        f"halluc / server limit at concurrency {c}: "
        f"{hal / rates[f'server limit (bare asyncio, concurrency {c})']:.2f} (target >= 0.90)"
    )
    for name, rate in rates.items():
        if name.startswith("lm-eval"):
            print(f"halluc / lm-eval: {hal / rate:.2f}x")
    print(lm_note)
    sys.stdout.flush()


if __name__ == "__main__":
    main()

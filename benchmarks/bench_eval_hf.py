"""Answers per second of the ``hf`` backend versus a plain ``model.generate`` loop at the same
batch size, same model, same prompts (greedy), on CUDA when present, else CPU.

The model defaults to the SmolLM2-135M-Instruct GGUF (de-quantized by transformers), i.e. the
default model's shape. halluc's side sends every request concurrently through
``HFBackend.complete`` (it gathers them into batches, decodes, computes token log-probs);
the baseline left-pads chunks of ``--batch-size`` prompts itself and calls ``generate``.

    .venv/bin/python benchmarks/bench_eval_hf.py [--items 32] [--batch-size 8] [--model PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import time

import torch

from halluc.data import load_dataset
from halluc.eval.prompts import question_prompt
from halluc.models.base import user_request
from halluc.models.hf import HFBackend


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=32)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--max-tokens", type=int, default=32)
    ap.add_argument("--model", default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    backend = HFBackend(args.model, batch_size=args.batch_size, threads=args.threads)
    prompts = [
        question_prompt(it.question, 0.0) for it in load_dataset("builtin", limit=args.items)
    ]
    tok, model = backend.tokenizer, backend.hf_model

    def plain() -> float:
        start = time.perf_counter()
        for i in range(0, len(prompts), args.batch_size):
            chunk = [
                tok.apply_chat_template(
                    [{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True
                )
                for p in prompts[i : i + args.batch_size]
            ]
            enc = tok(chunk, return_tensors="pt", padding=True, add_special_tokens=False).to(
                backend.device
            )
            with torch.inference_mode():
                model.generate(
                    **enc,
                    max_new_tokens=args.max_tokens,
                    do_sample=False,
                    pad_token_id=tok.pad_token_id,
                )
        if backend.device == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start

    async def ours(logprobs: bool = True) -> float:
        start = time.perf_counter()
        await asyncio.gather(
            *[
                backend.complete(user_request(p, max_tokens=args.max_tokens, logprobs=logprobs))
                for p in prompts
            ]
        )
        return time.perf_counter() - start

    asyncio.run(ours())  # warm-up (kernels, allocator)
    runs: dict[str, list[float]] = {"plain": [], "ours": [], "bare": []}
    for _ in range(args.repeats):  # interleaved, best of each: the machine may be shared
        runs["plain"].append(plain())
        runs["ours"].append(asyncio.run(ours()))
        runs["bare"].append(asyncio.run(ours(False)))
    t_plain, t_ours, t_bare = (min(runs[k]) for k in ("plain", "ours", "bare"))
    n = len(prompts)
    print(f"{n} prompts, batch size {args.batch_size}, device {backend.device}, {backend.model}")
    print(f"  plain model.generate loop   {n / t_plain:7.2f} answers/s")
    print(f"  halluc hf backend           {n / t_ours:7.2f} answers/s (with token log-probs)")
    print(f"  halluc hf backend           {n / t_bare:7.2f} answers/s (without log-probs)")
    print(
        f"halluc / plain generate: {t_plain / t_ours:.2f} "
        f"({t_plain / t_bare:.2f} without log-probs)"
    )
    backend.close()


if __name__ == "__main__":
    main()

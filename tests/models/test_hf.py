"""The transformers backend on CPU with the default GGUF: batched generation, token log-probs,
and the same greedy text as a plain ``model.generate`` call."""

from __future__ import annotations

import asyncio
import math

import pytest

from halluc.models.base import user_request
from halluc.models.hf import HFBackend


@pytest.mark.slow
def test_batched_generation_matches_plain_generate() -> None:
    backend = HFBackend(batch_size=4, threads=2)
    assert backend.device in ("cpu", "cuda")
    prompts = [
        "What is the capital of France? Answer with just the answer.",
        "What is 2+2? Answer with just the answer.",
    ]

    async def run() -> list:  # type: ignore[type-arg]
        return await asyncio.gather(
            *[backend.complete(user_request(p, max_tokens=10, logprobs=True)) for p in prompts]
        )

    results = asyncio.run(run())
    assert backend.batches == [2]  # both requests decoded in one generate call
    for r in results:
        assert r.ok, r.error
        assert len(r.token_logprobs[0]) == r.usage["completion_tokens"]
        assert all(lp <= 0 and math.isfinite(lp) for lp in r.token_logprobs[0])
    assert "Paris" in results[0].texts[0]
    # the same prompt through a plain, unbatched model.generate
    tok, model = backend.tokenizer, backend.hf_model
    text = tok.apply_chat_template(
        [{"role": "user", "content": prompts[0]}], tokenize=False, add_generation_prompt=True
    )
    enc = tok(text, return_tensors="pt", add_special_tokens=False)
    out = model.generate(**enc, max_new_tokens=10, do_sample=False, pad_token_id=tok.pad_token_id)
    plain = tok.decode(out[0, enc["input_ids"].shape[1] :], skip_special_tokens=True).strip()
    assert plain == results[0].texts[0]
    backend.close()

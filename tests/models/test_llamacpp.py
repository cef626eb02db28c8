"""The llama.cpp backend against the real engine (xllamacpp) and the real HTTP server."""

from __future__ import annotations

import asyncio
import json
import math
import urllib.request
from pathlib import Path

import openai
import pytest

from halluc.errors import InputError
from halluc.models import make_backend
from halluc.models.base import ChatRequest, user_request
from halluc.models.llamacpp import default_model_path, resolve_model_path
from tests.models.fixtures import http_url, llama_backend


def test_default_model_is_the_packaged_gguf() -> None:
    path = default_model_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.read_bytes()[:4] == b"GGUF"


def test_greedy_answer_with_token_logprobs() -> None:
    backend = llama_backend()
    req = user_request(
        "What is the capital of France? Answer with just the answer.", max_tokens=16, logprobs=True
    )
    resp = asyncio.run(backend.complete(req))
    assert resp.ok, resp.error
    assert "Paris" in resp.texts[0]
    lps = resp.token_logprobs[0]
    assert len(lps) == resp.usage["completion_tokens"]
    assert all(lp <= 0.0 and math.isfinite(lp) for lp in lps)
    # greedy decoding is deterministic
    again = asyncio.run(backend.complete(req))
    assert again.texts == resp.texts


def test_samples_are_seeded_and_concurrent_requests_share_slots() -> None:
    backend = llama_backend()
    req = user_request("Name a colour.", max_tokens=8, temperature=1.0, n=3, seed=7)

    async def both() -> list[list[str]]:
        rs = await asyncio.gather(*[backend.complete(req) for _ in range(2)])
        return [r.texts for r in rs]

    a, b = asyncio.run(both())
    assert len(a) == 3 and a == b


def test_bad_model_paths_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        resolve_model_path(tmp_path / "missing.gguf")
    fake = tmp_path / "fake.gguf"
    fake.write_bytes(b"not a model")
    with pytest.raises(InputError, match="GGUF"):
        resolve_model_path(fake)
    with pytest.raises(InputError, match="unknown backend"):
        make_backend("nope")


def test_http_server_is_openai_compatible() -> None:
    url = http_url()
    assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
    with urllib.request.urlopen(f"{url}/models", timeout=10) as resp:
        assert json.load(resp)["data"]
    client = openai.OpenAI(base_url=url, api_key="none")
    out = client.chat.completions.create(
        model="any",
        messages=[
            {
                "role": "user",
                "content": "What is the capital of France? Answer with just the answer.",
            }
        ],
        max_tokens=12,
        temperature=0,
    )
    assert "Paris" in (out.choices[0].message.content or "")
    # the in-process engine and the server answer the same greedy request the same way
    inproc = asyncio.run(
        llama_backend().complete(
            ChatRequest(
                messages=(
                    {
                        "role": "user",
                        "content": "What is the capital of France? Answer with just the answer.",
                    },
                ),
                max_tokens=12,
            )
        )
    )
    assert inproc.texts[0] == out.choices[0].message.content

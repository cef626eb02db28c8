"""The replay backend: deterministic answers from a table."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from halluc.errors import InputError
from halluc.models import make_backend
from halluc.models.base import ChatRequest, user_request
from halluc.models.replay import ReplayBackend


def test_lookup_by_item_prompt_and_prefix() -> None:
    backend = ReplayBackend(
        {"id-1": "by id", "Exact prompt": "by prompt", "Question: Q?": ["s1", "s2"]}
    )
    ask = lambda r: asyncio.run(backend.complete(r))  # noqa: E731
    assert ask(ChatRequest(messages=({"role": "user", "content": "x"},), item_id="id-1")).texts == [
        "by id"
    ]
    assert ask(user_request("Exact prompt")).texts == ["by prompt"]
    assert ask(user_request("Question: Q?\nAnswer:", n=3)).texts == ["s1", "s2", "s1"]
    missing = ask(user_request("unknown"))
    assert not missing.ok and "no replay answer" in (missing.error or "")


def test_confidence_becomes_a_token_logprob() -> None:
    backend = ReplayBackend({"q": {"texts": ["a"], "confidence": 0.25}})
    resp = asyncio.run(backend.complete(user_request("q", logprobs=True)))
    assert resp.token_logprobs == [[pytest.approx(-1.3862943611)]]


def test_tables_from_files(tmp_path: Path) -> None:
    csv = tmp_path / "answers.csv"
    csv.write_text("item_id,response,confidence\na,Paris,0.9\nb,Lyon,\n")
    backend = make_backend("replay", str(csv))
    assert backend.model == "answers"
    resp = asyncio.run(
        backend.complete(ChatRequest(messages=({"role": "user", "content": "?"},), item_id="a"))
    )
    assert resp.texts == ["Paris"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"item_id": "a"}\n')
    with pytest.raises(InputError, match="missing response"):
        make_backend("replay", str(bad))
    with pytest.raises(InputError, match="not found"):
        make_backend("replay", str(tmp_path / "none.csv"))

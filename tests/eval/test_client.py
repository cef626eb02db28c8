"""The request path: cache hits never reach the backend; identical requests in flight share one
call."""

from __future__ import annotations

import asyncio
from pathlib import Path

from halluc.eval.cache import ResponseCache
from halluc.eval.client import Client
from halluc.models.base import ChatRequest, ChatResponse, user_request
from halluc.models.replay import ReplayBackend


class SlowReplay(ReplayBackend):
    """A replay table that takes a moment to answer, so that requests overlap in flight."""

    async def complete(self, request: ChatRequest) -> ChatResponse:
        await asyncio.sleep(0.01)
        return await super().complete(request)


def test_identical_requests_in_flight_share_one_call() -> None:
    backend = SlowReplay({"q": "answer"})

    async def ask() -> list[str]:
        client = Client(backend, None, concurrency=1)
        same = user_request("q", item_id="q")
        other = user_request("q", item_id="q", max_tokens=5)
        responses = await asyncio.gather(
            client.complete(same), client.complete(same), client.complete(other)
        )
        assert client.queries == 2
        return [r.texts[0] for r in responses]

    assert asyncio.run(ask()) == ["answer"] * 3
    assert backend.calls == 2


def test_a_cached_response_never_reaches_the_backend(tmp_path: Path) -> None:
    backend = ReplayBackend({"q": "answer"})
    cache = ResponseCache(tmp_path)

    async def ask() -> tuple[bool, int]:
        client = Client(backend, cache)
        response = await client.complete(user_request("q", item_id="q"))
        return response.cached, client.queries

    assert asyncio.run(ask()) == (False, 1)
    assert asyncio.run(ask()) == (True, 0)
    assert backend.calls == 1 and cache.hits == 1
    failed = Client(backend, cache)
    asyncio.run(failed.complete(user_request("nobody knows", item_id="zz")))
    assert cache.hits == 1 and backend.calls == 2  # a failed response is not cached
    asyncio.run(failed.complete(user_request("nobody knows", item_id="zz")))
    assert backend.calls == 3

"""The request path of a run: the response cache first, then the backend, and identical
requests in flight shared.

:class:`Client` is what the runner asks. A request already in the cache
(:class:`~halluc.eval.cache.ResponseCache`) is answered from it without waiting for a backend
slot; otherwise it waits for one of ``concurrency`` slots, asks the backend and stores a
successful response. Two identical requests in flight at the same time (the instructed t = 0
question and the policy pass are the same request) share one call.
"""

from __future__ import annotations

import asyncio

from halluc.eval.cache import ResponseCache
from halluc.models.base import Backend, ChatRequest, ChatResponse


class CachedBackend:
    """Wraps a backend: answers from the cache when it can, else asks and stores."""

    def __init__(
        self,
        backend: Backend,
        cache: ResponseCache | None,
        limiter: asyncio.Semaphore | None = None,
    ) -> None:
        self.backend = backend
        self.cache = cache
        self.limiter = limiter
        """Bounds the requests in flight to the backend (cache hits do not wait for it)."""
        self.queries = 0

    async def complete(self, request: ChatRequest) -> ChatResponse:
        key = request.cache_key(self.backend.fingerprint) if self.cache is not None else ""
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                return hit
        self.queries += 1
        if self.limiter is not None:
            async with self.limiter:
                response = await self.backend.complete(request)
        else:
            response = await self.backend.complete(request)
        if self.cache is not None:
            self.cache.put(key, response)
        return response


class InflightDedup:
    """Identical concurrent requests share one call (e.g. instructed t=0 and the policy pass)."""

    def __init__(self, backend: CachedBackend) -> None:
        self.backend = backend
        self._inflight: dict[str, asyncio.Future[ChatResponse]] = {}

    async def complete(self, request: ChatRequest) -> ChatResponse:
        key = request.cache_key("")
        fut = self._inflight.get(key)
        if fut is not None:
            return await asyncio.shield(fut)
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self._inflight[key] = fut
        try:
            result = await self.backend.complete(request)
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # mark retrieved
            raise
        finally:
            self._inflight.pop(key, None)
        fut.set_result(result)
        return result


class Client:
    """Cache, backend slots and in-flight sharing, behind one ``complete`` call."""

    def __init__(
        self, backend: Backend, cache: ResponseCache | None, concurrency: int | None = None
    ) -> None:
        self.backend = backend
        self.cache = cache
        self._cached = CachedBackend(
            backend, cache, asyncio.Semaphore(concurrency or backend.max_concurrency)
        )
        self._shared = InflightDedup(self._cached)

    @property
    def queries(self) -> int:
        """Requests that reached the backend (cache misses, each shared request once)."""
        return self._cached.queries

    async def complete(self, request: ChatRequest) -> ChatResponse:
        return await self._shared.complete(request)

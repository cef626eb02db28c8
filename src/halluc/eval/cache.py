"""A content-addressed cache of model responses: re-running never re-queries.

The key of a response is the SHA-256 of the backend's fingerprint (backend kind and model
identity, e.g. a hash of the GGUF file) and the request's identity (messages, sampling
settings, seed, number of samples, logprobs). Each response is one small JSON file, written to a
temporary name and renamed into place, so a crash never leaves half an entry and several
processes can share one cache. Failed responses are never cached: a rerun retries them.

The default folder is ``$HALLUC_CACHE_DIR``, else ``$XDG_CACHE_HOME/halluc/responses``, else
``~/.cache/halluc/responses``.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import orjson

from halluc.models.base import Backend, ChatRequest, ChatResponse


def default_cache_dir() -> Path:
    env = os.environ.get("HALLUC_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "halluc" / "responses"


class ResponseCache:
    """Responses stored by content address under ``root/<2 hex>/<64 hex>.json``."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.hits = 0
        self.misses = 0

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> ChatResponse | None:
        try:
            raw = self._path(key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            self.misses += 1
            return None
        self.hits += 1
        resp = ChatResponse.from_dict(data)
        resp.cached = True
        return resp

    def put(self, key: str, response: ChatResponse) -> None:
        if not response.ok:
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{id(response)}.tmp")
        data = response.to_dict()
        data["cached"] = False
        tmp.write_bytes(orjson.dumps(data))
        tmp.replace(path)


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

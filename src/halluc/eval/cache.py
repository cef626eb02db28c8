"""A content-addressed store of model responses: re-running never re-queries.

The request path that uses it (cache, then backend; identical requests in flight shared) is
:mod:`halluc.eval.client`.

The key of a response is the SHA-256 of the backend's fingerprint (backend kind and model
identity, e.g. a hash of the GGUF file) and the request's identity (messages, sampling
settings, seed, number of samples, logprobs). Each response is one small JSON file, written to a
temporary name and renamed into place, so a crash never leaves half an entry and several
processes can share one cache. Failed responses are never cached: a rerun retries them.

The default folder is ``$HALLUC_CACHE_DIR``, else ``$XDG_CACHE_HOME/halluc/responses``, else
``~/.cache/halluc/responses``.
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from halluc.models.base import ChatResponse


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

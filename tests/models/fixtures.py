"""One real llama.cpp engine and one real llama.cpp HTTP server per test session.

Module-level singletons (not fixtures in a conftest) so that every test module that needs them
shares the same instances: loading the model twice or serving it twice would cost time on the
2-core machines the suite runs on. Both stop when the interpreter exits.
"""

from __future__ import annotations

import atexit
import contextlib
from pathlib import Path
from typing import Any

from halluc.models.llamacpp import LlamaCppBackend, serve_http

_backend: LlamaCppBackend | None = None
_server: dict[str, Any] = {}


def llama_backend() -> LlamaCppBackend:
    """The in-process default model (4 parallel slots, 2 threads)."""
    global _backend
    if _backend is None:
        _backend = LlamaCppBackend(n_parallel=4, threads=2)
        atexit.register(_backend.close)
    return _backend


def http_url() -> str:
    """Base URL (".../v1") of a real llama.cpp HTTP server serving the default model."""
    if "url" not in _server:
        stack = contextlib.ExitStack()
        _server["url"] = stack.enter_context(serve_http(n_parallel=4, threads=2))
        _server["stack"] = stack
        atexit.register(stack.close)
    return str(_server["url"])


SHARED_DATA = next(
    (
        p
        for p in (
            Path(__file__).resolve().parents[3] / "shared" / "data",
            Path("/work/shared/data"),
        )
        if p.is_dir()
    ),
    None,
)

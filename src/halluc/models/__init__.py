"""Model backends behind one small protocol (see :mod:`halluc.models.base`).

``make_backend(name, model, **options)`` builds one by name; an unknown name is an
:class:`~halluc.errors.InputError` that lists the known ones. Backends import their heavy
dependencies only when built.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from halluc.errors import InputError
from halluc.models.base import Backend, ChatRequest, ChatResponse, Message, failed, user_request


def _llamacpp(model: str | None, **options: Any) -> Backend:
    from halluc.models.llamacpp import LlamaCppBackend

    return LlamaCppBackend(model, **options)


def _openai(model: str | None, **options: Any) -> Backend:
    from halluc.models.openai_api import OpenAIBackend

    if not model:
        raise InputError("the openai backend needs a model name", field="model")
    return OpenAIBackend(model, **options)


def _hf(model: str | None, **options: Any) -> Backend:
    from halluc.models.hf import HFBackend

    return HFBackend(model, **options)


def _replay(model: str | None, **options: Any) -> Backend:
    from halluc.models.replay import ReplayBackend

    if not model:
        raise InputError(
            "the replay backend needs a model: its answer table (.csv or .jsonl)", field="model"
        )
    return ReplayBackend(Path(model), model=Path(model).stem, **options)


BACKENDS: dict[str, Callable[..., Backend]] = {
    "llamacpp": _llamacpp,
    "openai": _openai,
    "hf": _hf,
    "replay": _replay,
}
"""Backend builders by name: ``builder(model, **options)``."""


def make_backend(name: str, model: str | None = None, **options: Any) -> Backend:
    """Build the named backend. Options are passed to its constructor."""
    try:
        builder = BACKENDS[name]
    except KeyError:
        raise InputError(
            f"unknown backend {name!r} (known: {', '.join(sorted(BACKENDS))})", field="backend"
        ) from None
    try:
        return builder(model, **options)
    except TypeError as exc:
        raise InputError(f"bad option for backend {name!r}: {exc}", field="backend") from None


__all__ = [
    "BACKENDS",
    "Backend",
    "ChatRequest",
    "ChatResponse",
    "Message",
    "failed",
    "make_backend",
    "user_request",
]

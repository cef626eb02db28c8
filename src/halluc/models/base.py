"""The whole model contract: a chat request in, texts (and token log-probabilities) out.

Every backend (llama.cpp in-process, any OpenAI-compatible endpoint, Hugging Face transformers,
a replay table) implements :class:`Backend`. A backend never raises for a failed generation: it
returns a :class:`ChatResponse` whose ``error`` says what went wrong, so that the runner records
the item as the ``error`` outcome and goes on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol, runtime_checkable

import orjson

Message = dict[str, str]
"""One chat message: ``{"role": "user" | "system" | "assistant", "content": "..."}``."""


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """What to generate. ``n`` completions of the same messages, with the same settings.

    ``seed`` makes sampling reproducible where the backend supports it; with ``temperature`` 0
    decoding is greedy. ``item_id`` is a hint for table-driven backends (replay) and is not part
    of the request's identity (it is left out of :meth:`cache_key`).
    """

    messages: tuple[Message, ...]
    max_tokens: int = 32
    temperature: float = 0.0
    top_p: float = 1.0
    n: int = 1
    seed: int | None = None
    logprobs: bool = False
    stop: tuple[str, ...] = ()
    item_id: str | None = None

    def identity(self) -> dict[str, Any]:
        """The fields that determine the answer (everything but the ``item_id`` hint)."""
        d = asdict(self)
        d.pop("item_id")
        d["messages"] = [dict(m) for m in self.messages]
        d["stop"] = list(self.stop)
        return d

    def cache_key(self, backend_fingerprint: str) -> str:
        """Content address of this request on one backend and model."""
        data = orjson.dumps(
            {"backend": backend_fingerprint, "request": self.identity()},
            option=orjson.OPT_SORT_KEYS,
        )
        return hashlib.sha256(data).hexdigest()


def user_request(text: str, **settings: Any) -> ChatRequest:
    """A request holding one user message."""
    return ChatRequest(messages=({"role": "user", "content": text},), **settings)


@dataclass(slots=True)
class ChatResponse:
    """The ``n`` completions of a request, or an error.

    ``token_logprobs[i]`` holds the natural-log probability of each generated token of text
    ``i`` (empty when the backend did not return them). ``usage`` counts tokens
    (``prompt_tokens``, ``completion_tokens``); ``timings`` are seconds (``total`` at least).
    """

    texts: list[str] = field(default_factory=list)
    token_logprobs: list[list[float]] = field(default_factory=list)
    finish_reasons: list[str | None] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    attempts: int = 1
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and len(self.texts) > 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChatResponse:
        return cls(
            texts=[str(t) for t in data.get("texts", [])],
            token_logprobs=[[float(x) for x in lp] for lp in data.get("token_logprobs", [])],
            finish_reasons=list(data.get("finish_reasons", [])),
            usage={str(k): int(v) for k, v in (data.get("usage") or {}).items()},
            timings={str(k): float(v) for k, v in (data.get("timings") or {}).items()},
            error=data.get("error"),
            attempts=int(data.get("attempts", 1)),
            cached=bool(data.get("cached", False)),
        )


def failed(message: str, *, attempts: int = 1, seconds: float | None = None) -> ChatResponse:
    """A response that records a failed generation."""
    timings = {} if seconds is None else {"total": seconds}
    return ChatResponse(error=message, attempts=attempts, timings=timings)


@runtime_checkable
class Backend(Protocol):
    """A model behind one async call.

    ``name`` is the backend kind ("llamacpp", "openai", ...); ``model`` the model name written
    into records; ``fingerprint`` identifies backend and model for the response cache (two
    backends with the same fingerprint must answer a request the same way); ``max_concurrency``
    is how many requests it serves at once with benefit.
    """

    name: str
    model: str

    @property
    def fingerprint(self) -> str: ...

    @property
    def max_concurrency(self) -> int: ...

    async def complete(self, request: ChatRequest) -> ChatResponse: ...

    def describe(self) -> dict[str, Any]:
        """Settings to save in a run's config (never secrets)."""
        ...

    def close(self) -> None: ...


def as_messages(messages: Sequence[Mapping[str, str]]) -> tuple[Message, ...]:
    return tuple({"role": str(m["role"]), "content": str(m["content"])} for m in messages)

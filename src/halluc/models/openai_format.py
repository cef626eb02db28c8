"""Reading an OpenAI-style chat completion (a dict) into a :class:`ChatResponse`.

llama.cpp's in-process API and every OpenAI-compatible server answer in this format; anything
that does not have the expected shape is reported as an error, never guessed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from halluc.models.base import ChatResponse


def _token_logprobs(choice: Mapping[str, Any]) -> list[float]:
    lp = choice.get("logprobs")
    if not isinstance(lp, Mapping):
        return []
    content = lp.get("content")
    if not isinstance(content, list):
        return []
    out = []
    for tok in content:
        value = tok.get("logprob") if isinstance(tok, Mapping) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.append(float(value) if math.isfinite(value) else -1e9)
    return out


def parse_chat_completion(
    data: Any, *, want_logprobs: bool = False, seconds: float | None = None
) -> ChatResponse:
    """Texts, token log-probabilities, usage and timings of a chat completion dict."""
    timings: dict[str, float] = {} if seconds is None else {"total": seconds}
    if not isinstance(data, Mapping):
        return ChatResponse(error=f"malformed response: expected an object, got {type(data)}")
    if data.get("error") is not None:
        err = data["error"]
        msg = err.get("message") if isinstance(err, Mapping) else err
        return ChatResponse(error=f"server error: {msg}", timings=timings)
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        return ChatResponse(error="malformed response: no choices", timings=timings)
    ordered = sorted(
        (c for c in choices if isinstance(c, Mapping)),
        key=lambda c: int(c.get("index", 0) or 0),
    )
    texts: list[str] = []
    logprobs: list[list[float]] = []
    reasons: list[str | None] = []
    for choice in ordered:
        message = choice.get("message")
        content = message.get("content") if isinstance(message, Mapping) else None
        if content is None and isinstance(choice.get("text"), str):
            content = choice["text"]
        if not isinstance(content, str):
            return ChatResponse(error="malformed response: a choice has no text", timings=timings)
        texts.append(content)
        logprobs.append(_token_logprobs(choice))
        reason = choice.get("finish_reason")
        reasons.append(str(reason) if reason is not None else None)
    if want_logprobs and not any(logprobs):
        logprobs = []
    usage_raw = data.get("usage")
    usage: dict[str, int] = {}
    if isinstance(usage_raw, Mapping):
        for key in ("prompt_tokens", "completion_tokens", "total_tokens"):
            v = usage_raw.get(key)
            if isinstance(v, int) and not isinstance(v, bool):
                usage[key] = v
    server_timings = data.get("timings")
    if isinstance(server_timings, Mapping):
        for key, name in (("prompt_ms", "server_prompt"), ("predicted_ms", "server_generate")):
            v = server_timings.get(key)
            if isinstance(v, int | float):
                timings[name] = float(v) / 1000.0
    return ChatResponse(
        texts=texts,
        token_logprobs=logprobs if any(logprobs) else [],
        finish_reasons=reasons,
        usage=usage,
        timings=timings,
    )


def request_body(
    *,
    messages: list[dict[str, str]],
    max_tokens: int,
    temperature: float,
    top_p: float,
    n: int,
    seed: int | None,
    logprobs: bool,
    stop: list[str],
    model: str | None = None,
) -> dict[str, Any]:
    """The JSON body of ``/v1/chat/completions`` for one request."""
    body: dict[str, Any] = {
        "messages": messages,
        "max_tokens": max_tokens,
        "temperature": temperature,
        "top_p": top_p,
    }
    if model is not None:
        body["model"] = model
    if n != 1:
        body["n"] = n
    if seed is not None:
        body["seed"] = seed
    if logprobs:
        body["logprobs"] = True
    if stop:
        body["stop"] = stop
    return body

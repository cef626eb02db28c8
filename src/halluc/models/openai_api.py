"""Any OpenAI-compatible endpoint (vLLM, SGLang, llama.cpp server, Ollama, hosted APIs).

Uses the official ``openai`` client, asynchronously, with its own retries switched off so that
the policy here is explicit and tested: at most ``concurrency`` requests in flight, a timeout per
attempt, and up to ``max_retries`` retries of transient failures (connection errors, timeouts,
408, 409, 429, 5xx, a body that is not valid JSON) with exponential backoff and full jitter,
waiting at least as long as a ``Retry-After`` header asks (capped by ``max_retry_after``).
Permanent failures (400, 401, 403, 404, 422) are not retried. A request that still fails is
returned as an error response, so that its item is recorded as the ``error`` outcome.

The API key comes from an environment variable (``OPENAI_API_KEY`` unless told otherwise) and
is never written anywhere.
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import random
import time
from typing import Any

import openai
import orjson

from halluc.errors import InputError
from halluc.models.base import ChatRequest, ChatResponse, failed
from halluc.models.openai_format import parse_chat_completion, request_body

RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


class OpenAIBackend:
    """Chat completions from an OpenAI-compatible endpoint."""

    name = "openai"

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        concurrency: int = 8,
        timeout: float = 60.0,
        max_retries: int = 4,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        max_retry_after: float = 120.0,
        seed: int = 0,
    ) -> None:
        if not model:
            raise InputError("the openai backend needs a model name", field="model")
        if concurrency < 1:
            raise InputError(f"must be at least 1, got {concurrency}", field="concurrency")
        if timeout <= 0:
            raise InputError(f"must be positive, got {timeout}", field="timeout")
        if max_retries < 0:
            raise InputError(f"must be >= 0, got {max_retries}", field="max_retries")
        self.model = model
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL")
        self.api_key_env = api_key_env
        key = os.environ.get(api_key_env)
        if not key and self.base_url is None:
            raise InputError(
                f"set the API key in the environment variable {api_key_env} "
                "(or give the base_url of a local server)",
                field="api_key_env",
            )
        self.concurrency = concurrency
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_retry_after = max_retry_after
        self._rng = random.Random(seed)
        self._key = key or "no-key"
        self._client: openai.AsyncOpenAI | None = None
        self._sem: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def fingerprint(self) -> str:
        return f"openai:{self.base_url or 'api.openai.com'}:{self.model}"

    @property
    def max_concurrency(self) -> int:
        return self.concurrency

    def describe(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            "model": self.model,
            "base_url": self.base_url,
            "api_key_env": self.api_key_env,
            "concurrency": self.concurrency,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
        }

    def _bind(self) -> tuple[openai.AsyncOpenAI, asyncio.Semaphore]:
        """The client and semaphore of the running event loop (each loop gets its own: the
        connections of one loop cannot be used, or closed, from another)."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._sem is None or self._loop is not loop:
            self._client = openai.AsyncOpenAI(
                base_url=self.base_url, api_key=self._key, max_retries=0, timeout=self.timeout
            )
            self._sem = asyncio.Semaphore(self.concurrency)
            self._loop = loop
        return self._client, self._sem

    def backoff(self, attempt: int, retry_after: float | None) -> float:
        """Seconds before retry number ``attempt`` (1-based): full jitter, >= Retry-After."""
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        wait = self._rng.uniform(0, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_retry_after))
        return wait

    async def _attempt(
        self, client: openai.AsyncOpenAI, body: dict[str, Any]
    ) -> tuple[ChatResponse, bool, float | None]:
        """One HTTP attempt: (response, retryable, retry_after)."""
        try:
            raw = await client.chat.completions.with_raw_response.create(**body)
        except openai.APIStatusError as exc:
            status = exc.status_code
            retry_after = parse_retry_after(exc.response.headers.get("retry-after"))
            msg = f"HTTP {status}: {str(exc.message)[:200]}"
            return failed(msg), status in RETRY_STATUS or status >= 500, retry_after
        except openai.APITimeoutError:
            return failed(f"timeout after {self.timeout:g} s"), True, None
        except openai.APIConnectionError as exc:
            return failed(f"connection error: {exc.__cause__ or exc}"), True, None
        content = raw.http_response.content
        try:
            data = orjson.loads(content)
        except orjson.JSONDecodeError as exc:
            return failed(f"malformed JSON in the response ({exc.msg})"), True, None
        resp = parse_chat_completion(data, want_logprobs=bool(body.get("logprobs")))
        return resp, False, None

    async def complete(self, request: ChatRequest) -> ChatResponse:
        body = request_body(
            messages=[dict(m) for m in request.messages],
            max_tokens=request.max_tokens,
            temperature=request.temperature,
            top_p=request.top_p,
            n=request.n,
            seed=request.seed,
            logprobs=request.logprobs,
            stop=list(request.stop),
            model=self.model,
        )
        start = time.perf_counter()
        attempts = 0
        waited = 0.0
        client, sem = self._bind()
        async with sem:
            while True:
                attempts += 1
                resp, retryable, retry_after = await self._attempt(client, body)
                if resp.error is None or not retryable or attempts > self.max_retries:
                    break
                wait = self.backoff(attempts, retry_after)
                waited += wait
                await asyncio.sleep(wait)
        resp.attempts = attempts
        resp.timings["total"] = time.perf_counter() - start
        if waited:
            resp.timings["backoff"] = waited
        if resp.error is not None and attempts > 1:
            resp.error = f"{resp.error} (after {attempts} attempts)"
        return resp

    def close(self) -> None:
        """Forget the client; ``aclose`` inside the event loop that used it closes it."""
        self._client = None
        self._sem = None
        self._loop = None

    async def aclose(self) -> None:
        """Close the client of the running event loop (the runner calls this at its end)."""
        client = self._client
        if client is not None and self._loop is asyncio.get_running_loop():
            self._client = None
            await client.close()

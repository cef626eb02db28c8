"""The openai backend against the real llama.cpp HTTP server, and against a faulty server of the
test's own on 127.0.0.1 (500s, 429 with Retry-After, timeouts, malformed JSON) that forwards
the requests it lets through to the real server."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from halluc.data import Item
from halluc.errors import InputError
from halluc.eval import EvalSettings, evaluate
from halluc.log.outcomes import Outcome
from halluc.models.base import user_request
from halluc.models.openai_api import OpenAIBackend, parse_retry_after
from tests.models.fixtures import http_url


def test_real_server_answers_with_logprobs() -> None:
    backend = OpenAIBackend("smollm2", base_url=http_url(), concurrency=4)
    resp = asyncio.run(
        backend.complete(
            user_request(
                "What is the capital of France? Answer with just the answer.",
                max_tokens=12,
                logprobs=True,
            )
        )
    )
    assert resp.ok, resp.error
    assert "Paris" in resp.texts[0]
    assert resp.token_logprobs and all(x <= 0 for x in resp.token_logprobs[0])
    assert resp.attempts == 1


def test_retry_after_parsing() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = time.time()
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now=now) == 0.0


def test_api_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HALLUC_TEST_KEY", raising=False)
    with pytest.raises(InputError, match="HALLUC_TEST_KEY"):
        OpenAIBackend("m", api_key_env="HALLUC_TEST_KEY")
    monkeypatch.setenv("HALLUC_TEST_KEY", "sk-secret-value")
    backend = OpenAIBackend("m", api_key_env="HALLUC_TEST_KEY")
    assert "sk-secret-value" not in json.dumps(backend.describe())


class _Faulty(BaseHTTPRequestHandler):
    upstream = ""
    seen: ClassVar[Counter[str]] = Counter()
    active: ClassVar[int] = 0
    lock = threading.Lock()

    def log_message(self, format: str, *args: object) -> None:
        return None

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_POST(self) -> None:
        with self.lock:
            _Faulty.active += 1
        try:
            return self._handle()
        finally:
            with self.lock:
                _Faulty.active -= 1

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        text = json.loads(body)["messages"][-1]["content"]
        with self.lock:
            self.seen[text] += 1
            n = self.seen[text]
        err = b'{"error": {"message": "boom", "type": "server_error"}}'
        if "[always500]" in text:
            return self._send(500, err)
        if "[429]" in text and n == 1:
            return self._send(429, err, {"Retry-After": "1"})
        if "[flaky500]" in text and n == 1:
            return self._send(503, err)
        if "[timeout]" in text:
            time.sleep(6.0)  # longer than the client's timeout: the client gives up
            return self._send(500, err)
        if "[slowonce]" in text and n == 1:
            time.sleep(6.0)
            return self._send(500, err)
        if "[badjson]" in text:
            return self._send(200, b'{"choices": [{"message": ')
        if "[badrequest]" in text:
            return self._send(400, b'{"error": {"message": "bad request"}}')
        req = urllib.request.Request(
            f"{self.upstream}/chat/completions",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=60) as resp:
            return self._send(200, resp.read())


@pytest.fixture
def faulty_url() -> Iterator[str]:
    _Faulty.upstream = http_url()
    _Faulty.seen = Counter()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Faulty)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        # let handlers that still forward to the llama.cpp server finish: a connection left
        # open at interpreter exit would keep that server from stopping
        deadline = time.monotonic() + 60
        while _Faulty.active and time.monotonic() < deadline:
            time.sleep(0.05)


def test_faulty_server_every_item_recorded_errors_counted(faulty_url: str, tmp_path: Path) -> None:
    markers = ["ok", "always500", "429", "flaky500", "timeout", "slowonce", "badjson", "badrequest"]
    items = [Item(m, f"What is the capital of France? [{m}]", ("Paris",)) for m in markers]
    backend = OpenAIBackend(
        "smollm2",
        base_url=faulty_url,
        concurrency=4,
        timeout=4.0,
        max_retries=1,
        backoff_base=0.05,
    )
    settings = EvalSettings(targets=(0.0,), modes=("instructed",), max_tokens=6)
    start = time.perf_counter()
    run = evaluate(items, backend, tmp_path / "run", settings, cache=None)
    elapsed = time.perf_counter() - start
    records = {r.item_id: r for r in run.records()}
    assert set(records) == set(markers)
    for m in ("always500", "timeout", "badjson", "badrequest"):
        assert records[m].outcome is Outcome.ERROR, m
        assert records[m].error
    assert "HTTP 500" in (records["always500"].error or "")
    assert "timeout" in (records["timeout"].error or "")
    assert "malformed JSON" in (records["badjson"].error or "")
    # permanent failures are not retried, transient ones are (2 attempts = 1 + 1 retry)
    assert records["badrequest"].metadata["attempts"] == 1
    assert records["always500"].metadata["attempts"] == 2
    assert records["timeout"].metadata["attempts"] == 2
    for m in ("ok", "429", "flaky500", "slowonce"):
        assert records[m].outcome is not Outcome.ERROR, (m, records[m].error)
        assert records[m].response
    assert records["429"].metadata["attempts"] == 2
    assert records["429"].timings["total"] >= 1.0  # waited as long as Retry-After asked
    assert records["flaky500"].metadata["attempts"] == 2
    assert records["slowonce"].metadata["attempts"] == 2
    summary = run.summary()
    assert summary is not None
    row = summary["table"][0]
    assert row["error"] == 4 and row["n"] == len(markers)
    assert elapsed < 60

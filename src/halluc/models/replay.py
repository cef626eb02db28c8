"""Answers from a table: deterministic, for unit tests and for scoring pre-computed answers.

An entry is found by the request's ``item_id`` hint, else by the exact text of the last user
message, else by the longest key that the last user message starts with (prompts begin with the
question). An entry is a text, a list of texts (cycled when ``n`` samples are asked for), or a
mapping with ``texts`` and optionally ``token_logprobs`` (one list per text) or ``confidence``
(a probability turned into a one-token log-probability). A request with no entry gets an error
response, which the runner records as the ``error`` outcome.

Tables load from CSV, TSV, JSONL or JSON (through :func:`halluc.io.rows.read_rows`) with a key
column (``item_id``, ``id``, ``question`` or ``prompt``) and a ``response`` column, plus an
optional ``confidence`` column.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from halluc.errors import InputError
from halluc.io.rows import RowFormat, read_rows
from halluc.models.base import ChatRequest, ChatResponse, failed

Entry = str | Sequence[str] | Mapping[str, Any]
KEY_COLUMNS = ("item_id", "id", "question", "prompt")
RESPONSE_COLUMNS = ("response", "answer", "output", "completion")
REPLAY_FORMATS = (RowFormat.CSV, RowFormat.TSV, RowFormat.JSONL, RowFormat.JSON)


def _normalize_entry(entry: Entry) -> tuple[list[str], list[list[float]]]:
    if isinstance(entry, str):
        return [entry], []
    if isinstance(entry, Mapping):
        texts_raw = entry.get("texts", entry.get("text", entry.get("response")))
        texts = [texts_raw] if isinstance(texts_raw, str) else [str(t) for t in texts_raw or []]
        if "token_logprobs" in entry:
            lps = [[float(x) for x in lp] for lp in entry["token_logprobs"]]
        elif entry.get("confidence") is not None:
            c = float(entry["confidence"])
            lps = [[math.log(min(max(c, 1e-12), 1.0))] for _ in texts]
        else:
            lps = []
        return texts, lps
    return [str(t) for t in entry], []


def load_replay_table(path: str | Path) -> dict[str, Entry]:
    """Read a replay table from CSV or JSONL (see the module docstring for its columns)."""
    p = Path(path)
    rows = list(read_rows(p, REPLAY_FORMATS, what="replay table").records())
    if not rows:
        raise InputError("replay table has no rows", path=p, line=1)
    table: dict[str, Entry] = {}
    for line, row in rows:
        key_col = next((c for c in KEY_COLUMNS if row.get(c) not in (None, "")), None)
        resp_col = next((c for c in RESPONSE_COLUMNS if c in row), None)
        if key_col is None:
            raise InputError(f"missing key (one of {', '.join(KEY_COLUMNS)})", path=p, line=line)
        if resp_col is None or row[resp_col] is None:
            raise InputError("missing response", path=p, line=line, field="response")
        entry: dict[str, Any] = {"texts": row[resp_col]}
        conf = row.get("confidence")
        if conf not in (None, ""):
            try:
                entry["confidence"] = float(conf)
            except (TypeError, ValueError):
                raise InputError(
                    f"not a number: {conf!r}", path=p, line=line, field="confidence"
                ) from None
        table[str(row[key_col])] = entry
    return table


class ReplayBackend:
    """A deterministic backend that answers from a table."""

    name = "replay"

    def __init__(
        self,
        table: Mapping[str, Entry] | str | Path,
        *,
        model: str = "replay",
        default: Entry | None = None,
    ) -> None:
        self.source = str(table) if isinstance(table, str | Path) else None
        self.table: dict[str, Entry] = (
            load_replay_table(table) if isinstance(table, str | Path) else dict(table)
        )
        self.model = model
        self.default = default
        digest = hashlib.sha256(
            orjson.dumps({"t": self.table, "d": default}, option=orjson.OPT_SORT_KEYS, default=str)
        )
        self._fingerprint = f"replay:{digest.hexdigest()[:24]}"
        self.calls = 0

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    @property
    def max_concurrency(self) -> int:
        return 64

    def describe(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            "model": self.model,
            "table": self.source,
            "entries": len(self.table),
            "fingerprint": self._fingerprint,
        }

    def lookup(self, request: ChatRequest) -> Entry | None:
        if request.item_id is not None and request.item_id in self.table:
            return self.table[request.item_id]
        users = [m["content"] for m in request.messages if m.get("role") == "user"]
        last = users[-1] if users else ""
        if last in self.table:
            return self.table[last]
        best: str | None = None
        for key in self.table:
            if key and last.startswith(key) and (best is None or len(key) > len(best)):
                best = key
        if best is not None:
            return self.table[best]
        return self.default

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.calls += 1
        entry = self.lookup(request)
        if entry is None:
            return failed(f"no replay answer for item {request.item_id!r}", seconds=0.0)
        texts, lps = _normalize_entry(entry)
        if not texts:
            return failed(f"empty replay entry for item {request.item_id!r}", seconds=0.0)
        out = [texts[i % len(texts)] for i in range(request.n)]
        out_lp = [lps[i % len(lps)] for i in range(request.n)] if lps else []
        return ChatResponse(
            texts=out,
            token_logprobs=out_lp if request.logprobs else [],
            finish_reasons=["stop"] * request.n,
            usage={"completion_tokens": sum(len(t.split()) for t in out)},
            timings={"total": 0.0},
        )

    def close(self) -> None:
        return None

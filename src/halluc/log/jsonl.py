"""JSON Lines reading and crash-safe appending, shared by every stage that reads or writes logs.

A writer appends whole lines with one ``write`` each and fsyncs; a crash can therefore leave at
most one half-written *last* line. Readers of halluc's own logs drop such a tail with a warning
(the record was never committed, and a resumed run redoes it); readers of user input treat it as
bad input. A malformed line anywhere else is always an error naming file and line.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson

from halluc.errors import InputError


class PartialLineWarning(UserWarning):
    """A half-written last line (from a crash) was dropped."""


_CONTAINERS = (dict, list)


def _n_keys(value: Any) -> int:
    """Keys in a parsed JSON value, nested objects included."""
    n = 0
    stack = [value]
    while stack:
        v = stack.pop()
        if type(v) is dict:
            n += len(v)
            stack += [x for x in v.values() if type(x) in _CONTAINERS]
        elif type(v) is list:
            stack += [x for x in v if type(x) in _CONTAINERS]
    return n


def duplicate_key(raw: bytes, value: Any) -> str | None:
    """A key that stands twice in one object of the JSON text ``raw`` (parsed: ``value``).

    orjson keeps the last of repeated keys silently. A line orjson wrote (halluc's own logs)
    is its value written again, and a repeated key would make that shorter. Otherwise: every
    key in the text ends in ``":`` (a string may hold that too), so when no whitespace stands
    before a colon the text has at least as many of them as the value has keys, and exactly as
    many when no key repeats and no string holds one. Only otherwise is the text parsed again,
    pair by pair.
    """
    if orjson.dumps(value) == raw:
        return None
    spaced = b" :" in raw or b"\t:" in raw or b"\n:" in raw or b"\r:" in raw
    if not spaced and raw.count(b'":') == _n_keys(value):
        return None
    found: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        if len(set(keys)) < len(keys) and not found:
            found.append(next(k for i, k in enumerate(keys) if k in keys[:i]))
        return dict(items)

    json.loads(raw, object_pairs_hook=pairs)
    return found[0] if found else None


def parse_json_line(raw: bytes, path: str | Path | None, line_no: int) -> Any:
    """One JSON value of a JSON Lines file; bad UTF-8, bad JSON and a repeated key are each an
    :class:`InputError` naming the file and line."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            raise InputError(
                f"not UTF-8 (byte 0x{raw[bad.start]:02x} at column {bad.start + 1})",
                path=path,
                line=line_no,
            ) from None
        raise InputError(f"invalid JSON ({exc.msg})", path=path, line=line_no) from None
    if isinstance(value, dict | list):
        key = duplicate_key(raw, value)
        if key is not None:
            raise InputError(
                "the key stands twice in one object", path=path, line=line_no, field=key
            )
    return value


def iter_jsonl(
    path: str | Path, *, tolerate_partial_tail: bool = False
) -> Iterator[tuple[int, Any]]:
    """Yield ``(line_number, value)`` for each non-blank line of a JSON Lines file.

    With ``tolerate_partial_tail`` a last line that has no newline and does not parse is dropped
    with a :class:`PartialLineWarning`; otherwise it is an :class:`InputError`.
    """
    p = Path(path)
    try:
        fh = p.open("rb")
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror}", path=p) from None
    with fh:
        line_no = 0
        for raw in fh:
            line_no += 1
            complete = raw.endswith(b"\n")
            body = raw.strip()
            if not body:
                continue
            try:
                value = parse_json_line(body, p, line_no)
            except InputError:
                if tolerate_partial_tail and not complete:
                    warnings.warn(
                        f"{p}:{line_no}: dropped a half-written last line "
                        f"({len(raw)} bytes) left by an interrupted writer",
                        PartialLineWarning,
                        stacklevel=2,
                    )
                    return
                raise
            yield line_no, value


def repair_tail(path: str | Path) -> int:
    """Make a log safe to append to: cut a half-written last line. Returns bytes removed.

    A last line that parses but lacks its newline gets the newline instead of being cut.
    """
    p = Path(path)
    if not p.exists():
        return 0
    size = p.stat().st_size
    if size == 0:
        return 0
    with p.open("rb+") as fh:
        fh.seek(max(0, size - 1))
        if fh.read(1) == b"\n":
            return 0
        # find the start of the last line
        block = 1 << 16
        pos = size
        start = 0
        while pos > 0:
            step = min(block, pos)
            pos -= step
            fh.seek(pos)
            chunk = fh.read(step)
            idx = chunk.rfind(b"\n")
            if idx >= 0:
                start = pos + idx + 1
                break
        fh.seek(start)
        tail = fh.read()
        try:
            orjson.loads(tail)
        except orjson.JSONDecodeError:
            warnings.warn(
                f"{p}: cut a half-written last line ({len(tail)} bytes) before appending",
                PartialLineWarning,
                stacklevel=2,
            )
            fh.truncate(start)
            fh.flush()
            os.fsync(fh.fileno())
            return len(tail)
        fh.seek(size)
        fh.write(b"\n")
        fh.flush()
        os.fsync(fh.fileno())
        return 0


def dumps_line(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY) + b"\n"


def append_lines(path: str | Path, values: Iterable[Any], *, fsync: bool = True) -> int:
    """Append values as JSON lines in one write per line, then fsync. Returns lines written."""
    data = [dumps_line(v) for v in values]
    if not data:
        return 0
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        for line in data:
            view = memoryview(line)
            while view:
                n = os.write(fd, view)
                view = view[n:]
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)
    return len(data)


def write_json_atomic(path: str | Path, value: Any) -> None:
    """Write a JSON document so that readers see the old or the new file, never half of one."""
    p = Path(path)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    data = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY) + b"\n"
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(p)


def read_json(path: str | Path) -> Any:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=p) from None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"invalid JSON ({exc.msg})", path=p, line=exc.lineno) from None

"""Reading text input safely, one piece each reader of halluc shares: regular files only,
gzip undone, UTF-8 checked (line by line for streams), CSV rows with the line they start on,
JSON lines that must be objects.

Every error is an :class:`~halluc.errors.InputError` naming the file and, where known, the line.
"""

from __future__ import annotations

import csv
import gzip
import stat
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from halluc.errors import InputError
from halluc.log.jsonl import parse_json_line


def check_regular_file(path: Path) -> None:
    """Refuse a missing path, a folder, and anything that is not a regular file (a FIFO would
    block the reader, a device would never end)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None
    if stat.S_ISDIR(mode):
        raise InputError("a folder, not a table file", path=path)
    if not stat.S_ISREG(mode):
        raise InputError("not a regular file (a FIFO, socket or device); give a file", path=path)


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped for a ``.gz`` name; a damaged gzip stream is bad input."""
    check_regular_file(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None
    if path.suffix.lower() != ".gz":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"not a readable gzip file ({exc})", path=path) from None


def decode_text(raw: bytes, path: Path | str) -> str:
    """UTF-8 text (a leading byte-order mark dropped); other bytes name the line they are on."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"not UTF-8 (byte 0x{raw[exc.start]:02x} at column {column})", path=path, line=line
        ) from None


def decoded_lines(raw_lines: Iterable[bytes], path: Path | str) -> Iterator[str]:
    """Lines of a binary stream as text, each decoded on its own so that a bad byte is
    reported on its own line (a byte-order mark on the first line is dropped)."""
    for i, raw in enumerate(raw_lines, 1):
        try:
            text = raw.decode("utf-8-sig" if i == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})",
                path=path,
                line=i,
            ) from None
        yield text


class CsvRows:
    """CSV/TSV rows after the header, each with the line it starts on.

    A row with more or fewer fields than the header, and any quoting the ``csv`` module
    refuses, is an :class:`InputError` naming the line. Blank lines are skipped.
    """

    def __init__(self, lines: Iterable[str], path: Path | str, delimiter: str = ",") -> None:
        self.path = path
        self._reader = csv.reader(lines, delimiter=delimiter, strict=True)
        header = self._next()
        if header is None:
            raise InputError("empty file: no header row", path=path, line=1)
        self.header: list[str] = header

    @property
    def line(self) -> int:
        """The last line read so far."""
        return self._reader.line_num

    def _next(self) -> list[str] | None:
        try:
            return next((row for row in self._reader if row), None)
        except csv.Error as exc:
            raise self._bad(exc) from None

    def _bad(self, exc: csv.Error) -> InputError:
        return InputError(f"bad CSV ({exc})", path=self.path, line=self._reader.line_num)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        reader, width = self._reader, len(self.header)
        start = reader.line_num + 1
        try:
            for row in reader:
                if row:
                    if len(row) != width:
                        raise InputError(
                            f"{len(row)} fields, the header has {width}",
                            path=self.path,
                            line=start,
                        )
                    yield start, row
                start = reader.line_num + 1
        except csv.Error as exc:
            raise self._bad(exc) from None


def json_object(raw: bytes, path: Path | str, line: int) -> dict[str, Any]:
    """One JSON line that must be an object (see :func:`halluc.log.jsonl.parse_json_line`)."""
    value = parse_json_line(raw, path, line)
    if not isinstance(value, dict):
        kind = type(value).__name__
        raise InputError(f"each line must be a JSON object, got {kind}", path=path, line=line)
    return value


__all__ = [
    "CsvRows",
    "check_regular_file",
    "decode_text",
    "decoded_lines",
    "json_object",
    "read_bytes",
]

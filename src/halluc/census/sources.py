"""Input files of the census: which files, in which format, and reading them strictly.

A census input is one or more paths: files, directories (every file of a known format inside,
recursively, in sorted order) or glob patterns. The format comes from the file name
(``.parquet``, ``.jsonl``/``.ndjson``/``.json``, ``.csv``/``.tsv``, each text format optionally
``.gz`` or ``.zst``) or is given explicitly.

Compressed streams are decompressed here rather than by a library that stops quietly at a
truncated stream: a damaged or truncated gzip/zstd file is an :class:`InputError` naming the file
and the first line that could not be read.
"""

from __future__ import annotations

import glob
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO, Protocol

import zstandard

from halluc.errors import InputError


class TableFormat(StrEnum):
    PARQUET = "parquet"
    JSONL = "jsonl"
    CSV = "csv"
    TSV = "tsv"


_COMPRESSION_SUFFIXES = {".gz": "gzip", ".gzip": "gzip", ".zst": "zstd", ".zstd": "zstd"}
_FORMAT_SUFFIXES = {
    ".parquet": TableFormat.PARQUET,
    ".pq": TableFormat.PARQUET,
    ".jsonl": TableFormat.JSONL,
    ".ndjson": TableFormat.JSONL,
    ".json": TableFormat.JSONL,
    ".csv": TableFormat.CSV,
    ".tsv": TableFormat.TSV,
}
BLOCK_BYTES = 8 << 20
"""Default size of the blocks of whole lines handed to a parser (before the line cut)."""


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    format: TableFormat
    compression: str | None = None

    @property
    def size(self) -> int:
        """Bytes on disk (compressed size for a compressed file)."""
        return self.path.stat().st_size

    @property
    def delimiter(self) -> str:
        """The field separator of a CSV (",") or TSV ("\\t") file."""
        return "\t" if self.format is TableFormat.TSV else ","

    def __str__(self) -> str:
        return str(self.path)


def detect_format(path: Path, fmt: TableFormat | None = None) -> InputFile:
    """The format and compression of one file, from its name unless ``fmt`` is given."""
    suffixes = [s.lower() for s in path.suffixes]
    compression = None
    if suffixes and suffixes[-1] in _COMPRESSION_SUFFIXES:
        compression = _COMPRESSION_SUFFIXES[suffixes.pop()]
    if fmt is None:
        if not suffixes or suffixes[-1] not in _FORMAT_SUFFIXES:
            known = ", ".join(sorted(_FORMAT_SUFFIXES))
            raise InputError(
                f"cannot tell the format from the file name (known: {known}, optionally .gz or "
                ".zst); name the format explicitly",
                path=path,
            )
        fmt = _FORMAT_SUFFIXES[suffixes[-1]]
    if fmt is TableFormat.PARQUET and compression is not None:
        raise InputError("a Parquet file is compressed inside; do not gzip/zstd it", path=path)
    return InputFile(path, fmt, compression)


def _is_data_file(path: Path) -> bool:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSION_SUFFIXES:
        suffixes.pop()
    return bool(suffixes) and suffixes[-1] in _FORMAT_SUFFIXES and not path.name.startswith(".")


def expand_inputs(
    paths: Sequence[str | Path],
    *,
    fmt: TableFormat | None = None,
    allowed: Sequence[TableFormat] = tuple(TableFormat),
    what: str = "input",
) -> list[InputFile]:
    """Files named by ``paths`` (files, directories or glob patterns), each with its format."""
    out: list[InputFile] = []
    if not paths:
        raise InputError(f"no {what} files given")
    for raw in paths:
        text = str(raw)
        if any(ch in text for ch in "*?["):
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True))  # noqa: PTH207
            files = [m for m in matches if m.is_file()]
            if not files:
                raise InputError("no file matches this pattern", path=text)
        else:
            p = Path(text)
            if p.is_dir():
                files = sorted(f for f in p.rglob("*") if f.is_file() and _is_data_file(f))
                if not files:
                    raise InputError(f"no {what} files (by their suffix) in this folder", path=p)
            elif p.is_file():
                files = [p]
            else:
                raise InputError("no such file or folder", path=p)
        for f in files:
            item = detect_format(f, fmt)
            if item.format not in allowed:
                names = ", ".join(str(a) for a in allowed)
                raise InputError(
                    f"{item.format} is not a supported {what} format here ({names})", path=f
                )
            out.append(item)
    return out


class _Decompressor(Protocol):
    def decompress(self, data: bytes) -> bytes: ...


def _new_decompressor(compression: str) -> _Decompressor:
    if compression == "gzip":
        return zlib.decompressobj(wbits=47)  # gzip or zlib header, detected
    return zstandard.ZstdDecompressor().decompressobj()


def iter_decompressed(
    file: InputFile, chunk: int = 1 << 20
) -> Iterator[tuple[bytes, str | None, int]]:
    """Yield ``(data, None, raw_pos)`` chunks of the decompressed stream (``raw_pos``: bytes of
    the file read so far), then ``(b"", error, raw_pos)`` if the stream is damaged or truncated
    (``error`` says how). Concatenated gzip members and zstd frames are read through."""
    try:
        fh: BinaryIO = file.path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror}", path=file.path) from None
    with fh:
        if file.compression is None:
            while True:
                data = fh.read(chunk)
                if not data:
                    return
                yield data, None, fh.tell()
        name = file.compression
        dec = _new_decompressor(name)
        at_frame_start = True
        while True:
            raw = fh.read(chunk)
            if not raw:
                break
            while raw:
                try:
                    out = dec.decompress(raw)
                except (zlib.error, zstandard.ZstdError) as exc:
                    yield b"", f"unreadable {name} data ({exc})", fh.tell()
                    return
                at_frame_start = False
                if out:
                    yield out, None, fh.tell()
                if getattr(dec, "eof", False):
                    raw = getattr(dec, "unused_data", b"")
                    dec = _new_decompressor(name)
                    at_frame_start = True
                    if raw and name == "gzip":
                        raw = raw.lstrip(b"\x00")  # gzip members may be zero-padded
                else:
                    raw = b""
        if not at_frame_start:
            yield b"", f"truncated {name} stream (it ends before its end marker)", fh.tell()


@dataclass(frozen=True, slots=True)
class LineBlock:
    """Whole lines of one file: ``data`` starts at line ``first_line`` (1-based)."""

    file: InputFile
    first_line: int
    data: bytes
    n_lines: int
    raw_end: int = 0
    """Bytes of the file (compressed, if it is) read when the block was cut."""


def iter_line_blocks(file: InputFile, block_bytes: int = BLOCK_BYTES) -> Iterator[LineBlock]:
    """Blocks of whole lines (about ``block_bytes`` each) with the number of their first line.

    A damaged compressed stream raises :class:`InputError` naming the first line that could
    not be read, after every complete line before it has been yielded.
    """
    pending = bytearray()
    line = 1
    error: str | None = None
    raw_pos = 0
    for data, err, raw_pos in iter_decompressed(file):
        if err is not None:
            error = err
            break
        pending += data
        while len(pending) >= block_bytes:
            cut = pending.rfind(b"\n", 0, block_bytes) + 1 or pending.find(b"\n", block_bytes) + 1
            if cut == 0:
                break  # one line longer than a block: wait for its end
            body = bytes(pending[:cut])
            del pending[:cut]
            n = body.count(b"\n")
            yield LineBlock(file, line, body, n, raw_pos)
            line += n
    if error is not None:
        # Complete lines before the damage are still good; report where reading stopped.
        cut = pending.rfind(b"\n") + 1
        if cut > 0:
            body = bytes(pending[:cut])
            n = body.count(b"\n")
            yield LineBlock(file, line, body, n, raw_pos)
            line += n
        raise InputError(error, path=file.path, line=line)
    if pending:
        body = bytes(pending)
        n = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
        yield LineBlock(file, line, body, n, raw_pos)

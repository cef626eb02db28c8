"""A file-like view of a (possibly compressed) input file, for parsers that want one (CSV)."""

from __future__ import annotations

import io
from collections.abc import Iterator

from halluc.census.sources import InputFile, iter_decompressed
from halluc.errors import InputError


class _DecompressedRaw(io.RawIOBase):
    """Raw stream over :func:`iter_decompressed`; a damaged stream raises :class:`InputError`
    (naming the file; the parser adds the line it had reached)."""

    def __init__(self, file: InputFile) -> None:
        self._file = file
        self._chunks: Iterator[tuple[bytes, str | None, int]] = iter_decompressed(file)
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buf:
            try:
                data, err, _ = next(self._chunks)
            except StopIteration:
                return 0
            if err is not None:
                raise InputError(err, path=self._file.path)
            self._buf = data
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def open_binary_stream(file: InputFile) -> io.BufferedReader:
    """A buffered binary stream of the decompressed contents (use it as a context manager)."""
    return io.BufferedReader(_DecompressedRaw(file), buffer_size=1 << 20)

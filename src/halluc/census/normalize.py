"""Case and whitespace normalization, the same for patterns and for documents.

The normal form of a text: Unicode lowercase (``str.lower``), every run of whitespace (any
character with ``str.isspace``, NUL included) replaced by one space, leading and trailing
whitespace removed. Punctuation is kept.

Documents are normalized a batch at a time into one UTF-8 buffer in which documents are
separated by NUL bytes, so that one multi-pattern scan covers the whole batch and a match can
never run across two documents (a NUL is never part of a normalized pattern). Every step is a
single pass of a C-level string method or of numpy, which is what makes the scan fast.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

SEPARATOR = "\x00"
_ASCII_SPACE = bytes(c for c in range(1, 128) if chr(c).isspace())
_UNICODE_SPACES = tuple(
    chr(c).encode() for c in range(128, 0x3001) if chr(c).isspace()
)  # \x85, \xa0, \u1680, \u2000-\u200a, \u2028, \u2029, \u202f, \u205f, \u3000
_TABLE = bytes.maketrans(
    bytes(range(65, 91)) + _ASCII_SPACE, bytes(range(97, 123)) + b" " * len(_ASCII_SPACE)
)
"""One pass for ASCII text: A-Z to a-z and every ASCII whitespace character to a space."""


def normalize_text(text: str) -> str:
    """The normal form of one text (patterns, subject names, answers, documents)."""
    return " ".join(text.replace(SEPARATOR, " ").lower().split())


def normalize_batch(texts: Sequence[str]) -> tuple[bytes, npt.NDArray[np.intp]]:
    """Normalized documents joined by NUL bytes, as UTF-8, and the positions of the NULs.

    Document i is the i-th NUL-separated segment, equal to ``normalize_text(texts[i])``
    except that it may keep one leading and one trailing space (irrelevant to matching, since
    a space is a word boundary like the separator).
    """
    joined = SEPARATOR.join(texts)
    if joined.isascii():
        raw = joined.encode("ascii")  # a copy of the bytes; lowercased by the table below
    else:
        try:
            raw = joined.lower().encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: keep their place with U+FFFD
            raw = joined.lower().encode("utf-8", "replace")
        for seq in _UNICODE_SPACES:
            if seq in raw:
                raw = raw.replace(seq, b" ")
    lowered = raw.translate(_TABLE)
    arr = np.frombuffer(lowered, dtype=np.uint8)
    seps = np.flatnonzero(arr == 0)
    if seps.size != max(len(texts) - 1, 0):  # a text holds NUL bytes of its own
        return normalize_batch([t.replace(SEPARATOR, " ") for t in texts])
    space = arr == 32
    run = space[1:] & space[:-1]
    if not run.any():
        return lowered, seps
    keep = np.ones(arr.size, dtype=bool)
    keep[1:] = ~run
    out = arr[keep]
    return out.tobytes(), np.flatnonzero(out == 0)


def normalized_segment(buf: bytes, start: int, end: int) -> bytes:
    """The normal form of one document of a batch buffer (its exact bytes, trimmed)."""
    return buf[start:end].strip(b" ")

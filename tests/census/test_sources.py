from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import zstandard

from halluc.census.sources import (
    TableFormat,
    detect_format,
    expand_inputs,
    iter_line_blocks,
)
from halluc.errors import InputError

LINES = b"".join(b'{"text": "line %d"}\n' % i for i in range(1, 20001))


def test_formats_from_names(tmp_path: Path) -> None:
    assert detect_format(tmp_path / "a.jsonl.gz").compression == "gzip"
    assert detect_format(tmp_path / "a.ndjson.zst").format is TableFormat.JSONL
    assert detect_format(tmp_path / "a.tsv").format is TableFormat.TSV
    with pytest.raises(InputError, match="cannot tell the format"):
        detect_format(tmp_path / "a.txt")
    with pytest.raises(InputError, match="compressed inside"):
        detect_format(tmp_path / "a.parquet.gz")


def test_expand_folders_and_globs(tmp_path: Path) -> None:
    for name in ("b.jsonl", "a.jsonl.gz", "notes.txt", ".hidden.jsonl"):
        (tmp_path / name).write_bytes(b"")
    files = expand_inputs([tmp_path])
    assert [f.path.name for f in files] == ["a.jsonl.gz", "b.jsonl"]
    assert [f.path.name for f in expand_inputs([str(tmp_path / "*.jsonl")])] == ["b.jsonl"]
    with pytest.raises(InputError, match="no such file"):
        expand_inputs([tmp_path / "missing.jsonl"])
    with pytest.raises(InputError, match="no file matches"):
        expand_inputs([str(tmp_path / "*.parquet")])
    with pytest.raises(InputError, match="not a supported"):
        expand_inputs([tmp_path / "b.jsonl"], allowed=(TableFormat.PARQUET,))


@pytest.mark.parametrize("suffix", ["", ".gz", ".zst"])
def test_blocks_cover_every_line_with_its_number(tmp_path: Path, suffix: str) -> None:
    data = {"": LINES, ".gz": gzip.compress(LINES), ".zst": zstandard.compress(LINES)}[suffix]
    p = tmp_path / f"c.jsonl{suffix}"
    p.write_bytes(data)
    blocks = list(iter_line_blocks(detect_format(p), block_bytes=10_000))
    assert len(blocks) > 10
    assert b"".join(b.data for b in blocks) == LINES
    for b in blocks:
        first = b.data.split(b"\n", 1)[0]
        assert first == b'{"text": "line %d"}' % b.first_line
    assert blocks[-1].raw_end == p.stat().st_size


def test_concatenated_members_and_frames(tmp_path: Path) -> None:
    half = len(LINES) // 2
    cut = LINES.rfind(b"\n", 0, half) + 1
    p = tmp_path / "c.jsonl.gz"
    p.write_bytes(gzip.compress(LINES[:cut]) + gzip.compress(LINES[cut:]))
    assert b"".join(b.data for b in iter_line_blocks(detect_format(p))) == LINES
    z = tmp_path / "c.jsonl.zst"
    z.write_bytes(zstandard.compress(LINES[:cut]) + zstandard.compress(LINES[cut:]))
    assert b"".join(b.data for b in iter_line_blocks(detect_format(z))) == LINES


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_truncated_stream_names_file_and_line(tmp_path: Path, suffix: str) -> None:
    data = gzip.compress(LINES) if suffix == ".gz" else zstandard.compress(LINES)
    p = tmp_path / f"c.jsonl{suffix}"
    p.write_bytes(data[: len(data) // 2])
    seen = 0
    with pytest.raises(InputError) as err:
        for b in iter_line_blocks(detect_format(p), block_bytes=5_000):
            seen += b.n_lines
    assert "truncated" in str(err.value)
    assert err.value.path == str(p)
    assert err.value.line == seen + 1  # the first line that could not be read
    assert 0 < seen < 20000


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_garbage_compressed_file(tmp_path: Path, suffix: str) -> None:
    p = tmp_path / f"c.jsonl{suffix}"
    p.write_bytes(b"this is not compressed at all\n" * 10)
    with pytest.raises(InputError, match="unreadable") as err:
        list(iter_line_blocks(detect_format(p)))
    assert str(err.value).startswith(f"{p}:1: ")

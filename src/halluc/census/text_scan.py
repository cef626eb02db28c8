"""The text census on one machine: documents scanned in parallel worker processes.

The parent process reads the corpus as blocks of whole lines (decompressing gzip/zstd as it
goes, counting lines so that every error names its line) or as Parquet row groups, and hands
them to worker processes; each worker parses, normalizes and scans its block and returns which
groups and items each document mentions. The parent adds the results up in input order, so the
first bad line of the corpus is the one reported. Work in flight is bounded, so memory stays
flat on a corpus of any size.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from halluc.census.matcher import (
    DEDUP_MODES,
    BatchMatches,
    CountAccumulator,
    PatternSet,
    match_batch,
)
from halluc.census.progress import ProgressFn, no_progress
from halluc.census.sources import InputFile, TableFormat, iter_line_blocks
from halluc.census.text_read import (
    check_parquet_text_field,
    jsonl_texts,
    parquet_row_groups,
    parquet_texts,
)
from halluc.errors import InputError

Task = tuple[Any, ...]
ErrorInfo = tuple[str, str | None, int | None, str | None, int | None]
"""message, path, line, field, and the byte offset the line is counted from (None: absolute)."""


@dataclass(frozen=True, slots=True)
class TextOptions:
    """How documents are read and matched."""

    text_field: str = "text"
    dedup: str = "none"
    word_boundaries: bool = True
    workers: int = 0
    """Worker processes; 0 means one per CPU core, 1 scans in this process."""
    block_bytes: int = 4 << 20

    def __post_init__(self) -> None:
        if self.dedup not in DEDUP_MODES:
            raise InputError(f"must be one of {', '.join(DEDUP_MODES)}", field="dedup")
        if self.workers < 0:
            raise InputError("must be >= 0", field="workers")

    @property
    def n_workers(self) -> int:
        return self.workers or (os.cpu_count() or 1)

    def workers_for(self, total_bytes: float) -> int:
        """Workers for a corpus of this size: with ``workers=0``, one per core, but none extra
        for a corpus smaller than a few blocks (starting processes would cost more)."""
        if self.workers:
            return self.workers
        return max(1, min(self.n_workers, int(total_bytes // (4 * self.block_bytes))))

    def as_dict(self) -> dict[str, Any]:
        return {
            "text_field": self.text_field,
            "dedup": self.dedup,
            "word_boundaries": self.word_boundaries,
            "normalization": "Unicode lowercase; whitespace runs to one space; punctuation kept",
        }


_STATE: dict[str, Any] = {}


def _init_worker(pset: PatternSet, options: TextOptions) -> None:
    _STATE["pset"] = pset
    _STATE["options"] = options
    pset.automaton()


def _scan(task: Task) -> tuple[list[BatchMatches], ErrorInfo | None]:
    """Run one task in a worker (or in-process): errors come back as data, not exceptions."""
    pset: PatternSet = _STATE["pset"]
    opt: TextOptions = _STATE["options"]
    out: list[BatchMatches] = []
    base: int | None = None
    try:
        kind = task[0]
        if kind == "range":  # lines of an uncompressed file, read here; lines counted from 1
            _, path, base, end = task
            with open(path, "rb") as fh:  # noqa: PTH123
                fh.seek(base)
                data = fh.read(end - base)
            out.append(_match(pset, jsonl_texts(data, opt.text_field, path, 1), opt))
        elif kind == "jsonl":
            _, path, first_line, data = task
            texts = jsonl_texts(data, opt.text_field, path, first_line)
            out.append(_match(pset, texts, opt))
        else:
            _, path, row_group, first_row = task
            for texts in parquet_texts(path, row_group, first_row, opt.text_field):
                out.append(_match(pset, texts, opt))
    except InputError as exc:
        return out, (exc.message, exc.path, exc.line, exc.field, base)
    except OSError as exc:
        return out, (f"cannot read: {exc.strerror}", str(task[1]), None, None, None)
    return out, None


def _match(pset: PatternSet, texts: list[str], opt: TextOptions) -> BatchMatches:
    return match_batch(pset, texts, word_boundaries=opt.word_boundaries, dedup=opt.dedup)


def _tasks(files: Sequence[InputFile], opt: TextOptions) -> Iterator[tuple[Task, int]]:
    """(task, on-disk bytes it covers) in input order."""
    for f in files:
        if f.format is TableFormat.PARQUET:
            check_parquet_text_field(f.path, opt.text_field)
            for rg, first, size in parquet_row_groups(f.path):
                yield ("parquet", str(f.path), rg, first), size
        elif f.format is TableFormat.JSONL and f.compression is None:
            for start, end in _line_ranges(f.path, opt.block_bytes):
                yield ("range", str(f.path), start, end), end - start
        elif f.format is TableFormat.JSONL:
            done = 0
            for block in iter_line_blocks(f, opt.block_bytes):
                yield ("jsonl", str(f.path), block.first_line, block.data), block.raw_end - done
                done = block.raw_end
        else:
            raise InputError("a corpus must be JSONL or Parquet", path=f.path)


def _line_ranges(path: Path, block: int) -> Iterator[tuple[int, int]]:
    """Byte ranges of about ``block`` bytes that start and end at line starts."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            start = 0
            while start < size:
                end = start + block
                if end < size:
                    fh.seek(end)
                    fh.readline()
                    end = fh.tell()
                end = min(end, size)
                yield start, end
                start = end
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None


def _absolute_line(path: str, base: int, line: int) -> int:
    """Line ``line`` of the range starting at byte ``base``, as a line of the whole file."""
    count = 0
    with open(path, "rb") as fh:  # noqa: PTH123
        remaining = base
        while remaining > 0:
            chunk = fh.read(min(remaining, 1 << 20))
            if not chunk:
                break
            count += chunk.count(b"\n")
            remaining -= len(chunk)
    return count + line


def scan_corpus(
    files: Sequence[InputFile],
    pset: PatternSet,
    options: TextOptions | None = None,
    *,
    progress: ProgressFn | None = None,
) -> tuple[CountAccumulator, float]:
    """Scan every document of ``files``; returns the accumulated counts and the seconds taken.

    The number of worker processes used is in ``acc.workers``."""
    opt = options or TextOptions()
    report = progress or no_progress
    total = float(sum(f.size for f in files))
    acc = CountAccumulator(pset, opt.dedup)
    start = time.perf_counter()
    done = 0.0

    def take(result: tuple[list[BatchMatches], ErrorInfo | None], size: int) -> None:
        nonlocal done
        batches, err = result
        for b in batches:
            acc.add(b)
        if err is not None:
            msg, path, line, fld, base = err
            if base is not None and line is not None and path is not None:
                line = _absolute_line(path, base, line)
            raise InputError(msg, path=path, line=line, field=fld)
        done += size
        report(done, total)

    n_workers = opt.workers_for(total)
    if n_workers == 1:
        acc.workers = 1
        _init_worker(pset, opt)
        for task, size in _tasks(files, opt):
            take(_scan(task), size)
        return acc, time.perf_counter() - start
    ctx = multiprocessing.get_context("spawn")
    acc.workers = n_workers
    window = 2 * n_workers
    with ProcessPoolExecutor(
        max_workers=n_workers, mp_context=ctx, initializer=_init_worker, initargs=(pset, opt)
    ) as pool:
        pending: deque[tuple[Future[tuple[list[BatchMatches], ErrorInfo | None]], int]] = deque()
        try:
            for task, size in _tasks(files, opt):
                pending.append((pool.submit(_scan, task), size))
                if len(pending) >= window:
                    fut, sz = pending.popleft()
                    take(fut.result(), sz)
            while pending:
                fut, sz = pending.popleft()
                take(fut.result(), sz)
        except BaseException:
            for fut, _ in pending:
                fut.cancel()
            raise
    return acc, time.perf_counter() - start

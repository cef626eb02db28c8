"""Progress reporting for long scans: the library calls a small callback; the CLI draws a bar."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)


class ProgressFn(Protocol):
    """Called with work done so far and the total (same unit, e.g. bytes; total may be None)."""

    def __call__(self, done: float, total: float | None) -> None: ...


def no_progress(done: float, total: float | None) -> None:
    """The default: report nothing."""


class ByteCounter:
    """Thread-safe running total that forwards to a :class:`ProgressFn`."""

    def __init__(self, total: float | None, report: ProgressFn | None) -> None:
        self.total = total
        self.done = 0.0
        self._report = report or no_progress
        self._lock = threading.Lock()

    def add(self, amount: float) -> None:
        with self._lock:
            self.done += amount
            done = self.done
        self._report(done, self.total)

    def set(self, done: float) -> None:
        with self._lock:
            self.done = done
        self._report(done, self.total)


@contextmanager
def progress_bar(
    description: str, *, unit_bytes: bool = True, enabled: bool | None = None
) -> Iterator[ProgressFn]:
    """A rich progress bar on stderr (only when stderr is a terminal unless ``enabled``)."""
    show = sys.stderr.isatty() if enabled is None else enabled
    if not show:
        yield no_progress
        return
    columns = [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        *([DownloadColumn(), TransferSpeedColumn()] if unit_bytes else []),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    console = Console(file=sys.stderr)
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(description, total=None)

        def update(done: float, total: float | None) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def percent_poller(
    poll: Callable[[], float], report: ProgressFn, stop: threading.Event, interval: float = 0.25
) -> threading.Thread:
    """Start a thread that reports ``poll()`` (a percentage, negative if unknown) until stopped."""

    def run() -> None:
        while not stop.wait(interval):
            try:
                pct = poll()
            except Exception:  # the engine may refuse while finishing; keep the last value
                continue
            if pct >= 0:
                report(pct, 100.0)

    thread = threading.Thread(target=run, name="census-progress", daemon=True)
    thread.start()
    return thread

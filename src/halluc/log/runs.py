"""A run folder: ``config.json`` (how to redo it), ``records.jsonl`` (append-only) and
``summary.json``.

The folder is the run's whole state: a run interrupted at any moment (even by ``kill -9``) is
resumed by opening the same folder again; keys already in ``records.jsonl`` are not redone.

A process that writes to a folder (:meth:`RunFolder.create`, :meth:`RunFolder.open`) holds an
exclusive lock on its ``.lock`` file (``flock`` through ``filelock``) until
:meth:`RunFolder.close`, or until it ends: the operating system drops the lock of a process that
dies, even by ``kill -9``, so a lock is never left behind. A second writer is refused at once,
before it writes anything. Readers (``RunFolder(path)``) take no lock. The lock is per process:
one process may open the same folder for writing more than once.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from filelock import FileLock, Timeout

from halluc.errors import HallucError, InputError
from halluc.log.jsonl import append_lines, read_json, repair_tail, write_json_atomic
from halluc.log.records import Record, RecordKey, read_records

CONFIG = "config.json"
RECORDS = "records.jsonl"
SUMMARY = "summary.json"
LOCK = ".lock"

ConfigCheck = Callable[[Mapping[str, Any], Path], None]
"""Validates a folder's existing config before it is reopened (raises to refuse it)."""


class RunFolderInUseError(HallucError):
    """Another process is writing to this run folder."""


def _write_pid(fd: int) -> None:
    """Called by filelock with the lock file's descriptor once the lock is ours."""
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)


def _holder(lock_path: Path) -> str:
    try:
        pid = lock_path.read_text().strip()
    except OSError:
        return "unknown"
    return pid or "unknown"


def lock_run_folder(path: Path) -> FileLock:
    """The folder's write lock, taken now; :class:`RunFolderInUseError` if another has it."""
    lock = FileLock(
        path / LOCK,
        timeout=0,
        thread_local=False,
        is_singleton=True,
        on_acquired=_write_pid,
    )
    try:
        lock.acquire()
    except Timeout:
        raise RunFolderInUseError(
            f"run folder {path} is in use by another halluc process (pid {_holder(path / LOCK)})"
        ) from None
    return lock


def package_versions(names: Iterable[str] = ("halluc", "numpy", "pandas")) -> dict[str, str]:
    """Installed versions of the named packages (those not installed are left out)."""
    out: dict[str, str] = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            continue
    return out


class RunFolder:
    """Create or reopen a run folder. Records are appended whole and fsynced."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock: FileLock | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def locked(self) -> bool:
        """Whether this object holds the folder's write lock."""
        return self._lock is not None

    def close(self) -> None:
        """Give up the write lock (the folder stays readable through this object)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @property
    def config_path(self) -> Path:
        return self.path / CONFIG

    @property
    def records_path(self) -> Path:
        return self.path / RECORDS

    @property
    def summary_path(self) -> Path:
        return self.path / SUMMARY

    @classmethod
    def is_run_folder(cls, path: str | Path) -> bool:
        p = Path(path)
        return p.is_dir() and (p / CONFIG).is_file()

    @classmethod
    def create(
        cls,
        path: str | Path,
        config: Mapping[str, Any],
        *,
        resume_keys: Iterable[str] = (),
        check_config: ConfigCheck | None = None,
    ) -> RunFolder:
        """Create a run folder, or reopen one whose config matches on ``resume_keys``; either
        way, for writing (locked).

        A folder holding a run with a different config on any of ``resume_keys`` is refused, so
        that two different runs never mix their records; ``check_config`` may refuse the old
        config first (a folder of another kind of run, a broken file).
        """
        run = cls(path)
        run.path.mkdir(parents=True, exist_ok=True)
        run._lock = lock_run_folder(run.path)
        try:
            run._start(config, resume_keys, check_config)
        except BaseException:
            run.close()
            raise
        return run

    def _start(
        self,
        config: Mapping[str, Any],
        resume_keys: Iterable[str],
        check_config: ConfigCheck | None,
    ) -> None:
        full = dict(config)
        if self.config_path.exists():
            old = self.config()
            if check_config is not None:
                check_config(old, self.config_path)
            for key in resume_keys:
                if old.get(key) != full.get(key):
                    raise InputError(
                        f"this folder holds a different run ({key}: {old.get(key)!r} there, "
                        f"{full.get(key)!r} now); choose another output folder",
                        path=self.config_path,
                        field=key,
                    )
            repair_tail(self.records_path)
            return
        full.setdefault("created", datetime.now(UTC).isoformat(timespec="seconds"))
        full.setdefault("argv", sys.argv)
        full.setdefault("versions", package_versions())
        write_json_atomic(self.config_path, full)
        self.records_path.touch()

    @classmethod
    def open(cls, path: str | Path) -> RunFolder:
        """Reopen an existing run folder for writing (locked)."""
        if not cls.is_run_folder(path):
            raise InputError("not a run folder (no config.json)", path=path)
        run = cls(path)
        run._lock = lock_run_folder(run.path)
        repair_tail(run.records_path)
        return run

    def config(self) -> dict[str, Any]:
        value = read_json(self.config_path)
        if not isinstance(value, dict):
            raise InputError("config must be a JSON object", path=self.config_path)
        return value

    def append(self, records: Iterable[Record]) -> int:
        return append_lines(self.records_path, (r.to_dict() for r in records))

    def records(self) -> list[Record]:
        if not self.records_path.exists():
            return []
        return read_records(self.records_path, tolerate_partial_tail=True)

    def completed_keys(self) -> set[RecordKey]:
        return {r.key for r in self.records()}

    def write_summary(self, summary: Mapping[str, Any]) -> None:
        write_json_atomic(self.summary_path, dict(summary))

    def summary(self) -> dict[str, Any] | None:
        if not self.summary_path.exists():
            return None
        value = read_json(self.summary_path)
        return value if isinstance(value, dict) else None

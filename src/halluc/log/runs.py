"""A run folder: ``config.json`` (how to redo it), ``records.jsonl`` (append-only) and
``summary.json``.

The folder is the run's whole state: a run interrupted at any moment (even by ``kill -9``) is
resumed by opening the same folder again; keys already in ``records.jsonl`` are not redone.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from halluc.errors import InputError
from halluc.log.jsonl import append_lines, read_json, repair_tail, write_json_atomic
from halluc.log.records import Record, RecordKey, read_records

CONFIG = "config.json"
RECORDS = "records.jsonl"
SUMMARY = "summary.json"


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
        cls, path: str | Path, config: Mapping[str, Any], *, resume_keys: Iterable[str] = ()
    ) -> RunFolder:
        """Create a run folder, or reopen one whose config matches on ``resume_keys``.

        A folder holding a run with a different config on any of ``resume_keys`` is refused, so
        that two different runs never mix their records.
        """
        run = cls(path)
        run.path.mkdir(parents=True, exist_ok=True)
        full = dict(config)
        if run.config_path.exists():
            old = read_json(run.config_path)
            for key in resume_keys:
                if old.get(key) != full.get(key):
                    raise InputError(
                        f"this folder holds a different run ({key}: {old.get(key)!r} there, "
                        f"{full.get(key)!r} now); choose another output folder",
                        path=run.config_path,
                        field=key,
                    )
            repair_tail(run.records_path)
            return run
        full.setdefault("created", datetime.now(UTC).isoformat(timespec="seconds"))
        full.setdefault("argv", sys.argv)
        full.setdefault("versions", package_versions())
        write_json_atomic(run.config_path, full)
        run.records_path.touch()
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

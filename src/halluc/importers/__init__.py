"""Importers: other harnesses' per-item results as halluc records, ready to re-score.

One module per foreign format (lm-evaluation-harness, Inspect, simple-evals, HELM,
AbstentionBench, plain tables); :func:`import_paths` detects the format of each path, imports
it, and returns the records together with one :class:`ImportReport` per source saying what was
mapped, what was not, and whether halluc's t = 0 accuracy reproduces the source's own number.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from halluc.errors import InputError
from halluc.importers import detect
from halluc.importers.abstentionbench import import_abstentionbench
from halluc.importers.base import (
    IMPORTED_MODE,
    ImportOptions,
    ImportReport,
    ImportResult,
    Unmapped,
)
from halluc.importers.csv_table import import_table
from halluc.importers.helm import import_helm
from halluc.importers.inspect_log import import_inspect
from halluc.importers.lm_eval import import_lm_eval
from halluc.importers.simple_evals import import_simple_evals
from halluc.log.records import RECORD_SCHEMA_VERSION, RecordKey, read_records
from halluc.log.runs import RECORDS, RunFolder

Importer = Callable[[Path, ImportOptions], ImportResult]


def _import_halluc(path: Path, options: ImportOptions) -> ImportResult:
    file = path / RECORDS if RunFolder.is_run_folder(path) else path
    records = read_records(file, tolerate_partial_tail=True)
    report = ImportReport(path=str(path), format=detect.HALLUC, grade_source="halluc")
    report.notes.append(f"halluc records (schema v{RECORD_SCHEMA_VERSION}), read as they are")
    tasks = {r.metadata.get("task") for r in records if isinstance(r.metadata.get("task"), str)}
    if len(tasks) == 1:
        report.task = str(tasks.pop())
    report.count(records)
    return ImportResult(records=records, reports=[report])


IMPORTERS: dict[str, Importer] = {
    detect.LM_EVAL: import_lm_eval,
    detect.INSPECT: import_inspect,
    detect.SIMPLE_EVALS: import_simple_evals,
    detect.HELM: import_helm,
    detect.ABSTENTIONBENCH: import_abstentionbench,
    detect.TABLE: import_table,
    detect.HALLUC: _import_halluc,
}


def _sources(path: Path, fmt: str | None) -> list[tuple[Path, str]]:
    if fmt is None:
        return list(detect.discover(path))
    if fmt not in IMPORTERS:
        raise InputError(
            f"unknown format {fmt!r} (known: {', '.join(IMPORTERS)})", field="source_format"
        )
    if not path.exists():
        raise InputError("no such file or folder", path=path)
    return [(path, fmt)]


def import_path(
    path: str | Path, options: ImportOptions | None = None, fmt: str | None = None
) -> ImportResult:
    """Import everything under one path (a file, a result folder, or a folder of results)."""
    return import_paths([path], options, fmt)


def import_paths(
    paths: Iterable[str | Path], options: ImportOptions | None = None, fmt: str | None = None
) -> ImportResult:
    """Import several paths (files, result folders, folders of results).

    The same (model, item, target, mode) from two sources is an error naming both: it happens
    when one result is passed twice, or two runs of one model are not told apart by a model name
    (``ImportOptions.model``).
    """
    opts = options or ImportOptions()
    result = ImportResult()
    owner: dict[RecordKey, str] = {}
    with _gc_paused():
        for path in paths:
            for found, kind in _sources(Path(path), fmt):
                part = IMPORTERS[kind](found, opts)
                source = str(found)
                for rec in part.records:
                    key = rec.key
                    prior = owner.get(key)
                    if prior is not None:
                        raise InputError(
                            f"model {rec.model!r}, item {rec.item_id!r} was already imported "
                            f"from {prior}; pass each result once, or give runs of one model "
                            "names of their own (model)",
                            path=found,
                            field="item_id",
                        )
                    owner[key] = source
                result.extend(part)
    return result


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while records are built.

    An import creates hundreds of thousands of small dicts and records and no reference
    cycles; the collector would otherwise rescan the growing heap again and again (about a
    third of the import time on a large log).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


__all__ = [
    "IMPORTED_MODE",
    "IMPORTERS",
    "ImportOptions",
    "ImportReport",
    "ImportResult",
    "Unmapped",
    "import_path",
    "import_paths",
]

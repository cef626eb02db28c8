"""Which importer reads a path: by name, by the first bytes, or by the keys of the first record.

A file given explicitly must be recognised (else :class:`InputError`); a folder is searched for
the files the harnesses write (skipping their companions, such as lm-eval's ``results_*.json``),
and folders that are themselves results (a HELM run, an AbstentionBench run, a halluc run) are
read whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from halluc.errors import InputError
from halluc.importers import abstentionbench, helm, lm_eval, simple_evals
from halluc.log.runs import RECORDS, RunFolder

LM_EVAL = "lm-eval"
INSPECT = "inspect"
SIMPLE_EVALS = "simple-evals"
HELM = "helm"
ABSTENTIONBENCH = "abstentionbench"
TABLE = "table"
HALLUC = "halluc"
FORMATS = (LM_EVAL, INSPECT, SIMPLE_EVALS, HELM, ABSTENTIONBENCH, TABLE, HALLUC)

_HEAD = 65536


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(_HEAD)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path=path) from None


def _first_jsonl_object(path: Path) -> dict[str, object] | None:
    with path.open("rb") as fh:
        for raw in fh:
            if raw.strip():
                try:
                    value = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    return None
                return value if isinstance(value, dict) else None
    return None


def _json_kind(path: Path) -> str | None:
    """Classify a .json file from the keys near its start (a whole parse is left to the
    importer)."""
    name = path.name
    if path.stem.endswith(simple_evals.SUFFIX):
        return SIMPLE_EVALS
    if name in abstentionbench.STAGES or name.endswith("AbstentionDetector.json"):
        return ABSTENTIONBENCH
    head = _head(path)
    if b'"htmls"' in head and b'"convos"' in head:
        return SIMPLE_EVALS
    if b'"responses"' in head[:200] and b'"prompt"' in head:
        return ABSTENTIONBENCH
    if b'"eval"' in head and b'"status"' in head and b'"task"' in head:
        return INSPECT
    return None


def detect_file(path: Path) -> str | None:
    """The format of one file, or ``None`` when it is none of the known ones."""
    suffix = path.suffix.lower()
    if suffix == ".eval":
        return INSPECT
    if suffix == ".json":
        return _json_kind(path)
    if suffix in (".jsonl", ".ndjson"):
        if lm_eval.SAMPLES_RE.match(path.name):
            return LM_EVAL
        first = _first_jsonl_object(path)
        if first is None:
            return None
        if lm_eval.looks_like_samples(path, first):
            return LM_EVAL
        if "item_id" in first and "outcome" in first and "v" in first:
            return HALLUC
        return TABLE
    if suffix in (".csv", ".tsv"):
        return TABLE
    return None


def detect_folder(path: Path) -> str | None:
    """The format of a folder that is one result as a whole, if it is one."""
    if helm.is_run_folder(path):
        return HELM
    if abstentionbench.stage_file(path) is not None:
        return ABSTENTIONBENCH
    if RunFolder.is_run_folder(path) and (path / RECORDS).is_file():
        return HALLUC
    return None


_SKIP_FILES = ("results_", "config.json", "summary.json", "scores.json")


def discover(path: Path) -> Iterator[tuple[Path, str]]:
    """(path, format) for everything importable under ``path``, in a stable order."""
    if not path.exists():
        raise InputError("no such file or folder", path=path)
    if path.is_file():
        kind = detect_file(path)
        if kind is None:
            if path.name.startswith("results_") and path.suffix == ".json":
                raise InputError(
                    "this is lm-evaluation-harness' aggregate results file; re-score the "
                    "per-sample samples_<task>_<date>.jsonl files (written with --log_samples)",
                    path=path,
                )
            raise InputError(
                "unrecognised file (expected an lm-eval samples_*.jsonl, an Inspect .eval or "
                ".json log, a simple-evals *_allresults.json, an AbstentionBench stage file, "
                "a HELM run folder, or a CSV/JSONL table of graded items)",
                path=path,
            )
        yield path, kind
        return
    items = list(_walk(path))
    if not items:
        raise InputError(
            "no results found in this folder (nor in its subfolders); name files explicitly",
            path=path,
        )
    yield from items


def _walk(path: Path) -> Iterator[tuple[Path, str]]:
    kind = detect_folder(path)
    if kind is not None:
        yield path, kind
        return
    for child in sorted(path.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            yield from _walk(child)
            continue
        if child.name.startswith(_SKIP_FILES) or child.suffix.lower() in (".csv", ".tsv"):
            continue  # companions, and tables that must be named explicitly
        kind = detect_file(child)
        if kind in (None, TABLE):
            continue
        yield child, kind


__all__ = ["FORMATS", "detect_file", "detect_folder", "discover"]

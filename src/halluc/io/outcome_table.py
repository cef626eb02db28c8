"""Reading per-item outcomes for scoring: halluc records, or plain CSV/JSONL outcome tables.

A plain table needs a model, an item and an outcome column (names are detected from common
spellings or given explicitly); an optional target column says at which t each outcome was
obtained. Outcome labels may be halluc's, simple-evals' letter grades (A/B/C) or SimpleQA's
CORRECT/INCORRECT/NOT_ATTEMPTED. Any problem is an :class:`InputError` naming file, line and
field, raised before anything is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from halluc.errors import InputError
from halluc.log.jsonl import iter_jsonl
from halluc.log.outcomes import OUTCOMES, Mode, outcome_codes
from halluc.log.records import read_records, records_to_frame
from halluc.log.runs import RECORDS, RunFolder

MODEL_NAMES = ("model", "model_name", "model_id", "system")
ITEM_NAMES = ("item_id", "id", "item", "question_id", "qid", "doc_id")
OUTCOME_NAMES = ("outcome", "grade", "grade_letter", "label", "result", "verdict")
TARGET_NAMES = ("target", "t", "confidence_target")


@dataclass(frozen=True, slots=True)
class ColumnMap:
    model: str | None = None
    item: str | None = None
    outcome: str | None = None
    target: str | None = None
    default_model: str | None = None
    """Model name used when the table has no model column."""


def _pick(
    columns: Sequence[str],
    given: str | None,
    names: Sequence[str],
    what: str,
    path: Path,
    required: bool,
) -> str | None:
    if given is not None:
        if given not in columns:
            raise InputError(
                f"column not found (columns: {', '.join(columns)})", path=path, line=1, field=given
            )
        return given
    lower = {c.lower(): c for c in columns}
    for name in names:
        if name in lower:
            return lower[name]
    if required:
        raise InputError(
            f"no {what} column (looked for {', '.join(names)}; name it with --{what}-column)",
            path=path,
            line=1,
            field=what,
        )
    return None


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 (byte 0x{raw[exc.start]:02x})", path=path, line=line) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("empty file", path=path, line=1) from None
    rows = []
    for row in reader:
        if not row:
            continue
        if len(row) != len(header):
            raise InputError(
                f"{len(row)} fields, the header has {len(header)}", path=path, line=reader.line_num
            )
        rows.append(row)
    return header, rows


def _read_jsonl_table(path: Path) -> tuple[list[str], list[dict[str, object]], list[int]]:
    rows: list[dict[str, object]] = []
    lines: list[int] = []
    columns: dict[str, None] = {}
    for line_no, value in iter_jsonl(path, tolerate_partial_tail=False):
        if not isinstance(value, dict):
            raise InputError("each line must be a JSON object", path=path, line=line_no)
        rows.append(value)
        lines.append(line_no)
        for k in value:
            columns.setdefault(k, None)
    return list(columns), rows, lines


def read_outcome_table(path: str | Path, columns: ColumnMap | None = None) -> pd.DataFrame:
    """Read a CSV or JSONL outcome table, a halluc ``records.jsonl`` or a run folder.

    Returns a frame with ``model, item_id, target, mode, outcome`` (outcome as a categorical of
    halluc's four labels) and, for halluc records, the other scoring columns.
    """
    p = Path(path)
    cm = columns or ColumnMap()
    if RunFolder.is_run_folder(p):
        return records_to_frame(read_records(p / RECORDS, tolerate_partial_tail=True))
    if not p.exists():
        raise InputError("no such file or folder", path=p)
    if p.is_dir():
        raise InputError("a folder without config.json is not a run folder", path=p)
    suffix = p.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        names, rows, lines = _read_jsonl_table(p)
        if rows and "item_id" in names and "outcome" in names and "v" in names:
            return records_to_frame(read_records(p, tolerate_partial_tail=False))

        def get(row: dict[str, object], col: str) -> object:
            return row.get(col)

        first_lines = lines
        table_rows: Sequence[object] = rows
    elif suffix in (".csv", ".tsv"):
        names, csv_rows = _read_csv(p)
        first_lines = list(range(2, 2 + len(csv_rows)))
        index = {n: i for i, n in enumerate(names)}
        table_rows = csv_rows

        def get(row: list[str], col: str) -> object:  # type: ignore[misc]
            return row[index[col]]
    else:
        raise InputError("unknown file type (expected .csv, .tsv, .jsonl or a run folder)", path=p)
    if not table_rows:
        raise InputError("no rows", path=p, line=1)
    model_col = _pick(names, cm.model, MODEL_NAMES, "model", p, required=cm.default_model is None)
    item_col = _pick(names, cm.item, ITEM_NAMES, "item", p, required=True)
    outcome_col = _pick(names, cm.outcome, OUTCOME_NAMES, "outcome", p, required=True)
    target_col = _pick(names, cm.target, TARGET_NAMES, "target", p, required=False)
    assert item_col is not None and outcome_col is not None
    models, items, labels, targets = [], [], [], []
    for row, line in zip(table_rows, first_lines, strict=True):
        model = get(row, model_col) if model_col else cm.default_model  # type: ignore[arg-type]
        item = get(row, item_col)  # type: ignore[arg-type]
        label = get(row, outcome_col)  # type: ignore[arg-type]
        for fld, val in ((model_col or "model", model), (item_col, item), (outcome_col, label)):
            if val is None or (isinstance(val, str) and not val.strip()):
                raise InputError("missing value", path=p, line=line, field=fld)
        t: float = np.nan
        if target_col:
            raw_t = get(row, target_col)  # type: ignore[arg-type]
            if raw_t not in (None, ""):
                try:
                    t = float(raw_t)  # type: ignore[arg-type]
                except (TypeError, ValueError):
                    raise InputError(
                        f"not a number: {raw_t!r}", path=p, line=line, field=target_col
                    ) from None
                if not 0.0 <= t < 1.0:
                    raise InputError(
                        f"target must satisfy 0 <= t < 1, got {t}",
                        path=p,
                        line=line,
                        field=target_col,
                    )
        models.append(str(model))
        items.append(str(item))
        labels.append(str(label))
        targets.append(t)
    try:
        codes = outcome_codes(np.asarray(labels, dtype=object), first_line=0)
    except InputError as exc:  # exc.line is the row index here; report the file line
        raise InputError(
            exc.message, path=p, line=first_lines[exc.line or 0], field=outcome_col
        ) from None
    frame = pd.DataFrame(
        {
            "model": models,
            "item_id": items,
            "target": np.asarray(targets, dtype=np.float64),
            "mode": str(Mode.IMPORTED),
            "outcome": pd.Categorical.from_codes(
                codes.astype(np.int64), categories=pd.Index([str(o) for o in OUTCOMES])
            ),
        }
    )
    group = frame.groupby(["model", "item_id", "target"], dropna=False, sort=False).ngroup()
    gcodes = group.to_numpy()
    dup = pd.Series(gcodes).duplicated(keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero(gcodes == gcodes[i])[0])
        m, it, tt = frame.iloc[i][["model", "item_id", "target"]]
        raise InputError(
            f"duplicate (model, item, target) = ({m}, {it}, {tt:g}); first on line "
            f"{first_lines[first]}",
            path=p,
            line=first_lines[i],
            field=item_col,
        )
    return frame

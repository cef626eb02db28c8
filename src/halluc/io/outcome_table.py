"""Reading per-item outcomes for scoring: halluc records, or plain outcome tables (any format
:func:`halluc.io.rows.read_rows` reads).

A plain table needs a model, an item and an outcome column (names are detected from common
spellings or given explicitly); an optional target column says at which t each outcome was
obtained. Outcome labels may be halluc's, simple-evals' letter grades (A/B/C) or SimpleQA's
CORRECT/INCORRECT/NOT_ATTEMPTED. Any problem is an :class:`InputError` naming file, line and
field, raised before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from halluc.errors import InputError
from halluc.io.rows import RowTable, read_rows
from halluc.log.outcomes import OUTCOMES, Mode, outcome_codes
from halluc.log.records import is_record_log, read_records, records_to_frame
from halluc.log.runs import RECORDS, RunFolder

MODEL_NAMES = ("model", "model_name", "model_id", "system")
ITEM_NAMES = ("item_id", "id", "item", "question_id", "qid", "doc_id")
OUTCOME_NAMES = ("outcome", "grade", "grade_letter", "label", "result", "verdict")
TARGET_NAMES = ("target", "t", "confidence_target")
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ColumnMap:
    model: str | None = None
    item: str | None = None
    outcome: str | None = None
    target: str | None = None
    default_model: str | None = None
    """Model name used when the table has no model column."""


def _required(rows: RowTable, column: str, lines: IntArray) -> pd.Series:
    """A column's cells as text; a missing or blank cell is an error naming its line."""
    text = pd.Series(rows.column(column), dtype=object).astype("string[pyarrow]")
    blank = text.isna().to_numpy() | (text.str.strip() == "").fillna(True).to_numpy(bool)
    if blank.any():
        line = int(lines[np.flatnonzero(blank)[0]])
        raise InputError("missing value", path=rows.path, line=line, field=column)
    return text


def _targets(rows: RowTable, column: str | None, lines: IntArray) -> FloatArray:
    """The target of each row (nan where the cell is empty or the table has no column)."""
    if column is None:
        return np.full(len(rows), np.nan)
    cells = pd.Series(rows.column(column), dtype=object)
    empty = cells.isna().to_numpy() | (cells == "").to_numpy()
    values = pd.to_numeric(cells.where(~empty, None), errors="coerce").to_numpy(np.float64)
    bad = np.isnan(values) & ~empty
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"not a number: {cells.iloc[i]!r}", path=rows.path, line=int(lines[i]), field=column
        )
    outside = ~empty & ~((values >= 0.0) & (values < 1.0))
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        raise InputError(
            f"target must satisfy 0 <= t < 1, got {values[i]}",
            path=rows.path,
            line=int(lines[i]),
            field=column,
        )
    return values


def _check_unique(frame: pd.DataFrame, rows: RowTable, lines: IntArray, item_col: str) -> None:
    group = frame.groupby(["model", "item_id", "target"], dropna=False, sort=False).ngroup()
    gcodes = group.to_numpy()
    dup = pd.Series(gcodes).duplicated(keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero(gcodes == gcodes[i])[0])
        m, it, tt = frame.iloc[i][["model", "item_id", "target"]]
        raise InputError(
            f"duplicate (model, item, target) = ({m}, {it}, {tt:g}); first on line {lines[first]}",
            path=rows.path,
            line=int(lines[i]),
            field=item_col,
        )


def outcome_frame(rows: RowTable, columns: ColumnMap | None = None) -> pd.DataFrame:
    """The outcomes of a table's rows: ``model, item_id, target, mode, outcome`` (outcome as a
    categorical of halluc's four labels, mode ``imported``), checked row by row."""
    cm = columns or ColumnMap()
    if not len(rows):
        raise InputError("no rows", path=rows.path, line=1)
    model_col = rows.pick(cm.model, MODEL_NAMES, "model", required=cm.default_model is None)
    item_col = rows.pick(cm.item, ITEM_NAMES, "item")
    outcome_col = rows.pick(cm.outcome, OUTCOME_NAMES, "outcome")
    target_col = rows.pick(cm.target, TARGET_NAMES, "target", required=False)
    assert item_col is not None and outcome_col is not None
    lines = np.asarray(rows.lines, dtype=np.int64)
    if model_col is None:
        models = pd.Series([cm.default_model] * len(rows), dtype=object)
    else:
        models = _required(rows, model_col, lines)
    items = _required(rows, item_col, lines)
    labels = _required(rows, outcome_col, lines)
    try:
        codes = outcome_codes(labels.to_numpy(dtype=object), first_line=0)
    except InputError as exc:  # exc.line is the row index here; report the file line
        line = int(lines[exc.line or 0])
        raise InputError(exc.message, path=rows.path, line=line, field=outcome_col) from None
    frame = pd.DataFrame(
        {
            "model": models.to_numpy(dtype=object),
            "item_id": items.to_numpy(dtype=object),
            "target": _targets(rows, target_col, lines),
            "mode": str(Mode.IMPORTED),
            "outcome": pd.Categorical.from_codes(
                codes.astype(np.int64), categories=pd.Index([str(o) for o in OUTCOMES])
            ),
        }
    )
    _check_unique(frame, rows, lines, item_col)
    return frame


def read_outcome_table(path: str | Path, columns: ColumnMap | None = None) -> pd.DataFrame:
    """Read an outcome table (CSV, TSV, JSONL, JSON or Parquet), a halluc ``records.jsonl`` or
    a run folder.

    Returns a frame with ``model, item_id, target, mode, outcome`` (outcome as a categorical of
    halluc's four labels) and, for halluc records, every other field of the records.
    """
    p = Path(path)
    if RunFolder.is_run_folder(p):
        return records_to_frame(read_records(p / RECORDS, tolerate_partial_tail=True))
    if p.is_dir():
        raise InputError("a folder without config.json is not a run folder", path=p)
    if not p.exists():
        raise InputError("no such file or folder", path=p)
    if is_record_log(p):
        return records_to_frame(read_records(p, tolerate_partial_tail=False))
    return outcome_frame(read_rows(p), columns)

"""Plain outcome tables (CSV, TSV or JSON Lines) with a grade per row.

Reading is :func:`halluc.io.rows.read_rows`, column detection and label parsing are
:func:`halluc.io.outcome_table.outcome_frame` (so an unknown grade letter is an error naming
file, line and column); this module adds what
re-scoring needs on top: the source's label kept as ``source_grade``, and question, gold answer
and response columns (SimpleQA's ``problem``/``answer``, ``predicted_answer``, ...) carried into
the records. Labels: halluc's four, simple-evals' letters A/B/C, or SimpleQA's CORRECT /
INCORRECT / NOT_ATTEMPTED. The labels already separate abstentions, so no detection is run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from halluc.importers.base import (
    IMPORTED_MODE,
    ImportOptions,
    ImportReport,
    ImportResult,
    base_metadata,
    benchmark_key,
    item_id,
)
from halluc.io.outcome_table import OUTCOME_NAMES, ColumnMap, outcome_frame
from halluc.io.rows import find_column, read_rows
from halluc.log.outcomes import OUTCOMES
from halluc.log.records import Record

FORMAT = "table"
QUESTION_COLUMNS = ("question", "problem", "prompt", "query")
ANSWER_COLUMNS = ("answer", "answers", "gold", "gold_target", "gold_answer", "reference")
RESPONSE_COLUMNS = ("response", "predicted_answer", "prediction", "completion", "output")
TASK_COLUMNS = ("task", "benchmark", "eval", "eval_name", "dataset")


def _answers(value: object) -> list[str] | None:
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def import_table(
    path: str | Path,
    options: ImportOptions | None = None,
    columns: ColumnMap | None = None,
) -> ImportResult:
    """Import a CSV/TSV/JSONL table of graded items."""
    opts = options or ImportOptions()
    p = Path(path)
    cm = columns or ColumnMap(default_model=opts.model)
    table = read_rows(p)
    frame = outcome_frame(table, cm)
    rows = [row for _, row in table.records()]
    names = table.names
    outcome_col = cm.outcome or find_column(names, OUTCOME_NAMES)
    q_col = find_column(names, QUESTION_COLUMNS)
    a_col = find_column(names, ANSWER_COLUMNS)
    r_col = find_column(names, RESPONSE_COLUMNS)
    t_col = find_column(names, TASK_COLUMNS)
    labels = [str(o) for o in OUTCOMES]
    codes = frame["outcome"].cat.codes.to_numpy()
    cats = list(frame["outcome"].cat.categories)
    outcome_of = [OUTCOMES[labels.index(c)] for c in cats]
    targets = frame["target"].to_numpy(dtype=np.float64)
    # ``--model`` names the model of a table without a model column (see ColumnMap).
    models = frame["model"].astype(str).tolist()
    report = ImportReport(path=str(p), format=FORMAT)
    report.grade_source = f"{FORMAT}:{outcome_col}" if outcome_col else FORMAT
    records: list[Record] = []
    tasks: set[str] = set()
    for i, (row, sid) in enumerate(zip(rows, frame["item_id"].tolist(), strict=True)):
        task = opts.task or (str(row[t_col]) if t_col and row.get(t_col) else None)
        if task:
            tasks.add(task)
        t = targets[i]
        records.append(
            Record(
                item_id=item_id(task, sid),
                model=models[i],
                outcome=outcome_of[codes[i]],
                target=None if np.isnan(t) else float(t),
                mode=IMPORTED_MODE,
                response=str(row[r_col]) if r_col and row.get(r_col) not in (None, "") else None,
                grader=report.grade_source,
                metadata=base_metadata(
                    source=FORMAT,
                    task=task,
                    source_id=sid,
                    source_grade=row.get(outcome_col) if outcome_col else None,
                    question=str(row[q_col]) if q_col and row.get(q_col) else None,
                    answers=_answers(row.get(a_col)) if a_col else None,
                ),
            )
        )
    if len(tasks) == 1:
        report.task = tasks.pop()
        report.benchmark = benchmark_key(report.task)
    elif tasks:
        report.notes.append(f"{len(tasks)} tasks in one table: {', '.join(sorted(tasks))}")
    report.count(records)
    return ImportResult(records=records, reports=[report])


__all__ = ["FORMAT", "import_table"]

"""Result frames laid out as :class:`~halluc.render.tables.Table` s: which columns each shows,
with which headers. One layout per result, drawn alike in the terminal, Markdown and HTML.

Every builder reads a frame made by :mod:`halluc.scoring.metrics` (through ``score_report``),
:mod:`halluc.scoring.leaderboard`, the audit, the confidence metrics or the census; none computes a
metric of its own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from halluc.calibration.audit import audit_summary
from halluc.render.numbers import MISSING, fmt_bounds, fmt_num, format_number, range_label
from halluc.render.tables import Cell, CellLike, Table
from halluc.scoring.crossings import Crossing
from halluc.scoring.leaderboard import flip_keys, ordered_keys


def interval(value: Any, lo: Any, hi: Any, digits: int = 3) -> Cell:
    """A value with its interval beside it ("–" alone when the value is missing)."""
    text = fmt_num(value, digits)
    if text == MISSING:
        return Cell(text)
    return Cell(text, fmt_bounds(lo, hi, digits))


def _target_text(t: Any) -> str:
    return MISSING if pd.isna(t) else format_number(float(t))


def score_table(table: pd.DataFrame, title: str = "") -> Table:
    """The score table: each rule's parameters, every rate with its Wilson interval, the
    F-score and the penalized score with bootstrap intervals, and both baselines."""
    show_mode = table["mode"].nunique() > 1 if len(table) else False
    show_idk = bool(len(table)) and bool((table["idk_credit"] != 0).any())
    headers = [
        "model",
        *(["mode"] if show_mode else []),
        "t",
        *(["IDK credit"] if show_idk else []),
        "penalty",
        "n",
        "errors",
        "accuracy",
        "wrong",
        "abstained",
        "accuracy | answered",
        "F-score",
        "penalized score",
        "always answer",
        "always abstain",
    ]
    out = Table(headers, title=title, numeric_from=2 if show_mode else 1)
    for _, r in table.iterrows():
        out.rows.append(
            [
                str(r["model"]),
                *([str(r["mode"])] if show_mode else []),
                _target_text(r["target"]),
                *([format_number(r["idk_credit"])] if show_idk else []),
                format_number(round(float(r["penalty"]), 3)),
                str(int(r["n"])),
                str(int(r["error"])),
                interval(r["accuracy"], r["accuracy_lo"], r["accuracy_hi"]),
                interval(r["error_rate"], r["error_rate_lo"], r["error_rate_hi"]),
                interval(r["abstention_rate"], r["abstention_rate_lo"], r["abstention_rate_hi"]),
                interval(
                    r["accuracy_given_attempted"],
                    r["accuracy_given_attempted_lo"],
                    r["accuracy_given_attempted_hi"],
                ),
                interval(r["f_score"], r["f_score_lo"], r["f_score_hi"]),
                interval(r["score"], r["score_lo"], r["score_hi"]),
                Cell(fmt_num(r["always_answer_score"]), str(r["always_answer_source"] or "")),
                fmt_num(r["always_abstain_score"]),
            ]
        )
    return out


def _key_header(key: str) -> str:
    try:
        return f"t = {format_number(float(key))}"
    except ValueError:
        return key


def leaderboard_table(board: pd.DataFrame, table: pd.DataFrame, title: str = "") -> Table:
    """Score and rank under each rule of ``table`` (⇅ marks a rank that changed from the
    previous rule)."""
    keys = ordered_keys(table)
    out = Table(["entry", *map(_key_header, keys), "rank changes at"], title=title)
    for _, r in board.iterrows():
        flips = flip_keys(r.get("flips"))
        cells: list[CellLike] = [str(r["entry"])]
        for k in keys:
            sc, rk = r.get(f"score@{k}"), r.get(f"rank@{k}")
            if sc is None or pd.isna(sc):
                cells.append(MISSING)
                continue
            mark = " ⇅" if k in flips else ""
            cells.append(Cell(fmt_num(float(sc)), f"#{int(float(str(rk)))}{mark}"))
        cells.append(", ".join(map(_key_header, flips)) if flips else MISSING)
        out.rows.append(cells)
    return out


def crossings_table(crossings: Sequence[Crossing], limit: int = 200, title: str = "") -> Table:
    out = Table(
        ["#", "t", "score there", "leads below t", "leads above t", "located by"],
        title=title,
        numeric_from=1,
    )
    for i, c in enumerate(crossings[:limit], 1):
        out.rows.append([str(i), fmt_num(c.t), fmt_num(c.score), c.below, c.above, c.method])
    if len(crossings) > limit:
        out.caption = f"first {limit} of {len(crossings)} crossings"
    return out


def audit_tables(audit: pd.DataFrame) -> tuple[Table, Table]:
    """The per-t audit and its per-entry summary."""
    detail = Table(
        ["entry", "t", "answer rate", "accuracy | answered", "verdict", "answer rate rose"],
        numeric_from=1,
    )
    for _, r in audit.iterrows():
        detail.rows.append(
            [
                str(r["entry"]),
                format_number(r["target"]),
                interval(r["answer_rate"], r["answer_rate_lo"], r["answer_rate_hi"]),
                interval(
                    r["accuracy_given_attempted"],
                    r["accuracy_given_attempted_lo"],
                    r["accuracy_given_attempted_hi"],
                ),
                Cell(str(r["verdict"]), css=f"verdict-{str(r['verdict']).replace(' ', '-')}"),
                "yes" if bool(r["answer_rate_rose"]) else "",
            ]
        )
    summ = audit_summary(audit)
    summary = Table(
        [
            "entry",
            "targets audited",
            "pass",
            "fail",
            "inconclusive",
            "no answers",
            "failed at t",
            "answer rate rose",
        ],
        numeric_from=1,
    )
    for _, r in summ.iterrows():
        summary.rows.append(
            [
                str(r["entry"]),
                str(r["audited"]),
                str(r["pass"]),
                str(r["fail"]),
                str(r["inconclusive"]),
                str(r["no answers"]),
                str(r["failed_at"]) or "–",
                "yes" if r["answer_rate_rose"] else "no",
            ]
        )
    return detail, summary


def confidence_metrics_table(frame: pd.DataFrame) -> Table:
    headers = [
        "entry",
        "confidence method",
        "n answers",
        "left out",
        "accuracy",
        "mean confidence",
        "ECE (equal-width)",
        "ECE (equal-mass)",
        "MCE",
        "Brier",
        "AURC",
        "e-AURC",
        "AUROC",
    ]
    out = Table(headers, numeric_from=2)
    for _, r in frame.iterrows():
        out.rows.append(
            [
                str(r["entry"]),
                str(r["method"]),
                str(int(r["n"])),
                str(int(r["left_out"])),
                *[
                    fmt_num(r[c])
                    for c in (
                        "accuracy",
                        "mean_confidence",
                        "ece_width",
                        "ece_mass",
                        "mce_width",
                        "brier",
                        "aurc",
                        "excess_aurc",
                        "auroc",
                    )
                ],
            ]
        )
    return out


def census_table(frame: pd.DataFrame) -> Table:
    out = Table(
        [
            "frequency",
            "items",
            "entry",
            "t",
            "accuracy",
            "wrong (hallucination)",
            "abstained",
            "penalized score",
        ],
        numeric_from=1,
    )
    for _, r in frame.iterrows():
        out.rows.append(
            [
                range_label(r["lo"], r["hi"], r["bucket"]),
                fmt_num(r["bucket_n"] if not math.isnan(r["bucket_n"]) else r["n"], 0),
                str(r["entry"]),
                "–" if math.isnan(r["target"]) else format_number(r["target"]),
                fmt_num(r["accuracy"]),
                fmt_num(r["error_rate"]),
                fmt_num(r["abstention_rate"]),
                interval(r["score"], r["score_lo"], r["score_hi"]),
            ]
        )
    return out


def key_value_table(pairs: Sequence[tuple[str, str]]) -> Table:
    out = Table(["name", "value"], numeric_from=99, css="kv")
    for k, v in pairs:
        out.rows.append([k, v])
    return out


__all__ = [
    "audit_tables",
    "census_table",
    "confidence_metrics_table",
    "crossings_table",
    "interval",
    "key_value_table",
    "leaderboard_table",
    "score_table",
]

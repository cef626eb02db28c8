"""The report's tables as plain data, rendered to HTML (escaped) or Markdown from one source.

Every builder reads a frame made by :mod:`halluc.scoring.metrics` (through ``score_report``),
:mod:`halluc.scoring.leaderboard`, the audit, the confidence metrics or the census; none computes a
metric of its own.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from halluc.calibration.audit import audit_summary
from halluc.eval.prompts import format_number
from halluc.render.tables import fmt_num, markdown_table
from halluc.report.census import bucket_label
from halluc.report.curves import Crossing


@dataclass(frozen=True)
class Cell:
    """A value and, optionally, its interval shown smaller beside it."""

    text: str
    sub: str = ""
    css: str = ""

    def plain(self) -> str:
        return f"{self.text} {self.sub}".strip()


CellLike = Cell | str


@dataclass
class Table:
    headers: list[str]
    rows: list[list[CellLike]] = field(default_factory=list)
    caption: str = ""
    numeric_from: int = 1
    css: str = ""

    def to_html(self) -> str:
        parts = [f'<table class="{html.escape(self.css or "data")}">']
        if self.caption:
            parts.append(f"<caption>{html.escape(self.caption)}</caption>")
        parts.append("<thead><tr>")
        for i, h in enumerate(self.headers):
            cls = ' class="num"' if i >= self.numeric_from else ""
            parts.append(f'<th scope="col"{cls}>{html.escape(h)}</th>')
        parts.append("</tr></thead><tbody>")
        for row in self.rows:
            parts.append("<tr>")
            for i, c in enumerate(row):
                cell = c if isinstance(c, Cell) else Cell(c)
                classes = " ".join(
                    x for x in ("num" if i >= self.numeric_from else "", cell.css) if x
                )
                attr = f' class="{classes}"' if classes else ""
                sub = f' <span class="ci">{html.escape(cell.sub)}</span>' if cell.sub else ""
                parts.append(f"<td{attr}>{html.escape(cell.text)}{sub}</td>")
            parts.append("</tr>")
        parts.append("</tbody></table>")
        return "".join(parts)

    def to_markdown(self) -> str:
        rows = [
            [(c.plain() if isinstance(c, Cell) else c).replace("\n", " ") for c in r]
            for r in self.rows
        ]
        head = f"*{self.caption}*\n\n" if self.caption else ""
        return head + markdown_table(self.headers, rows)


def _num(x: Any, digits: int = 3) -> str:
    if x is None:
        return "–"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    return "–" if math.isnan(v) else f"{v:.{digits}f}"


def interval(value: Any, lo: Any, hi: Any, digits: int = 3) -> Cell:
    text = _num(value, digits)
    if text == "–":
        return Cell(text)
    return Cell(text, f"[{_num(lo, digits)}, {_num(hi, digits)}]")


def score_table(table: pd.DataFrame) -> Table:
    """The confidence-target table: every rate with its Wilson interval, F-score and the
    penalized score with bootstrap intervals, and both baselines."""
    show_mode = table["mode"].nunique() > 1 if len(table) else False
    headers = [
        "model",
        *(["mode"] if show_mode else []),
        "t",
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
    out = Table(headers, numeric_from=2 if show_mode else 1)
    for _, r in table.sort_values(["model", "mode", "target"]).iterrows():
        out.rows.append(
            [
                str(r["model"]),
                *([str(r["mode"])] if show_mode else []),
                format_number(r["target"]),
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
                Cell(_num(r["always_answer_score"]), str(r["always_answer_source"] or "")),
                _num(r["always_abstain_score"]),
            ]
        )
    return out


def leaderboard_table(board: pd.DataFrame, targets: Sequence[float]) -> Table:
    """Rank at each t (⇅ marks a rank that changed from the previous t)."""
    out = Table(["entry", *[f"t = {format_number(t)}" for t in targets], "rank changes at t"])
    for _, r in board.iterrows():
        flips = set(str(r["flips"]).split(",")) if r.get("flips") else set()
        cells: list[CellLike] = [str(r["entry"])]
        for t in targets:
            sc, rk = r.get(f"score@{t:g}"), r.get(f"rank@{t:g}")
            if sc is None or pd.isna(sc):
                cells.append("–")
                continue
            mark = " ⇅" if f"{t:g}" in flips else ""
            cells.append(Cell(f"{float(sc):.3f}", f"#{int(float(str(rk)))}{mark}"))
        cells.append(", ".join(sorted(flips, key=float)) if flips else "–")
        out.rows.append(cells)
    return out


def crossings_table(crossings: Sequence[Crossing], limit: int = 200) -> Table:
    out = Table(
        ["#", "t", "score there", "leads below t", "leads above t", "located by"], numeric_from=1
    )
    for i, c in enumerate(crossings[:limit], 1):
        out.rows.append([str(i), f"{c.t:.3f}", f"{c.score:.3f}", c.below, c.above, c.method])
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
                    _num(r[c])
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
                bucket_label(r["lo"], r["hi"], r["bucket"]),
                _num(r["bucket_n"] if not math.isnan(r["bucket_n"]) else r["n"], 0),
                str(r["entry"]),
                "–" if math.isnan(r["target"]) else format_number(r["target"]),
                _num(r["accuracy"]),
                _num(r["error_rate"]),
                _num(r["abstention_rate"]),
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
    "Cell",
    "Table",
    "audit_tables",
    "census_table",
    "confidence_metrics_table",
    "crossings_table",
    "fmt_num",
    "interval",
    "key_value_table",
    "leaderboard_table",
    "score_table",
]

"""Adapters for the formats of known question-answering datasets.

=============  ==============================================================================
format         what it reads
=============  ==============================================================================
``simpleqa``   SimpleQA's CSV (``metadata`` as a Python dict literal, ``problem``, ``answer``);
               ids ``simpleqa-<row>`` (0-based data row); topic and answer type kept.
``popqa``      PopQA JSONL (``question``, ``answers`` aliases, ``prop``, ``s_wiki_title``,
               ``pop`` = monthly page views of the subject, ``id``); ids ``popqa-<id>``.
``triviaqa``   TriviaQA JSONL as in the rc/open splits (``id``, ``question``, ``answers``
               aliases, or an ``answer`` object with ``aliases``); ids ``triviaqa-<id>``.
``nq_open``    Natural Questions open (``question``, ``answer`` list); ids ``nq-<row>``.
``selfaware``  SelfAware JSON (``example`` list: ``question_id``, ``question``, ``answer`` list
               or null, ``answerable``); unanswerable questions get no answers.
=============  ==============================================================================
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any

from halluc.data.items import Item
from halluc.data.loaders import FieldMap, item_from_row, parse_answers, read_rows
from halluc.errors import InputError


def _simpleqa(path: Path) -> list[Item]:
    out = []
    for index, (line, row) in enumerate(read_rows(path)):
        meta: dict[str, Any] = {"source": "simpleqa"}
        raw_meta = row.get("metadata")
        if raw_meta:
            try:
                parsed = ast.literal_eval(str(raw_meta))
            except (ValueError, SyntaxError):
                raise InputError(
                    "metadata is not a dict literal", path=path, line=line, field="metadata"
                ) from None
            if isinstance(parsed, dict):
                meta.update({k: parsed[k] for k in ("topic", "answer_type") if k in parsed})
        row = {
            "id": f"simpleqa-{index}",
            "problem": row.get("problem"),
            "answer": row.get("answer"),
        }
        item = item_from_row(
            row,
            path=path,
            line=line,
            fields=FieldMap(id="id", question="problem", answers="answer"),
        )
        out.append(Item(item.id, item.question, item.answers, meta))
    return out


def _popqa(path: Path) -> list[Item]:
    out = []
    for line, row in read_rows(path):
        item = item_from_row(
            row,
            path=path,
            line=line,
            fields=FieldMap(id="id", question="question", answers="answers"),
            id_prefix="popqa-",
        )
        meta: dict[str, Any] = {"source": "popqa"}
        for key, name in (("prop", "relation"), ("s_wiki_title", "subject"), ("pop", "popularity")):
            if row.get(key) is not None:
                meta[name] = row[key]
        out.append(Item(item.id, item.question, item.answers, meta))
    return out


def _triviaqa(path: Path) -> list[Item]:
    out = []
    for line, row in read_rows(path):
        if "answers" not in row and isinstance(row.get("answer"), dict):
            row = {**row, "answers": parse_answers(row["answer"])}
        id_col = "id" if "id" in row else "question_id"
        item = item_from_row(
            row,
            path=path,
            line=line,
            fields=FieldMap(id=id_col, question="question", answers="answers", metadata=()),
            id_prefix="triviaqa-",
        )
        out.append(Item(item.id, item.question, item.answers, {"source": "triviaqa"}))
    return out


def _nq_open(path: Path) -> list[Item]:
    out = []
    for index, (line, row) in enumerate(read_rows(path)):
        row = {**row, "id": row.get("id", index)}
        item = item_from_row(
            row,
            path=path,
            line=line,
            fields=FieldMap(id="id", question="question", answers="answer", metadata=()),
            id_prefix="nq-",
        )
        out.append(Item(item.id, item.question, item.answers, {"source": "nq_open"}))
    return out


def _selfaware(path: Path) -> list[Item]:
    out = []
    for line, row in read_rows(path):
        question = row.get("question")
        if question is None or not str(question).strip():
            raise InputError("missing question", path=path, line=line, field="question")
        answerable = row.get("answerable")
        if not isinstance(answerable, bool):
            raise InputError("must be true or false", path=path, line=line, field="answerable")
        answers = parse_answers(row.get("answer")) or []
        if answerable and not answers:
            raise InputError(
                "an answerable question needs answers", path=path, line=line, field="answer"
            )
        qid = row.get("question_id", line)
        meta = {"source": "selfaware", "answerable": answerable, "origin": row.get("source")}
        out.append(
            Item(
                f"selfaware-{qid}",
                str(question).strip(),
                tuple(answers if answerable else ()),
                meta,
            )
        )
    return out


ADAPTERS: dict[str, Callable[[Path], list[Item]]] = {
    "simpleqa": _simpleqa,
    "popqa": _popqa,
    "triviaqa": _triviaqa,
    "nq_open": _nq_open,
    "selfaware": _selfaware,
}

_FILENAME_HINTS = (
    ("simple_qa", "simpleqa"),
    ("simpleqa", "simpleqa"),
    ("popqa", "popqa"),
    ("triviaqa", "triviaqa"),
    ("trivia_qa", "triviaqa"),
    ("nq_open", "nq_open"),
    ("nq-open", "nq_open"),
    ("selfaware", "selfaware"),
)


def detect_format(path: Path) -> str | None:
    """The adapter a file's name suggests (``None``: read it as a generic table)."""
    name = path.name.lower()
    return next((fmt for hint, fmt in _FILENAME_HINTS if hint in name), None)

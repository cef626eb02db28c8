"""The item browser's data: question, gold answers, response, outcome and confidence per record.

It is embedded in the page as JSON and drawn by a small script with ``textContent`` only, so
model output is always text. A large comparison (20 models x 5,000 items x several targets)
would not fit in a page people can open, so the browser holds every record of a sample of
items: items are taken in the order of a stable hash of their id until ``max_records`` records
are in (the same items for every model, so they can be compared), and long texts are cut at
``max_chars``. The page says when it shows a sample; the full log stays in ``records.jsonl``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from halluc.log.outcomes import OUTCOMES
from halluc.log.records import Record
from halluc.scoring.leaderboard import entry_label

DEFAULT_MAX_RECORDS = 12_000
DEFAULT_MAX_CHARS = 280


@dataclass(frozen=True)
class ItemPayload:
    data: dict[str, Any]
    total_records: int
    shown_records: int
    total_items: int
    shown_items: int

    @property
    def sampled(self) -> bool:
        return self.shown_records < self.total_records


def _cut(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _answers(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _stable_rank(item_id: str) -> bytes:
    return hashlib.blake2b(item_id.encode("utf-8"), digest_size=8).digest()


def item_payload(
    records: Sequence[Record],
    *,
    max_records: int = DEFAULT_MAX_RECORDS,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> ItemPayload:
    """The compact JSON the item browser reads (indices into shared lists, not repeated text)."""
    by_item: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        by_item.setdefault(r.item_id, []).append(i)
    order = sorted(by_item, key=lambda k: (_stable_rank(k), k))
    chosen: list[str] = []
    count = 0
    for item_id in order:
        n = len(by_item[item_id])
        if count + n > max_records and chosen:
            break
        chosen.append(item_id)
        count += n
    chosen.sort()
    modes: dict[str, set[str]] = {}
    for r in records:
        modes.setdefault(r.model, set()).add(r.mode)
    entries: dict[str, int] = {}
    methods: dict[str, int] = {}
    targets = sorted({r.target for r in records if r.target is not None})
    target_index = {t: i for i, t in enumerate(targets)}
    outcome_index = {str(o): i for i, o in enumerate(OUTCOMES)}
    items: list[list[Any]] = []
    rows: list[list[Any]] = []
    for item_idx, item_id in enumerate(chosen):
        recs = [records[i] for i in by_item[item_id]]
        question = next(
            (r.metadata.get("question") for r in recs if r.metadata.get("question")), None
        )
        answers = next((r.metadata.get("answers") for r in recs if r.metadata.get("answers")), None)
        items.append(
            [
                _cut(item_id, max_chars),
                _cut(None if question is None else str(question), max_chars),
                [_cut(a, max_chars) for a in _answers(answers)][:20],
            ]
        )
        recs.sort(key=lambda r: (r.model, r.mode, -1.0 if r.target is None else r.target))
        for r in recs:
            entry = entry_label(r.model, r.mode, len(modes[r.model]))
            e = entries.setdefault(entry, len(entries))
            m = None
            if r.confidence_method:
                m = methods.setdefault(r.confidence_method, len(methods))
            answer = None if r.answer_outcome is None else outcome_index[str(r.answer_outcome)]
            rows.append(
                [
                    item_idx,
                    e,
                    None if r.target is None else target_index[r.target],
                    outcome_index[str(r.outcome)],
                    None if r.confidence is None else round(r.confidence, 4),
                    m,
                    _cut(r.response, max_chars),
                    _cut(r.error, max_chars),
                    answer,
                ]
            )
    data = {
        "entries": list(entries),
        "targets": targets,
        "outcomes": [str(o) for o in OUTCOMES],
        "methods": list(methods),
        "items": items,
        "rows": rows,
        "total_records": len(records),
        "total_items": len(by_item),
        "max_chars": max_chars,
    }
    return ItemPayload(data, len(records), len(rows), len(by_item), len(chosen))


__all__ = ["DEFAULT_MAX_CHARS", "DEFAULT_MAX_RECORDS", "ItemPayload", "item_payload"]

"""The text census result: per item, the documents that mention its subject, its answer, both."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from halluc.census.buckets import DEFAULT_EDGES, assign, make_buckets
from halluc.census.matcher import CountAccumulator
from halluc.render.tables import OutputFormat, render_text_table

COUNT_COLUMNS = ("n_subject", "n_answer", "n_both")


@dataclass
class TextCensus:
    counts: pd.DataFrame
    """item_id, n_subject, n_answer, n_both (documents; deduplicated if asked)."""
    stats: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_accumulator(
        cls, acc: CountAccumulator, seconds: float, parameters: dict[str, Any]
    ) -> TextCensus:
        s, a, b = acc.per_item()
        counts = pd.DataFrame(
            {
                "item_id": pd.Series(acc.pset.item_ids, dtype="string"),
                "n_subject": s.astype(np.int64),
                "n_answer": a.astype(np.int64),
                "n_both": b.astype(np.int64),
            }
        )
        mb = acc.n_bytes / 1e6
        stats = {
            "documents": acc.n_docs,
            "text_bytes": acc.n_bytes,
            "documents_matching": acc.n_matched,
            "duplicates_dropped": acc.n_duplicates,
            "seconds": round(seconds, 3),
            "mb_per_second": round(mb / seconds, 2) if seconds > 0 else None,
            "patterns": len(acc.pset.patterns),
            "items": acc.pset.n_items,
        }
        return cls(counts, stats, parameters)

    def write_counts(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.counts.to_parquet(path, index=False)

    def by_bucket(self, column: str = "n_both") -> list[dict[str, Any]]:
        idx = assign(self.counts[column].to_numpy(), DEFAULT_EDGES)
        out = []
        for i, b in enumerate(make_buckets(DEFAULT_EDGES)):
            out.append({**b.as_dict(), "items": int((idx == i).sum())})
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "parameters": self.parameters,
            "stats": self.stats,
            "by_bucket": {c: self.by_bucket(c) for c in COUNT_COLUMNS},
        }

    def render(self, fmt: OutputFormat = OutputFormat.TABLE, top: int = 10) -> str:
        s = self.stats
        rows = [
            ["documents", f"{s['documents']:,}"],
            ["documents mentioning an item", f"{s['documents_matching']:,}"],
            ["duplicates dropped", f"{s['duplicates_dropped']:,} ({self.parameters.get('dedup')})"],
            ["items / patterns", f"{s['items']:,} / {s['patterns']:,}"],
            ["text scanned", f"{s['text_bytes'] / 1e6:,.1f} MB"],
            ["speed", f"{s['mb_per_second']} MB/s" if s.get("mb_per_second") else "–"],
        ]
        text = render_text_table(["", "value"], rows, fmt, "Text census", 1)
        buckets = {c: self.by_bucket(c) for c in COUNT_COLUMNS}
        brows = [
            [b["bucket"], *(str(buckets[c][i]["items"]) for c in COUNT_COLUMNS)]
            for i, b in enumerate(buckets["n_both"])
        ]
        text += render_text_table(
            ["documents", "items by subject", "by answer", "by both"],
            brows,
            fmt,
            "Items by document count",
            1,
        )
        head = self.counts.sort_values("n_both", ascending=False).head(top)
        trows = [
            [str(r.item_id), str(r.n_subject), str(r.n_answer), str(r.n_both)]
            for r in head.itertuples(index=False)
        ]
        text += render_text_table(
            ["item", "subject", "answer", "both"],
            trows,
            fmt,
            f"Top {top} items by co-occurrence",
            1,
        )
        return text

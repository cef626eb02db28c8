"""Which items a batch of documents mentions: one Aho–Corasick scan per batch.

Items have a subject (one or more names) and answer aliases. Every distinct normalized string is
one pattern; the set of patterns of an item's subject (or of its answers) is a *group*, shared
by every item with the same set. A document mentions a group when it contains any of the
group's patterns; the subject count of an item is the number of documents that mention its
subject group, the answer count likewise, and the co-occurrence count is the number of
documents that mention both of the item's groups.

The scan is the Rust ``aho-corasick`` automaton (``ahocorasick_rs``) over the batch's
normalized UTF-8 buffer, with overlapping matches, so a name inside a longer name is found
too. With word boundaries (the default) a match counts only if the pattern's first character,
when alphanumeric, is not preceded by an alphanumeric character, and its last character, when
alphanumeric, is not followed by one (Unicode-aware): "Paris" does not match "Parisian".
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import ahocorasick_rs
import numpy as np
import numpy.typing as npt

from halluc.census.normalize import normalize_batch, normalize_text, normalized_segment

IntArray = npt.NDArray[np.int64]
_WORD_BYTE = np.zeros(256, dtype=bool)
for _c in range(128):
    _WORD_BYTE[_c] = chr(_c).isalnum()
_NONASCII = np.zeros(256, dtype=bool)
_NONASCII[128:] = True
DFA_PATTERN_LIMIT = 50_000
"""Above this many patterns the automaton is a contiguous NFA (a DFA would be too large)."""


def _csr(pairs: Sequence[tuple[int, int]], n_rows: int) -> tuple[IntArray, IntArray]:
    """(row, value) pairs to CSR (offsets, values), values of a row sorted."""
    if not pairs:
        return np.zeros(n_rows + 1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    arr = np.asarray(sorted(set(pairs)), dtype=np.int64)
    offsets = np.zeros(n_rows + 1, dtype=np.int64)
    np.add.at(offsets, arr[:, 0] + 1, 1)
    return np.cumsum(offsets), arr[:, 1].copy()


def _expand(offsets: IntArray, values: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """For each entry of ``rows``: (index into rows, value) for every value of that row."""
    lens = offsets[rows + 1] - offsets[rows]
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(rows.size, dtype=np.int64), lens)
    starts = np.repeat(offsets[rows], lens)
    within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lens) - lens, lens)
    return owner, values[starts + within]


@dataclass
class PatternSet:
    """The patterns, groups and items of a text census (picklable; the automaton is built
    lazily in each process that scans)."""

    item_ids: list[str]
    patterns: list[str]
    group_offsets: IntArray  # pattern -> groups containing it (CSR)
    group_values: IntArray
    n_groups: int
    subject_group: IntArray  # per item
    answer_group: IntArray  # per item
    items_offsets: IntArray  # subject group -> items (CSR)
    items_values: IntArray
    first_word: npt.NDArray[np.bool_]
    last_word: npt.NDArray[np.bool_]
    _automaton: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        item_ids: Sequence[str],
        subjects: Sequence[Sequence[str]],
        answers: Sequence[Sequence[str]],
    ) -> PatternSet:
        """From per-item subject names and answer aliases (already checked non-empty)."""
        pattern_id: dict[str, int] = {}
        group_id: dict[frozenset[int], int] = {}

        def group_of(names: Sequence[str]) -> int:
            ids = []
            for name in names:
                norm = normalize_text(name)
                if norm:
                    ids.append(pattern_id.setdefault(norm, len(pattern_id)))
            return group_id.setdefault(frozenset(ids), len(group_id))

        subj = np.array([group_of(s) for s in subjects], dtype=np.int64)
        ans = np.array([group_of(a) for a in answers], dtype=np.int64)
        patterns = list(pattern_id)
        pg = [(p, g) for members, g in group_id.items() for p in members]
        g_off, g_val = _csr(pg, len(patterns))
        i_off, i_val = _csr([(int(g), i) for i, g in enumerate(subj)], len(group_id))
        return cls(
            item_ids=[str(i) for i in item_ids],
            patterns=patterns,
            group_offsets=g_off,
            group_values=g_val,
            n_groups=len(group_id),
            subject_group=subj,
            answer_group=ans,
            items_offsets=i_off,
            items_values=i_val,
            first_word=np.array([p[0].isalnum() for p in patterns], dtype=bool),
            last_word=np.array([p[-1].isalnum() for p in patterns], dtype=bool),
        )

    @property
    def fingerprint(self) -> str:
        """Identifies the pattern set (for caching automata in long-lived workers)."""
        h = hashlib.blake2b(digest_size=16)
        h.update(len(self.patterns).to_bytes(8, "little"))
        for p in self.patterns:
            h.update(p.encode("utf-8", "replace") + b"\x00")
        return h.hexdigest()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_automaton"] = None
        return state

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def automaton(self) -> Any:
        if self._automaton is None:
            impl = (
                ahocorasick_rs.Implementation.DFA
                if len(self.patterns) <= DFA_PATTERN_LIMIT
                else ahocorasick_rs.Implementation.ContiguousNFA
            )
            self._automaton = ahocorasick_rs.BytesAhoCorasick(
                [p.encode("utf-8") for p in self.patterns],
                matchkind=ahocorasick_rs.MATCHKIND_STANDARD,
                implementation=impl,
            )
        return self._automaton


@dataclass
class BatchMatches:
    """What one batch of documents mentions. Pair arrays are sorted and unique per document.

    ``doc_groups``/``groups``: (document index, group) pairs; ``doc_both``/``both``: (document
    index, item) pairs where the document mentions the item's subject and answer;
    ``matched_docs``: documents with any pair, with their ``digests`` when deduplicating.
    """

    n_docs: int
    n_bytes: int
    doc_groups: IntArray
    groups: IntArray
    doc_both: IntArray
    both: IntArray
    matched_docs: IntArray
    digests: list[bytes] | None = None


def _char_is_word_before(buf: bytes, pos: int) -> bool:
    """Is the character ending just before byte ``pos`` alphanumeric (non-ASCII case)?"""
    start = pos - 1
    while start > 0 and (buf[start] & 0xC0) == 0x80 and pos - start < 4:
        start -= 1
    return buf[start:pos].decode("utf-8", "replace").isalnum()


def _char_is_word_at(buf: bytes, pos: int) -> bool:
    lead = buf[pos]
    width = 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    return buf[pos : pos + width].decode("utf-8", "replace")[:1].isalnum()


def _boundary_ok(
    buf: bytes,
    arr: npt.NDArray[np.uint8],
    pset: PatternSet,
    pid: IntArray,
    s: IntArray,
    e: IntArray,
) -> npt.NDArray[np.bool_]:
    n = arr.size
    ok = np.ones(pid.size, dtype=bool)
    need_left = pset.first_word[pid] & (s > 0)
    if need_left.any():
        idx = np.flatnonzero(need_left)
        prev = arr[s[idx] - 1]
        ok[idx[_WORD_BYTE[prev]]] = False
        for j in idx[_NONASCII[prev]]:
            if _char_is_word_before(buf, int(s[j])):
                ok[j] = False
    need_right = pset.last_word[pid] & (e < n) & ok
    if need_right.any():
        idx = np.flatnonzero(need_right)
        nxt = arr[e[idx]]
        ok[idx[_WORD_BYTE[nxt]]] = False
        for j in idx[_NONASCII[nxt]]:
            if _char_is_word_at(buf, int(e[j])):
                ok[j] = False
    return ok


def _unique_pairs(a: IntArray, b: IntArray, width: int) -> tuple[IntArray, IntArray]:
    if a.size == 0:
        return a, b
    key = np.unique(a * width + b)
    return key // width, key % width


def match_batch(
    pset: PatternSet,
    texts: Sequence[str],
    *,
    word_boundaries: bool = True,
    dedup: str = "none",
) -> BatchMatches:
    """Scan a batch of raw documents (normalized here) for every pattern of ``pset``."""
    buf, seps = normalize_batch(texts)
    arr = np.frombuffer(buf, dtype=np.uint8)
    found = pset.automaton().find_matches_as_indexes(buf, overlapping=True)
    empty = np.zeros(0, dtype=np.int64)
    if found:
        m = np.asarray(found, dtype=np.int64)
        pid, s, e = m[:, 0], m[:, 1], m[:, 2]
        if word_boundaries:
            keep = _boundary_ok(buf, arr, pset, pid, s, e)
            pid, s = pid[keep], s[keep]
        doc = np.searchsorted(seps, s).astype(np.int64)
        doc, pid = _unique_pairs(doc, pid, len(pset.patterns) + 1)
    else:
        doc, pid = empty, empty
    # patterns -> groups
    owner, grp = _expand(pset.group_offsets, pset.group_values, pid)
    d_g, g = _unique_pairs(doc[owner], grp, pset.n_groups + 1)
    # subject groups -> items; keep those whose answer group is in the same document
    owner2, item = _expand(pset.items_offsets, pset.items_values, g)
    cand_doc = d_g[owner2]
    have = d_g * (pset.n_groups + 1) + g
    want = cand_doc * (pset.n_groups + 1) + pset.answer_group[item]
    pos = np.searchsorted(have, want)
    hit = (pos < have.size) & (have[np.minimum(pos, max(have.size - 1, 0))] == want)
    d_b, both = _unique_pairs(cand_doc[hit], item[hit], pset.n_items + 1)
    matched = np.unique(d_g)
    digests = None
    if dedup != "none" and matched.size:
        starts = np.concatenate(([0], seps + 1))
        ends = np.concatenate((seps, [arr.size]))
        if dedup == "exact":
            digests = [
                hashlib.blake2b(texts[int(i)].encode("utf-8", "replace"), digest_size=16).digest()
                for i in matched
            ]
        else:
            digests = [
                hashlib.blake2b(
                    normalized_segment(buf, int(starts[i]), int(ends[i])), digest_size=16
                ).digest()
                for i in matched
            ]
    return BatchMatches(
        n_docs=len(texts),
        n_bytes=sum(map(len, texts)),
        doc_groups=d_g,
        groups=g,
        doc_both=d_b,
        both=both,
        matched_docs=matched,
        digests=digests,
    )


DEDUP_MODES = ("none", "exact", "normalized")


class CountAccumulator:
    """Adds up batches into per-group and per-item document counts, counting each distinct
    document once when deduplicating (by a 128-bit BLAKE2b digest of its raw or normalized
    text; only documents that mention something are remembered)."""

    def __init__(self, pset: PatternSet, dedup: str = "none") -> None:
        if dedup not in DEDUP_MODES:
            raise ValueError(f"dedup must be one of {DEDUP_MODES}, got {dedup!r}")
        self.pset = pset
        self.dedup = dedup
        self.group_docs = np.zeros(pset.n_groups, dtype=np.int64)
        self.both_docs = np.zeros(pset.n_items, dtype=np.int64)
        self.n_docs = 0
        self.n_bytes = 0
        self.n_matched = 0
        self.n_duplicates = 0
        self.workers = 1
        self._seen: set[bytes] = set()

    def add(self, m: BatchMatches) -> None:
        self.n_docs += m.n_docs
        self.n_bytes += m.n_bytes
        doc_groups, groups, doc_both, both = m.doc_groups, m.groups, m.doc_both, m.both
        matched = m.matched_docs
        if self.dedup != "none" and matched.size:
            assert m.digests is not None
            keep = np.ones(matched.size, dtype=bool)
            for j, d in enumerate(m.digests):
                if d in self._seen:
                    keep[j] = False
                else:
                    self._seen.add(d)
            dropped = matched[~keep]
            if dropped.size:
                self.n_duplicates += int(dropped.size)
                g_ok = ~np.isin(doc_groups, dropped)
                b_ok = ~np.isin(doc_both, dropped)
                groups, both = groups[g_ok], both[b_ok]
            matched = matched[keep]
        self.n_matched += int(matched.size)
        self.group_docs += np.bincount(groups, minlength=self.pset.n_groups)
        self.both_docs += np.bincount(both, minlength=self.pset.n_items)

    def merge_counts(
        self, group_docs: IntArray, both_docs: IntArray, stats: dict[str, int]
    ) -> None:
        """Add counts computed elsewhere (another engine, already deduplicated)."""
        self.group_docs += group_docs
        self.both_docs += both_docs
        self.n_docs += stats.get("n_docs", 0)
        self.n_bytes += stats.get("n_bytes", 0)
        self.n_matched += stats.get("n_matched", 0)
        self.n_duplicates += stats.get("n_duplicates", 0)

    def per_item(self) -> tuple[IntArray, IntArray, IntArray]:
        """(subject, answer, both) document counts per item."""
        p = self.pset
        return self.group_docs[p.subject_group], self.group_docs[p.answer_group], self.both_docs

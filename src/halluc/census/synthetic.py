"""A synthetic world of invented people and facts whose counts are known by construction.

Used to test every census backend against the truth and to demonstrate the tool: the generator
decides how often each fact is mentioned, writes the mentions (a fact table) and documents
that state them (a text corpus), and keeps the books, so the true frequency-of-frequencies and
the true per-item document counts come from the bookkeeping, never from matching text.

Names are built from syllables that the filler text never uses, so no filler word can match a
name or an answer; documents also carry near misses (a name glued to more letters) that a
matcher with word boundaries must not count, case and whitespace variants, accented names, and
exact and near-exact duplicate documents.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

_NAME_SYLLABLES = ("ka", "vel", "mor", "zan", "tir", "quo", "lys", "bre", "dun", "xa", "ith", "orv")
_FILLER_SYLLABLES = ("pe", "su", "go", "le", "mi", "ha", "no", "fe", "ru", "bi", "we", "co")
RELATIONS = ("birthplace", "employer", "instrument")
_TEMPLATES = {
    "birthplace": "{s} was born in {o}.",
    "employer": "{s} worked for {o} for years.",
    "instrument": "{s} played the {o} on stage.",
}
# How many times a fact is mentioned: every bucket of the join (0, 1, 2-3, 4-10, 11-100, >100).
_COUNT_CHOICES = (0, 1, 1, 1, 2, 3, 4, 7, 10, 11, 30, 101, 140)


def _name(rng: random.Random, parts: int, syllables: Sequence[str] = _NAME_SYLLABLES) -> str:
    return "".join(rng.choice(syllables) for _ in range(parts))


@dataclass(frozen=True, slots=True)
class Fact:
    item_id: str
    subject: str
    relation: str
    object: str
    answers: tuple[str, ...]
    count: int
    n_idk: int


@dataclass(frozen=True)
class World:
    """People, their facts, and how often each fact is mentioned (and with IDK)."""

    facts: pd.DataFrame
    """Columns: item_id, subject, relation, object, answers (aliases), count, n_idk."""

    def records(self) -> list[Fact]:
        return [
            Fact(
                str(r["item_id"]),
                str(r["subject"]),
                str(r["relation"]),
                str(r["object"]),
                tuple(str(a) for a in r["answers"]),
                int(r["count"]),
                int(r["n_idk"]),
            )
            for r in self.facts.to_dict("records")
        ]

    @property
    def true_fof(self) -> dict[int, int]:
        counts = self.facts["count"].to_numpy()
        r, f = np.unique(counts[counts > 0], return_counts=True)
        return {int(a): int(b) for a, b in zip(r, f, strict=True)}

    @property
    def n_examples(self) -> int:
        return int(self.facts["count"].sum() + self.facts["n_idk"].sum())

    @property
    def n_idk(self) -> int:
        return int(self.facts["n_idk"].sum())


def make_world(n_people: int = 60, seed: int = 0) -> World:
    """Invented people with one fact per relation; objects are shared between people."""
    rng = random.Random(seed)
    names: set[str] = set()
    people: list[str] = []
    while len(people) < n_people:
        first = _name(rng, rng.randint(2, 3)).capitalize()
        last = _name(rng, rng.randint(2, 4)).capitalize()
        if rng.random() < 0.1:
            first = "É" + first[1:].lower()  # accented names, lowercased by Unicode rules
        full = f"{first} {last}"
        if full.lower() not in names:
            names.add(full.lower())
            people.append(full)
    objects: dict[str, list[list[str]]] = {}
    # no word of an object name is a word of a person's name or of another object's name
    used = {w for n in names for w in n.split()}
    for rel in RELATIONS:
        pool: list[list[str]] = []
        while len(pool) < max(3, n_people // 4):
            base = _name(rng, rng.randint(3, 4)).capitalize()
            other = _name(rng, 3).capitalize()
            words = {base.lower(), other.lower()}
            if words & used or len(words) < 2:
                continue
            used |= words
            alias = f"{base} City" if rel == "birthplace" else other
            pool.append([base, alias])
        objects[rel] = pool
    rows = []
    for i, person in enumerate(people):
        for rel in RELATIONS:
            aliases = rng.choice(objects[rel])
            rows.append(
                {
                    "item_id": f"p{i}-{rel}",
                    "subject": person,
                    "relation": rel,
                    "object": aliases[0],
                    "answers": list(aliases),
                    "count": rng.choice(_COUNT_CHOICES),
                    "n_idk": rng.choice((0, 0, 0, 1, 2)),
                }
            )
    return World(pd.DataFrame(rows))


def mention_table(world: World, seed: int = 0) -> pd.DataFrame:
    """One row per mention (``count`` rows per fact) plus IDK rows, shuffled.

    Columns: key ("subject|relation|object"), subject, relation, object (null for IDK rows),
    idk.
    """
    rows: list[tuple[str, str, str, str | None, bool]] = []
    for f in world.records():
        key = f"{f.subject}|{f.relation}|{f.object}"
        rows += [(key, f.subject, f.relation, f.object, False)] * int(f.count)
        rows += [(f"{f.subject}|{f.relation}|IDK", f.subject, f.relation, None, True)] * int(
            f.n_idk
        )
    frame = pd.DataFrame(rows, columns=["key", "subject", "relation", "object", "idk"])
    order = np.random.default_rng(seed).permutation(len(frame))
    return frame.iloc[order].reset_index(drop=True)


@dataclass(frozen=True)
class SyntheticDoc:
    text: str
    subjects: frozenset[str]
    objects: frozenset[str]
    """Canonical object names (first alias) mentioned, by any alias."""
    exact_id: int
    """Documents with the same raw text share it."""
    normalized_id: int
    """Documents whose normalized text is the same share it."""


@dataclass(frozen=True)
class Corpus:
    docs: list[SyntheticDoc] = field(default_factory=list)

    def texts(self) -> list[str]:
        return [d.text for d in self.docs]


def _filler(rng: random.Random, n: int) -> str:
    return " ".join(_name(rng, rng.randint(1, 3), _FILLER_SYLLABLES) for _ in range(n))


def _vary(rng: random.Random, mention: str) -> str:
    """Case and whitespace variants of a mention."""
    roll = rng.random()
    if roll < 0.15:
        mention = mention.upper()
    elif roll < 0.3:
        mention = mention.lower()
    if " " in mention and rng.random() < 0.2:
        mention = mention.replace(" ", rng.choice(("  ", " \n ", "\t", "\u00a0")), 1)
    return mention


def make_corpus(world: World, seed: int = 0, duplicates: float = 0.1) -> Corpus:
    """Documents: one per mention of a fact (subject and answer together), plus documents
    about a subject alone, about an answer alone, near misses, and duplicates."""
    rng = random.Random(seed)
    docs: list[tuple[str, frozenset[str], frozenset[str]]] = []
    for f in world.records():
        template = _TEMPLATES[str(f.relation)]
        for _ in range(int(f.count)):
            obj = _vary(rng, rng.choice(list(f.answers)))
            sentence = template.format(s=_vary(rng, str(f.subject)), o=obj)
            text = (
                f"{_filler(rng, rng.randint(3, 40))} {sentence} {_filler(rng, rng.randint(3, 40))}"
            )
            docs.append((text, frozenset([str(f.subject)]), frozenset([str(f.object)])))
    people = sorted(set(world.facts["subject"]))
    objects = sorted({str(o) for o in world.facts["object"]})
    aliases = {str(r.object): list(r.answers) for r in world.records()}
    for person in people:
        for _ in range(rng.choice((0, 1, 2, 5))):
            text = f"{_filler(rng, 5)} {_vary(rng, person)} smiled. {_filler(rng, 8)}"
            docs.append((text, frozenset([person]), frozenset()))
        if rng.random() < 0.3:  # a near miss: the name glued to more letters is not a mention
            docs.append(
                (f"{_filler(rng, 4)} {person}son {_filler(rng, 4)}", frozenset(), frozenset())
            )
    for obj in objects:
        for _ in range(rng.choice((0, 1, 3))):
            text = f"{_filler(rng, 6)} ({_vary(rng, rng.choice(aliases[obj]))}) {_filler(rng, 6)}"
            docs.append((text, frozenset(), frozenset([obj])))
        if rng.random() < 0.3:
            docs.append(
                (f"{_filler(rng, 3)} {obj.lower()}ish {_filler(rng, 3)}", frozenset(), frozenset())
            )
    for _ in range(max(1, len(docs) // 5)):  # documents that mention nothing
        docs.append((_filler(rng, rng.randint(5, 60)), frozenset(), frozenset()))
    rng.shuffle(docs)
    # (text, subjects, objects, base document): duplicates share the base document
    based = [(t, s, o, i) for i, (t, s, o) in enumerate(docs)]
    extra = []
    for text, subj, objs, base in based:
        if rng.random() < duplicates:
            extra.append((text, subj, objs, base))  # exact duplicate
        if rng.random() < duplicates:
            # same words in other case and spacing: a duplicate only after normalization
            extra.append((text.upper().replace(" ", " \n ", 2), subj, objs, base))
    based += extra
    rng.shuffle(based)
    exact: dict[str, int] = {}
    out = []
    for text, subj, objs, base in based:
        out.append(SyntheticDoc(text, subj, objs, exact.setdefault(text, len(exact)), base))
    return Corpus(out)


def true_text_counts(world: World, corpus: Corpus, dedup: str = "none") -> pd.DataFrame:
    """Per item: documents mentioning its subject, its answer (any alias), and both.

    ``dedup``: ``none`` counts every document, ``exact`` counts identical texts once,
    ``normalized`` counts texts that are identical after normalization once.
    """
    seen: set[int] = set()
    docs = []
    for d in corpus.docs:
        ident = {"none": None, "exact": d.exact_id, "normalized": d.normalized_id}[dedup]
        if ident is not None:
            if ident in seen:
                continue
            seen.add(ident)
        docs.append(d)
    rows = []
    for f in world.records():
        s, o = str(f.subject), str(f.object)
        n_s = sum(1 for d in docs if s in d.subjects)
        n_o = sum(1 for d in docs if o in d.objects)
        n_b = sum(1 for d in docs if s in d.subjects and o in d.objects)
        rows.append((f.item_id, n_s, n_o, n_b))
    return pd.DataFrame(rows, columns=["item_id", "n_subject", "n_answer", "n_both"])


def items_frame(world: World) -> pd.DataFrame:
    """The QA items of the world: id, question, subject, answers."""
    f = world.facts
    questions = [
        {
            "birthplace": f"Where was {s} born?",
            "employer": f"Who employed {s}?",
            "instrument": f"Which instrument did {s} play?",
        }[str(r)]
        for s, r in zip(f["subject"], f["relation"], strict=True)
    ]
    return pd.DataFrame(
        {
            "id": f["item_id"],
            "question": questions,
            "subject": f["subject"],
            "answers": f["answers"],
        }
    )

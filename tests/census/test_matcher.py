from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from halluc.census.matcher import CountAccumulator, PatternSet, match_batch
from halluc.census.normalize import normalize_batch, normalize_text
from halluc.census.synthetic import Corpus, World, true_text_counts

TEXT = st.text(alphabet=st.sampled_from(list("ab cAB\t\n\u00a0\u2003é,.É\x00ß")), max_size=30)


@given(st.lists(TEXT, max_size=8))
def test_batch_normalization_equals_per_text(texts: list[str]) -> None:
    buf, seps = normalize_batch(texts)
    assert seps.tolist() == [i for i, b in enumerate(buf) if b == 0]
    segments = buf.split(b"\x00") if texts else []
    assert len(segments) == len(texts)
    for seg, text in zip(segments, texts, strict=True):
        assert seg.strip(b" ").decode() == normalize_text(text)


def test_normal_form() -> None:
    assert normalize_text("  Kara\u00a0 VENN\n\tof  Éloise ") == "kara venn of éloise"


def _reference(texts: list[str], subjects: list[list[str]], answers: list[list[str]]) -> np.ndarray:
    """Brute force: for every document and name, find every occurrence with str.find and
    check the word boundaries character by character."""

    def mentions(doc: str, name: str) -> bool:
        pat = normalize_text(name)
        if not pat:
            return False
        start = doc.find(pat)
        while start >= 0:
            end = start + len(pat)
            left = not pat[0].isalnum() or start == 0 or not doc[start - 1].isalnum()
            right = not pat[-1].isalnum() or end == len(doc) or not doc[end].isalnum()
            if left and right:
                return True
            start = doc.find(pat, start + 1)
        return False

    out = np.zeros((len(subjects), 3), dtype=np.int64)
    for text in texts:
        doc = normalize_text(text)
        for i, (s, a) in enumerate(zip(subjects, answers, strict=True)):
            hs = any(mentions(doc, n) for n in s)
            ha = any(mentions(doc, n) for n in a)
            out[i] += (hs, ha, hs and ha)
    return out


WORDS = st.sampled_from(["ab", "a", "b", "ab c", "é", "éa", "c,", "x", "ba", "aba", "ß"])


@given(
    docs=st.lists(st.lists(WORDS, max_size=8).map(" ".join), min_size=1, max_size=12),
    names=st.lists(
        st.tuples(st.lists(WORDS, min_size=1, max_size=2), st.lists(WORDS, min_size=1, max_size=3)),
        min_size=1,
        max_size=5,
    ),
)
def test_counts_equal_brute_force(
    docs: list[str], names: list[tuple[list[str], list[str]]]
) -> None:
    subjects = [n[0] for n in names]
    answers = [n[1] for n in names]
    ps = PatternSet.build([str(i) for i in range(len(names))], subjects, answers)
    acc = CountAccumulator(ps)
    acc.add(match_batch(ps, docs))
    got = np.stack(acc.per_item(), axis=1)
    assert (got == _reference(docs, subjects, answers)).all()


def test_word_boundaries_and_overlaps() -> None:
    ps = PatternSet.build(
        ["paris", "york", "newyork", "cafe"],
        [["Paris"], ["York"], ["New York"], ["Café"]],
        [["France"], ["England"], ["USA"], ["Crème brûlée"]],
    )
    docs = [
        "Parisian food, not Paris itself? PARIS, France!",  # Paris + France
        "new  York is not York, England",  # New York, York, England
        "Cafés and the café — crème BRÛLÉE",  # café (not cafés), crème brûlée
        "Parisfrance newyork yorkshire",  # nothing
    ]
    acc = CountAccumulator(ps)
    acc.add(match_batch(ps, docs))
    subj, ans, both = acc.per_item()
    assert subj.tolist() == [1, 1, 1, 1]
    assert ans.tolist() == [1, 1, 0, 1]
    assert both.tolist() == [1, 1, 0, 1]
    loose = CountAccumulator(ps)
    loose.add(match_batch(ps, docs, word_boundaries=False))
    assert loose.per_item()[0].tolist() == [2, 2, 1, 1]  # Parisfrance, yorkshire


def test_synthetic_corpus_exact_for_every_dedup_mode(world: World, corpus: Corpus) -> None:
    f = world.facts
    ps = PatternSet.build(f["item_id"].tolist(), [[s] for s in f["subject"]], f["answers"].tolist())
    texts = corpus.texts()
    for dedup in ("none", "exact", "normalized"):
        acc = CountAccumulator(ps, dedup)
        for i in range(0, len(texts), 501):  # duplicates fall in different batches
            acc.add(match_batch(ps, texts[i : i + 501], dedup=dedup))
        truth = true_text_counts(world, corpus, dedup)
        got = np.stack(acc.per_item(), axis=1)
        assert (got == truth[["n_subject", "n_answer", "n_both"]].to_numpy()).all(), dedup
        assert truth["n_both"].gt(0).sum() > 50
    none = true_text_counts(world, corpus, "none")["n_subject"].sum()
    exact = true_text_counts(world, corpus, "exact")["n_subject"].sum()
    normal = true_text_counts(world, corpus, "normalized")["n_subject"].sum()
    assert none > exact > normal  # the corpus does have both kinds of duplicates


def test_pattern_set_pickles_without_automaton() -> None:
    import pickle

    ps = PatternSet.build(["1"], [["A b"]], [["c"]])
    ps.automaton()
    clone = pickle.loads(pickle.dumps(ps))
    assert clone._automaton is None
    assert clone.fingerprint == ps.fingerprint
    acc = CountAccumulator(clone)
    acc.add(match_batch(clone, ["x a  B c"]))
    assert [int(a[0]) for a in acc.per_item()] == [1, 1, 1]

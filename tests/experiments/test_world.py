from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from halluc.errors import InputError
from halluc.experiments.dates import DATES, MIN_ERROR_SET, N_DATES
from halluc.experiments.text import TEMPLATES, parse_line, template_words
from halluc.experiments.world import (
    IDK,
    World,
    WorldConfig,
    build_world,
)
from halluc.theory.facts import singleton_rate


def corpus_singleton_rate(lines: list[str]) -> tuple[float, int, int]:
    """Definition 2 from the text alone: parse each line back, then count."""
    parsed = [parse_line(line) for line in lines]
    assert all(p is not None for p in parsed)
    names = np.array([p.name for p in parsed if p is not None], dtype=object)
    idk = np.array([p.date is None for p in parsed if p is not None])
    stats = singleton_rate(names, idk)
    return stats.sr, stats.n_singletons, stats.n_idk


def test_dates_are_the_365_days_of_a_year() -> None:
    assert N_DATES == 365 and len(set(DATES)) == 365 and MIN_ERROR_SET == 364
    assert DATES[0] == "01-01" and DATES[58] == "28-02" and DATES[59] == "01-03"
    assert DATES[-1] == "31-12"


def test_corpus_singleton_rate_equals_the_worlds_own(small_world: World) -> None:
    lines = small_world.corpus_lines()
    assert len(lines) == small_world.n_examples
    sr, n_single, n_idk = corpus_singleton_rate(lines)
    own = small_world.singleton_counts()
    assert n_single == own.n_singletons and sr == own.sr
    assert n_idk == own.n_idk_examples
    assert int(small_world.answered.sum() + small_world.idk_mentions.sum()) == len(lines)


@settings(max_examples=25)
@given(
    n=st.integers(1, 400),
    people=st.integers(1, 300),
    zipf=st.floats(0.0, 1.5),
    unknown=st.floats(0.0, 0.9),
    answer_prob=st.floats(0.05, 1.0),
    templates=st.integers(1, len(TEMPLATES)),
    seed=st.integers(0, 10_000),
)
def test_bookkeeping_holds_for_any_world(
    n: int,
    people: int,
    zipf: float,
    unknown: float,
    answer_prob: float,
    templates: int,
    seed: int,
) -> None:
    cfg = WorldConfig(
        n_examples=n,
        n_people=people,
        target_sr=None,
        zipf_exponent=zipf,
        unknown_fraction=unknown,
        answer_prob=answer_prob,
        n_templates=templates,
        seed=seed,
    )
    w = build_world(cfg)
    sr, n_single, n_idk = corpus_singleton_rate(w.corpus_lines())
    own = w.singleton_counts()
    assert (n_single, n_idk) == (own.n_singletons, own.n_idk_examples)
    assert sr == pytest.approx(own.sr, abs=0)
    # every answered example states the person's own birthday; alpha=0 people only get IDK
    known = w.ex_answer != IDK
    assert (w.ex_answer[known] == w.birthday[w.ex_person[known]]).all()
    assert (w.alpha[w.ex_person[known]] > 0).all()
    assert set(np.unique(w.ex_template)) <= set(range(templates))
    # missing mass: people never stated with an answer, weighted by mu*alpha
    mm = sum(w.weight[i] * w.alpha[i] for i in range(w.n_people) if w.answered[i] == 0)
    assert w.missing_mass() == pytest.approx(mm)
    assert w.weight.sum() == pytest.approx(1.0)


def test_names_are_invented_distinct_and_tokenizable(small_world: World) -> None:
    names = small_world.names()
    assert len(set(names)) == len(names)
    words = set(template_words()) | set(DATES)
    assert not words & (set(small_world.first_names) | set(small_world.last_names))
    assert all(n[0].isupper() for n in small_world.first_names + small_world.last_names)


def test_same_seed_same_world_other_seed_other_world() -> None:
    cfg = WorldConfig(n_examples=300, target_sr=0.2, seed=11)
    a, b = build_world(cfg), build_world(cfg)
    assert a.corpus_lines() == b.corpus_lines()
    c = build_world(WorldConfig(n_examples=300, target_sr=0.2, seed=12))
    assert a.corpus_lines() != c.corpus_lines()


def test_save_and_load_round_trip(saved_world: Path, small_world: World) -> None:
    back = World.load(saved_world)
    assert back.config == small_world.config
    assert back.names() == small_world.names()
    for field in ("birthday", "alpha", "weight", "ex_person", "ex_answer", "ex_template"):
        assert np.array_equal(getattr(back, field), getattr(small_world, field)), field
    text = (saved_world / "corpus.txt").read_text(encoding="utf-8").splitlines()
    assert text == small_world.corpus_lines()
    # a rebuilt world from the saved config is the same world
    again = build_world(back.config)
    assert again.corpus_lines() == small_world.corpus_lines()


def test_load_rejects_a_folder_without_a_world(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a world folder"):
        World.load(tmp_path)
    (tmp_path / "world.json").write_text('{"format": 99}')
    with pytest.raises(InputError, match="unsupported world format"):
        World.load(tmp_path)


def test_parse_line_reads_every_template_and_rejects_others() -> None:
    for i, tpl in enumerate(TEMPLATES):
        p = parse_line(tpl.render("Abo Xuma", "14-03"))
        assert p is not None and (p.name, p.date, p.template) == ("Abo Xuma", "14-03", i)
        q = parse_line(tpl.render("Abo Xuma", None))
        assert q is not None and q.date is None and q.template == i
    assert parse_line("Abo Xuma was born on 31-02 .") is None
    assert parse_line("something else entirely") is None


def test_stats_are_what_world_json_keeps(saved_world: Path, small_world: World) -> None:
    import json

    saved = json.loads((saved_world / "world.json").read_text())["stats"]
    stats = small_world.stats()
    assert stats.to_dict() == saved
    assert stats.n_people == small_world.n_people
    assert stats.singleton_rate == small_world.singleton_counts().sr
    text = stats.render("title")
    assert "singleton_rate" in text and f"{stats.singleton_rate:.4f}" in text

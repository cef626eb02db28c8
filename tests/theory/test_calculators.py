"""The calculators behind ``halluc bounds``: the same bounds as the theorems, with their work."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from halluc.errors import InputError
from halluc.theory.calculators import (
    FactsSource,
    goodturing_worksheet,
    observation2_worksheet,
    theorem1_worksheet,
    theorem2_worksheet,
    theorem3_worksheet,
)
from halluc.theory.facts import theorem2_lower_bound, theorem2_upper_bound
from halluc.theory.goodturing import good_turing_summary
from halluc.theory.hardness import observation2_bound


@pytest.fixture
def facts_file(tmp_path: Path) -> Path:
    rows = [("p0", "a"), ("p1", "a"), ("p1", "b"), ("p2", None), ("p3", "IDK"), ("p4", "x")]
    f = tmp_path / "facts.jsonl"
    f.write_text("".join(json.dumps({"prompt": p, "response": r}) + "\n" for p, r in rows))
    return f


def test_theorem2_from_numbers_is_the_theorem() -> None:
    sheet = theorem2_worksheet(364, sr=0.2, n=1e9, max_error_set=400, delta=0.01)
    lower, upper = sheet.bounds
    assert lower == theorem2_lower_bound(0.2, 10**9, 364, 0.01)
    assert upper == theorem2_upper_bound(0.2, 10**9, 400)
    doc = sheet.to_dict()
    assert doc["inputs"] == {"sr": 0.2, "N": 10**9}
    assert doc["context"]["N at which the lower bound turns positive (same sr)"] > 1000


def test_theorem2_from_a_facts_file_uses_its_singleton_rate(facts_file: Path) -> None:
    sheet = theorem2_worksheet(3, facts=FactsSource(facts_file))
    data = sheet.to_dict()[f"training data ({facts_file})"]
    # 6 examples (2 IDK); answered: p0 once, p1 twice, p4 once -> 2 singletons
    assert data["N (all examples)"] == 6 and data["IDK examples"] == 2
    assert data["sr = singletons / N"] == pytest.approx(2 / 6)
    assert sheet.bounds[0] == theorem2_lower_bound(2 / 6, 6, 3)
    assert sheet.to_dict()["context"]["N at which the lower bound turns positive (same sr)"] == (
        "never"
    )


def test_idk_strings_are_the_callers_choice(facts_file: Path) -> None:
    sheet = theorem2_worksheet(3, facts=FactsSource(facts_file, idk=("x",)))
    data = sheet.to_dict()[f"training data ({facts_file})"]
    assert data["IDK examples"] == 2  # null and "x"; "IDK" is now an answer
    assert data["singletons"] == 2  # p0 and p3


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda f: theorem2_worksheet(3, sr=0.1, n=10, facts=FactsSource(f)), "facts"),
        (lambda f: theorem2_worksheet(3, sr=0.1), "sr"),
        (lambda f: theorem2_worksheet(3, sr=0.1, n=1.5), "n"),
        (lambda f: theorem2_worksheet(3, sr=0.1, n=10, max_error_set=2), "max_error_set"),
        (lambda f: theorem2_worksheet(0, sr=0.1, n=10), "min_error_set"),
        (lambda f: theorem1_worksheet(err_iiv=0.2), "err_iiv"),
        (lambda f: theorem3_worksheet(0.5, 1), "n_choices"),
        (lambda f: observation2_worksheet(0.1), "message_space"),
        (lambda f: observation2_worksheet(0.1, message_space=4, bits=2), "message_space"),
        (lambda f: goodturing_worksheet(), "facts"),
        (lambda f: goodturing_worksheet(counts=[0, 0]), "counts"),
        (lambda f: goodturing_worksheet(counts=[1, -1]), "counts"),
        (lambda f: goodturing_worksheet(counts=[1, 2], n_new=100), "n_new"),
        (lambda f: goodturing_worksheet(counts=[1, 2], confidence=1.0), "confidence"),
    ],
)
def test_errors_name_the_parameter(call: object, field: str, facts_file: Path) -> None:
    with pytest.raises(InputError) as info:
        call(facts_file)  # type: ignore[operator]
    assert info.value.field == field


def test_theorem1_from_a_table_checks_the_bound(tmp_path: Path) -> None:
    t = tmp_path / "t.csv"
    t.write_text(
        "prompt,response,valid,p,p_hat\nq,a,true,1,0.6\nq,b,false,0,0.3\nq,c,false,0,0.1\n"
    )
    sheet = theorem1_worksheet(table=t)
    inst = sheet.to_dict()[f"instance ({t})"]
    assert inst["err = p_hat(E)"] == pytest.approx(0.4)
    assert inst["bound holds"] is True
    assert sheet.bounds[0].name == "Theorem 1"


def test_observation2_bits_are_a_message_space() -> None:
    by_bits = observation2_worksheet(0.1, bits=4, delta=0.05)
    by_size = observation2_worksheet(0.1, message_space=16, delta=0.05)
    assert by_bits == by_size
    assert by_size.bounds[0] == observation2_bound(0.1, 16, 0.05)


def test_goodturing_from_counts_and_from_facts_agree(facts_file: Path) -> None:
    from_facts = goodturing_worksheet(facts=FactsSource(facts_file), n_new=8)
    from_counts = goodturing_worksheet(counts=[1, 2, 1])
    gt = from_facts.to_dict()["Good-Turing"]
    assert {k: gt[k] for k in good_turing_summary({1: 2, 2: 1})} == from_counts.to_dict()[
        "Good-Turing"
    ]
    assert gt["N incl. IDK"] == 6
    assert gt["sr = f1 / N incl. IDK"] == pytest.approx(2 / 6)
    assert "sr at N = 8 (Good-Toulmin)" in gt
    assert from_counts.to_dict()["frequency of frequencies (first 10)"] == {"F_1": 2, "F_2": 1}

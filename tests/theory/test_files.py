"""Facts files (JSONL training examples) and probability tables (CSV/JSONL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from halluc.errors import InputError
from halluc.theory.factsfile import read_facts_file
from halluc.theory.iiv import analyze
from halluc.theory.tablefile import read_instance_table


def _jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_facts_file_singletons_and_idk(tmp_path: Path) -> None:
    f = _jsonl(
        tmp_path / "facts.jsonl",
        [
            {"prompt": "kalai birthday", "response": "03-07"},
            {"prompt": "kalai birthday", "response": "I don't know"},
            {"prompt": "vempala birthday", "response": "01-01"},
            {"prompt": "vempala birthday", "response": "01-01"},
            {"prompt": "zhang birthday", "response": None},
            {"prompt": "nachum birthday", "response": " idk "},
            {"prompt": "turing birthday", "response": "23-06"},
        ],
    )
    data = read_facts_file(f)
    st = data.singleton_stats()
    assert st.n == 7 and st.n_idk == 3
    assert st.n_singletons == 2  # kalai (its other example is IDK) and turing
    assert st.sr == pytest.approx(2 / 7)
    assert data.fof() == {1: 2, 2: 1}


@pytest.mark.parametrize(
    ("line", "needle", "field"),
    [
        ({"prompt": 3.5, "response": "x"}, "must be a string", "prompt"),
        ({"prompt": "a"}, "missing", "response"),
        ({"response": "x"}, "missing", "prompt"),
        ({"prompt": "a", "response": 7}, "string or null", "response"),
    ],
)
def test_facts_file_errors_name_file_line_field(
    tmp_path: Path, line: dict[str, object], needle: str, field: str
) -> None:
    f = _jsonl(tmp_path / "bad.jsonl", [{"prompt": "ok", "response": "x"}, line])
    with pytest.raises(InputError) as exc:
        read_facts_file(f)
    assert exc.value.line == 2 and exc.value.field == field and exc.value.path == str(f)
    assert needle in str(exc.value)


def test_facts_file_not_json_and_empty(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "a", "response": "b"}\n{oops\n')
    with pytest.raises(InputError) as exc:
        read_facts_file(bad)
    assert exc.value.line == 2
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    with pytest.raises(InputError, match="N = 0"):
        read_facts_file(empty)


CSV_OK = """prompt,response,valid,p,p_hat,mu
q1,a,true,1,0.6,0.5
q1,b,false,0,0.3,0.5
q1,c,false,0,0.1,0.5
q2,x,1,0.5,0.5,0.5
q2,y,1,0.5,0.2,0.5
q2,z,0,0,0.3,0.5
"""


def test_table_csv_and_jsonl_agree(tmp_path: Path) -> None:
    csv_path = tmp_path / "t.csv"
    csv_path.write_text(CSV_OK)
    rows = [
        dict(zip(CSV_OK.splitlines()[0].split(","), line.split(","), strict=True))
        for line in CSV_OK.splitlines()[1:]
    ]
    jl = _jsonl(tmp_path / "t.jsonl", rows)
    a, b = analyze(read_instance_table(csv_path)), analyze(read_instance_table(jl))
    assert a.err == pytest.approx(b.err) == pytest.approx(0.5 * 0.4 + 0.5 * 0.3)
    assert a.min_error_set == 1 and a.max_valid_set == 2


@pytest.mark.parametrize(
    ("edit", "needle", "field", "line"),
    [
        (("q1,a,true,1,0.6,0.5", "q1,a,true,1,0.5,0.5"), "sums to 0.9", "p_hat", None),
        (("q1,b,false,0,0.3", "q1,b,false,0,-0.3"), "negative", "p_hat", 3),
        (("q2,z,0,0,0.3", "q2,z,1,0,0.3"), "|E_c| = 0", "valid", None),
        (("q1,c,false,0,0.1,0.5", "q1,c,false,0,0.1,0.7"), "mu", "mu", 4),
        (("q1,c,false", "q1,c,maybe"), "true/false", "valid", 4),
        (("q2,y,1,0.5,0.2", "q2,y,1,abc,0.2"), "number", "p", 6),
        (("q2,y,", "q2,x,"), "duplicate", "response", 6),
    ],
)
def test_table_errors(
    tmp_path: Path, edit: tuple[str, str], needle: str, field: str, line: int | None
) -> None:
    path = tmp_path / "t.csv"
    path.write_text(CSV_OK.replace(*edit))
    with pytest.raises(InputError) as exc:
        read_instance_table(path)
    assert needle in str(exc.value)
    assert exc.value.field == field and exc.value.path == str(path)
    if line is not None:
        assert exc.value.line == line


def test_table_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("prompt,response,p\nq,a,1\n")
    with pytest.raises(InputError, match="missing column"):
        read_instance_table(path)

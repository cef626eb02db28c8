"""Datasets: the built-in sample, the generic loader with a field map, the adapters, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from halluc.data import FieldMap, builtin_path, load_dataset, parse_answers
from halluc.errors import InputError
from tests.models.fixtures import SHARED_DATA


def test_builtin_sample_mixes_sources_with_attribution() -> None:
    items = load_dataset("builtin")
    assert len(items) == 200
    assert len({i.id for i in items}) == 200
    sources = {i.metadata["source"] for i in items}
    assert sources == {"triviaqa", "popqa", "simpleqa"}
    assert {i.metadata["popularity"] for i in items} == {"popular", "rare"}
    assert all(i.answers and i.question for i in items)
    assert (builtin_path().parent / "ATTRIBUTION.md").read_text().count("license") >= 1
    assert load_dataset("builtin", limit=5) == items[:5]


def test_generic_jsonl_csv_parquet_json(tmp_path: Path) -> None:
    rows = [
        {"qid": "a", "q": "Capital of France?", "gold": ["Paris", "City of Light"], "topic": "geo"},
        {"qid": "b", "q": "2+2?", "gold": ["4"], "topic": "math"},
    ]
    fm = FieldMap(id="qid", question="q", answers="gold")
    jl = tmp_path / "d.jsonl"
    jl.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "d.parquet")
    (tmp_path / "d.json").write_text(json.dumps({"data": rows}))
    csv = tmp_path / "d.csv"
    csv.write_text(
        "qid,q,gold,topic\na,Capital of France?,Paris|City of Light,geo\nb,2+2?,4,math\n"
    )
    for path in (jl, tmp_path / "d.parquet", tmp_path / "d.json"):
        items = load_dataset(path, fields=fm)
        assert [i.id for i in items] == ["a", "b"]
        assert items[0].answers == ("Paris", "City of Light")
        assert items[0].metadata == {"topic": "geo"}
    items = load_dataset(csv, fields=FieldMap("qid", "q", "gold", answer_separator="|"))
    assert items[0].answers == ("Paris", "City of Light")
    # common column names are detected without a field map
    auto = tmp_path / "auto.jsonl"
    auto.write_text('{"id": 1, "question": "Q?", "answer": "A"}\n')
    assert load_dataset(auto)[0].answers == ("A",)


def test_answers_cells() -> None:
    assert parse_answers('["a", "b"]') == ["a", "b"]
    assert parse_answers("a") == ["a"]
    assert parse_answers(["a", None, " "]) == ["a"]
    assert parse_answers({"aliases": ["x"]}) == ["x"]
    assert parse_answers(3) == ["3"]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ('{"id": 1, "question": "", "answers": ["x"]}', "question"),
        ('{"id": 1, "answers": ["x"]}', "question"),
        ('{"id": 1, "question": "Q?", "answers": []}', "answers"),
        ('{"id": 1, "question": "Q?"}', "answers"),
    ],
)
def test_rows_without_question_or_answers(tmp_path: Path, line: str, field: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 0, "question": "ok?", "answers": ["y"]}\n' + line + "\n")
    with pytest.raises(InputError) as exc:
        load_dataset(path)
    assert exc.value.line == 2 and exc.value.field == field
    assert str(path) in str(exc.value)


def test_other_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_dataset(tmp_path / "nope.jsonl")
    dup = tmp_path / "dup.jsonl"
    dup.write_text('{"id": 1, "question": "a", "answers": ["x"]}\n' * 2)
    with pytest.raises(InputError, match="duplicate id"):
        load_dataset(dup)
    txt = tmp_path / "x.txt"
    txt.write_text("question,answer\n")
    with pytest.raises(InputError, match="unknown dataset file type"):
        load_dataset(txt)
    with pytest.raises(InputError, match="field 'limit'"):
        load_dataset("builtin", limit=0)


def test_adapters_on_the_shared_datasets() -> None:
    assert SHARED_DATA is not None, "the shared data folder must lie beside the repository"
    sq = load_dataset(SHARED_DATA / "simple_qa_test_set.csv")
    assert len(sq) == 4326 and sq[0].id == "simpleqa-0" and sq[0].metadata["topic"]
    pop = load_dataset(SHARED_DATA / "popqa_longtail.jsonl")
    assert len(pop) == 1399 and pop[0].metadata["popularity"] < 100
    tq = load_dataset(SHARED_DATA / "triviaqa_test_1000.jsonl")
    assert len(tq) == 1000 and len(tq[0].answers) > 5
    sa = load_dataset(SHARED_DATA / "SelfAware.json")
    unanswerable = [i for i in sa if not i.metadata["answerable"]]
    assert len(sa) == 3369 and len(unanswerable) == 1032
    assert all(i.answers == () for i in unanswerable)


def test_nq_open_and_format_prefix(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    path.write_text('{"question": "who wrote hamlet", "answer": ["Shakespeare"]}\n')
    items = load_dataset(f"nq_open:{path}")
    assert items[0].id == "nq-0" and items[0].answers == ("Shakespeare",)
    with pytest.raises(InputError, match="unknown dataset format"):
        load_dataset(path, format="squad")

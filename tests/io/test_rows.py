"""The one row reader: every table format, and every kind of bad input named where it is."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from halluc.errors import InputError
from halluc.io.rows import RowFormat, pick_column, read_rows

ROWS = [{"id": "a", "answer": "Paris", "n": 1}, {"id": "b", "answer": "4", "n": 2}]


def write_all(folder: Path) -> dict[str, Path]:
    paths = {
        "csv": folder / "t.csv",
        "tsv": folder / "t.tsv",
        "jsonl": folder / "t.jsonl",
        "json": folder / "t.json",
        "parquet": folder / "t.parquet",
        "gz": folder / "t.jsonl.gz",
    }
    paths["csv"].write_text("id,answer,n\na,Paris,1\nb,4,2\n")
    paths["tsv"].write_text("id\tanswer\tn\na\tParis\t1\nb\t4\t2\n")
    lines = "".join(json.dumps(r) + "\n" for r in ROWS)
    paths["jsonl"].write_text(lines)
    paths["json"].write_text(json.dumps({"data": ROWS}))
    pq.write_table(pa.Table.from_pylist(ROWS), paths["parquet"])
    paths["gz"].write_bytes(gzip.compress(lines.encode()))
    return paths


def test_every_format_gives_the_same_rows(tmp_path: Path) -> None:
    for kind, path in write_all(tmp_path).items():
        table = read_rows(path)
        assert table.names == ["id", "answer", "n"], kind
        rows = [row for _, row in table.records()]
        assert [r["id"] for r in rows] == ["a", "b"], kind
        assert [str(r["n"]) for r in rows] == ["1", "2"], kind
    assert read_rows(tmp_path / "t.csv").lines == [2, 3]
    assert read_rows(tmp_path / "t.jsonl").format is RowFormat.JSONL


def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbfid,answer\na,Paris\n")
    assert read_rows(p).names == ["id", "answer"]


def test_quoted_rows_keep_the_line_they_start_on(tmp_path: Path) -> None:
    p = tmp_path / "q.csv"
    p.write_text('id,answer\na,"two\nlines"\n\nb,x\nc,"y"\n')
    table = read_rows(p)
    assert table.lines == [2, 5, 6]
    assert list(table.column("answer")) == ["two\nlines", "x", "y"]


@pytest.mark.parametrize(
    ("name", "data", "line", "field", "words"),
    [
        ("latin1.csv", b"id,answer\na,ok\nb,caf\xe9\n", 3, None, "not UTF-8"),
        ("latin1.jsonl", b'{"id": "a"}\n{"id": "caf\xe9"}\n', 2, None, "not UTF-8"),
        ("wide.csv", b"id,answer\na,ok\nb,x,y\n", 3, None, "3 fields, the header has 2"),
        ("twice.jsonl", b'{"id": "a"}\n{"id": "b", "id": "c"}\n', 2, "id", "twice"),
        ("twice.csv", b"id,id\na,b\n", 1, "id", "twice"),
        ("list.jsonl", b'{"id": "a"}\n[1, 2]\n', 2, None, "JSON object"),
        ("cut.jsonl", b'{"id": "a"}\n{"id": \n', 2, None, "invalid JSON"),
        ("empty.csv", b"", 1, None, "empty file"),
    ],
)
def test_bad_input_names_file_line_and_field(
    tmp_path: Path, name: str, data: bytes, line: int, field: str | None, words: str
) -> None:
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(InputError) as err:
        read_rows(p)
    assert err.value.path == str(p) and err.value.line == line and err.value.field == field
    assert words in err.value.message


def test_a_key_that_only_looks_repeated_is_accepted(tmp_path: Path) -> None:
    p = tmp_path / "ok.jsonl"
    p.write_text('{"id": "a", "note": "he said \\"id\\": no"}\n{"id" : "b", "note": null}\n')
    rows = [row for _, row in read_rows(p).records()]
    assert rows == [{"id": "a", "note": 'he said "id": no'}, {"id": "b", "note": None}]


def test_a_missing_key_and_a_null_stay_apart(tmp_path: Path) -> None:
    p = tmp_path / "facts.jsonl"
    p.write_text('{"prompt": "p", "response": null}\n{"prompt": "q"}\n')
    table = read_rows(p)
    assert [row for _, row in table.records()] == [
        {"prompt": "p", "response": None},
        {"prompt": "q"},
    ]
    assert list(table.column("response")) == [None, None]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_special_files_and_folders_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_rows(fifo)
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(InputError, match="a folder"):
        read_rows(tmp_path / "dir.csv")
    with pytest.raises(InputError, match="not found"):
        read_rows(tmp_path / "none.csv")
    with pytest.raises(InputError, match="unknown table file type"):
        read_rows(tmp_path / "t.txt")


def test_columns_are_found_by_any_accepted_spelling() -> None:
    names = ["Model_Name", "QID", "grade"]
    assert pick_column(names, None, ("model", "model_name"), "model") == "Model_Name"
    assert pick_column(names, "grade", ("outcome",), "outcome") == "grade"
    assert pick_column(names, None, ("target", "t"), "target", required=False) is None
    with pytest.raises(InputError) as err:
        pick_column(names, None, ("outcome", "label"), "outcome", path="t.csv")
    assert err.value.line == 1 and err.value.field == "outcome"
    assert "looked for outcome, label" in err.value.message
    with pytest.raises(InputError, match="column not found"):
        pick_column(names, "nope", ("outcome",), "outcome")

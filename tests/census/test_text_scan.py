from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest
import zstandard

from halluc.census.api import count_text
from halluc.census.items import ItemFields
from halluc.census.synthetic import Corpus, World, true_text_counts
from halluc.census.text_scan import TextOptions
from halluc.errors import InputError
from tests.census.conftest import write_jsonl


def _check(result_counts: pd.DataFrame, world: World, corpus: Corpus, dedup: str) -> None:
    truth = true_text_counts(world, corpus, dedup).set_index("item_id")
    got = result_counts.set_index("item_id")
    assert list(got.index) == list(truth.index)
    pd.testing.assert_frame_equal(got, truth, check_dtype=False, check_index_type=False)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
@pytest.mark.parametrize("dedup", ["none", "exact", "normalized"])
def test_in_process_scan_is_exact(
    world: World,
    corpus: Corpus,
    corpus_files: dict[str, list[Path]],
    items_file: Path,
    fmt: str,
    dedup: str,
) -> None:
    opt = TextOptions(dedup=dedup, workers=1, block_bytes=100_000)
    r = count_text(corpus_files[fmt], [items_file], options=opt)
    _check(r.counts, world, corpus, dedup)
    assert r.stats["documents"] == len(corpus.docs)
    assert r.parameters["dedup"] == dedup


def test_worker_processes_give_the_same_counts(
    world: World, corpus: Corpus, corpus_files: dict[str, list[Path]], items_file: Path
) -> None:
    for dedup in ("none", "normalized"):
        opt = TextOptions(dedup=dedup, workers=2, block_bytes=50_000)
        r = count_text(corpus_files["jsonl"], [items_file], options=opt)
        assert r.parameters["workers"] == 2
        _check(r.counts, world, corpus, dedup)


def test_items_from_csv_with_aliases(tmp_path: Path) -> None:
    items = tmp_path / "items.csv"
    items.write_text(
        'qid,who,answers\nq1,Henry Feilden (Conservative politician),"[""politician"", ""MP""]"\n'
        "q2,Ada Lovelace,mathematician|writer\n"
    )
    docs = write_jsonl(
        tmp_path / "d.jsonl",
        [
            {"body": "HENRY   FEILDEN was a Politician."},
            {"body": "Ada Lovelace, writer"},
            {"body": "ada lovelace and an MP"},
        ],
    )
    fields = ItemFields("qid", "who", "answers", strip_disambiguation=True)
    r = count_text([docs], [items], fields=fields, options=TextOptions(text_field="body"))
    assert r.counts.to_dict("list") == {
        "item_id": ["q1", "q2"],
        "n_subject": [1, 2],
        "n_answer": [2, 1],
        "n_both": [1, 1],
    }


def test_missing_text_field_names_file_and_line(tmp_path: Path, items_file: Path) -> None:
    docs = write_jsonl(tmp_path / "d.jsonl", [{"text": "a"}, {"text": "b"}, {"body": "c"}])
    with pytest.raises(InputError) as err:
        count_text([docs], [items_file], options=TextOptions(workers=1))
    assert (err.value.path, err.value.line, err.value.field) == (str(docs), 3, "text")
    assert "missing" in str(err.value)
    docs.write_text('{"text": "a"}\n{"text": 5}\n')
    with pytest.raises(InputError, match="must be a string") as err:
        count_text([docs], [items_file])
    assert err.value.line == 2


def test_invalid_json_line_k_in_a_worker(tmp_path: Path, items_file: Path) -> None:
    rows = [{"text": f"document {i}"} for i in range(30000)]
    good = write_jsonl(tmp_path / "a.jsonl", rows)
    bad = tmp_path / "b.jsonl"
    lines = good.read_bytes().split(b"\n")
    lines[20344] = b'{"text": "broken'  # line 20345
    bad.write_bytes(b"\n".join(lines))
    with pytest.raises(InputError) as err:
        count_text([good, bad], [items_file], options=TextOptions(workers=2, block_bytes=64_000))
    assert str(err.value).startswith(f"{bad}:20345: invalid JSON")


@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_unreadable_compressed_corpus(tmp_path: Path, items_file: Path, suffix: str) -> None:
    data = b"".join(b'{"text": "document %d"}\n' % i for i in range(40000))
    packed = gzip.compress(data) if suffix == ".gz" else zstandard.compress(data)
    p = tmp_path / f"d.jsonl{suffix}"
    p.write_bytes(packed[: len(packed) * 2 // 3])
    with pytest.raises(InputError, match="truncated") as err:
        count_text([p], [items_file], options=TextOptions(workers=1, block_bytes=30_000))
    assert err.value.path == str(p) and err.value.line is not None and err.value.line > 1000
    p.write_bytes(b"\x1f\x8b garbage" if suffix == ".gz" else b"garbage bytes")
    with pytest.raises(InputError, match="unreadable") as err:
        count_text([p], [items_file])
    assert err.value.line == 1


def test_parquet_problems(tmp_path: Path, items_file: Path) -> None:
    p = tmp_path / "d.parquet"
    pd.DataFrame({"text": ["a", "b", None]}).to_parquet(p)
    with pytest.raises(InputError, match="row 3: null") as err:
        count_text([p], [items_file])
    assert err.value.path == str(p)
    with pytest.raises(InputError, match="missing") as err:
        count_text([p], [items_file], options=TextOptions(text_field="body"))
    assert err.value.field == "body"


def test_bad_items(tmp_path: Path) -> None:
    docs = write_jsonl(tmp_path / "d.jsonl", [{"text": "x"}])
    items = write_jsonl(
        tmp_path / "i.jsonl",
        [{"id": 1, "subject": "A", "answers": ["b"]}, {"id": 2, "subject": "B"}],
    )
    with pytest.raises(InputError, match="answer alias") as err:
        count_text([docs], [items])
    assert (err.value.line, err.value.field) == (2, "answers")
    items = write_jsonl(
        tmp_path / "i2.jsonl",
        [{"id": 1, "subject": "A", "answers": "b"}, {"id": 1, "subject": "B", "answers": "c"}],
    )
    with pytest.raises(InputError, match="duplicate item id"):
        count_text([docs], [items])

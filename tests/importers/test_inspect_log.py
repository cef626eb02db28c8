"""Inspect logs (.eval archives and .json), as inspect_ai writes them."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from halluc.errors import InputError
from halluc.importers import ImportOptions, import_path
from halluc.importers.inspect_log import import_inspect
from halluc.log.outcomes import Outcome


def test_eval_archive_reproduces_inspects_accuracy(inspect_logs: dict[str, Any]) -> None:
    log = inspect_logs["includes_log"]
    result = import_path(inspect_logs["includes"])
    assert {p.suffix for p in [inspect_logs["includes"]]} == {".eval"}
    records = result.records
    assert len(records) == log.results.total_samples == 8  # 4 samples x 2 epochs
    report = result.reports[0]
    inspect_accuracy = log.results.scores[0].metrics["accuracy"].value
    assert report.source_accuracy == inspect_accuracy
    assert report.accuracy == pytest.approx(inspect_accuracy, abs=1e-12)
    assert report.matches_source is True
    by_id = {r.item_id: r for r in records}
    assert set(by_id) == {
        f"easy_qa/{i}#epoch{e}" for i in ("paris", "spider", 3, "harbour") for e in (1, 2)
    }
    assert by_id["easy_qa/paris#epoch1"].outcome is Outcome.CORRECT
    assert by_id["easy_qa/paris#epoch1"].metadata["answers"] == ["Paris", "paris city"]
    # includes() said I; the answer is an abstention, which halluc separates
    spider = by_id["easy_qa/spider#epoch2"]
    assert spider.metadata["source_grade"] == "I"
    assert spider.outcome is Outcome.ABSTAINED
    assert by_id["easy_qa/3#epoch1"].outcome is Outcome.INCORRECT
    assert by_id["easy_qa/harbour#epoch1"].outcome is Outcome.CORRECT
    assert report.reclassified_as_abstained == 2
    assert {r.model for r in records} == {"mockllm/model"}


def test_without_detection_inspects_incorrect_stays_incorrect(inspect_logs: dict[str, Any]) -> None:
    result = import_path(inspect_logs["includes"], ImportOptions(detect_abstention=False))
    counts = result.reports[0].counts
    assert counts == {"correct": 4, "incorrect": 4, "abstained": 0, "error": 0}


def test_json_log_maps_c_i_n_p_and_sample_errors(inspect_logs: dict[str, Any]) -> None:
    path = inspect_logs["graded"]
    assert path.suffix == ".json"
    result = import_inspect(path)
    by_id = {r.metadata["source_id"]: r for r in result.records}
    assert by_id["a"].outcome is Outcome.CORRECT
    assert by_id["b"].outcome is Outcome.INCORRECT
    assert by_id["c"].outcome is Outcome.ABSTAINED
    assert by_id["d"].outcome is Outcome.INCORRECT  # PARTIAL, default mapping
    assert by_id["e"].outcome is Outcome.ERROR
    assert "backend unavailable" in (by_id["e"].error or "")
    report = result.reports[0]
    assert any("PARTIAL" in note for note in report.notes)
    # Inspect counts P as 0.5 and leaves the errored sample out: 1.5 / 4
    assert report.source_accuracy == pytest.approx(1.5 / 4)
    assert report.accuracy == pytest.approx(1 / 4)
    as_correct = import_inspect(path, ImportOptions(partial="correct"))
    assert {r.metadata["source_id"]: r.outcome for r in as_correct.records}["d"] is Outcome.CORRECT
    assert as_correct.reports[0].accuracy == pytest.approx(2 / 4)


def test_truncated_eval_archive_is_a_clear_error(
    inspect_logs: dict[str, Any], tmp_path: Path
) -> None:
    data = inspect_logs["includes"].read_bytes()
    cut = tmp_path / "cut.eval"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as info:
        import_path(cut)
    assert info.value.path == str(cut)
    assert "truncated" in str(info.value)


def test_corrupt_member_names_the_member(inspect_logs: dict[str, Any], tmp_path: Path) -> None:
    src = inspect_logs["includes"]
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo("samples/spider_epoch_1.json")
    data = bytearray(src.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 8, start + 24):
        data[i] ^= 0xFF
    bad = tmp_path / "corrupt.eval"
    bad.write_bytes(bytes(data))
    with pytest.raises(InputError) as err:
        import_path(bad)
    assert err.value.path == str(bad)
    assert err.value.field == "samples/spider_epoch_1.json"


def test_scorer_option_and_unknown_scorer(inspect_logs: dict[str, Any]) -> None:
    result = import_inspect(inspect_logs["includes"], ImportOptions(scorer="nope"))
    assert all(r.outcome is Outcome.ERROR for r in result.records)
    assert result.reports[0].unmapped_total == 8


def test_deflate_archives_from_older_inspect_read_the_same(
    inspect_logs: dict[str, Any], tmp_path: Path
) -> None:
    from halluc.importers.inspect_log import _EvalArchive

    src = _EvalArchive(inspect_logs["includes"])
    assert any(i.compress_type == 93 for i in src.zip.infolist())  # zstd, as 0.3.285 writes
    old = tmp_path / "deflate.eval"
    with zipfile.ZipFile(old, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in src.names():
            zf.writestr(name, src.read(name))
    a = import_inspect(inspect_logs["includes"]).records
    b = import_inspect(old).records
    assert [(r.item_id, r.outcome, r.response) for r in a] == [
        (r.item_id, r.outcome, r.response) for r in b
    ]

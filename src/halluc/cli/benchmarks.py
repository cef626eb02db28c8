"""``halluc benchmarks``: the paper's Table 2, how ten influential benchmarks grade."""

from __future__ import annotations

from typing import Annotated

import typer

from halluc.render.tables import OutputFormat


def benchmarks_command(
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.TABLE,
    match: Annotated[
        list[str] | None,
        typer.Option(
            "--match",
            help="Task names (as lm-eval, Inspect or HELM write them) to look up; repeatable.",
        ),
    ] = None,
) -> None:
    """Show Table 2 of Kalai et al. (2025): scoring method, binary grading and IDK credit of
    GPQA, MMLU-Pro, IFEval, Omni-MATH, WildBench, BBH, MATH (L5), MuSR, SWE-bench and HLE.

    With --match, say which of them each given task name belongs to (importers attach the same
    entry to re-scored results).
    """
    from halluc.data.benchmarks import render_table, resolve_matches

    if match:
        typer.echo(resolve_matches(match, fmt), nl=False)
        return
    typer.echo(render_table(fmt), nl=False)


def register(app: typer.Typer) -> None:
    app.command("benchmarks")(benchmarks_command)

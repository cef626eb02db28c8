"""The ``halluc`` command line: a thin layer over the library.

Each command lives in its own module in this package and exposes ``register(app)``; modules are
discovered at start-up, so adding a command never edits a shared file. Bad input of any kind
ends with one line on stderr and exit code 2.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import warnings

import typer

from halluc.cli._errors import for_command_line
from halluc.errors import HallucError

app = typer.Typer(
    name="halluc",
    help=(
        "Evaluate language models with explicit confidence targets (Kalai et al. 2025, "
        "'Why Language Models Hallucinate'): correct +1, \"I don't know\" 0, wrong -t/(1-t)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


@app.callback()
def _root() -> None:
    """halluc: confidence-target evaluation, audits, re-scoring, theory and reproductions."""


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_commands()


def main() -> None:
    def show_warning(
        message: warnings.WarningMessage | Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: object = None,
        line: str | None = None,
    ) -> None:
        print(f"halluc: warning: {message}", file=sys.stderr)

    warnings.showwarning = show_warning
    try:
        app()
    except HallucError as exc:
        print(f"halluc: error: {for_command_line(exc)}", file=sys.stderr)
        sys.exit(2)

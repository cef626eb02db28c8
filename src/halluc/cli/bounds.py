"""``halluc bounds``: the paper's bounds from numbers or files, with every term printed."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast

import orjson
import typer
from rich.console import Console

from halluc.errors import InputError
from halluc.render.tables import OutputFormat, markdown_table, rich_table
from halluc.theory._checks import integer, probability
from halluc.theory.bound import Bound, fmt
from halluc.theory.facts import (
    lemma1_radius,
    min_n_for_nonvacuous,
    theorem2_lower_bound,
    theorem2_upper_bound,
)
from halluc.theory.factsfile import DEFAULT_IDK, read_facts_file
from halluc.theory.goodturing import (
    extrapolate_singleton_rate,
    frequency_of_frequencies,
    good_turing_summary,
)
from halluc.theory.hardness import message_space_for_bits, observation2_bound
from halluc.theory.iiv import analyze, theorem1_bound
from halluc.theory.multiple_choice import theorem3_bound
from halluc.theory.tablefile import read_instance_table

bounds_app = typer.Typer(
    name="bounds",
    help=(
        "Lower and upper bounds on the generative error rate from the paper's theorems, "
        "computed from numbers or files, with every term printed."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
)

Section = tuple[str, list[tuple[str, Any]]]

FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


_OPTION_OF = {
    "sr": "--sr",
    "n": "--n",
    "min_error_set": "--min-error-set",
    "max_error_set": "--max-error-set",
    "delta": "--delta",
    "gamma": "--gamma",
    "err_iiv": "--err-iiv",
    "max_valid_set": "--max-valid-set",
    "opt_g": "--opt-g",
    "n_choices": "--choices",
    "beta": "--beta",
    "message_space": "--message-space",
    "bits": "--bits",
    "n_new": "--extrapolate-to",
    "counts": "--counts",
}


@contextmanager
def _options_named() -> Iterator[None]:
    """Report a library field as the command-line option the user typed."""
    try:
        yield
    except InputError as exc:
        if exc.path is None and exc.field in _OPTION_OF:
            raise InputError(exc.message, field=_OPTION_OF[exc.field]) from None
        raise


def _cell(v: Any) -> str:
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return fmt(v)
    return str(v)


def _emit(sections: list[Section], bounds: list[Bound], fmt_: OutputFormat) -> None:
    """Print input/derived sections, then each bound's terms and statement."""
    if fmt_ is OutputFormat.JSON:
        doc: dict[str, Any] = {title: dict(rows) for title, rows in sections}
        doc["bounds"] = [b.to_dict() for b in bounds]
        typer.echo(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())
        return
    all_sections = list(sections) + [
        (f"{b.name}: {b.kind} bound", [*b.terms.items(), ("value", b.value)]) for b in bounds
    ]
    if fmt_ is OutputFormat.CSV:
        buf = ["section,name,value"]
        for title, rows in all_sections:
            buf += [f'"{title}","{k}",{_cell(v)}' for k, v in rows]
        typer.echo("\n".join(buf))
        return
    if fmt_ is OutputFormat.MARKDOWN:
        out = []
        for title, rows in all_sections:
            out.append(
                f"**{title}**\n\n" + markdown_table(["", "value"], [(k, _cell(v)) for k, v in rows])
            )
        out += [f"- {b.name}: `{b.statement}`" for b in bounds]
        typer.echo("\n".join(out))
        return
    buf_io = io.StringIO()
    console = Console(file=buf_io, width=110, force_terminal=False, color_system=None)
    for title, rows in all_sections:
        console.print(
            rich_table(["", "value"], [(k, _cell(v)) for k, v in rows], title=title, numeric_from=1)
        )
    for b in bounds:
        note = "  (vacuous)" if b.vacuous else ""
        console.print(f"{b.name}: {b.statement}{note}", soft_wrap=True)
        for n in b.notes:
            console.print(f"  note: {n}", soft_wrap=True)
    typer.echo(buf_io.getvalue(), nl=False)


F = TypeVar("F", bound=Callable[..., None])


def _with_option_names(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        with _options_named():
            func(*args, **kwargs)

    return cast(F, wrapper)


def _parse_int(text: str | None, field: str, minimum: int = 0) -> int | None:
    if text is None:
        return None
    try:
        v = float(text) if any(ch in text for ch in ".eE") else int(text)
    except ValueError:
        raise InputError(f"not a number: {text!r}", field=field) from None
    return integer(v, field, minimum=minimum)


@bounds_app.command("theorem2")
@_with_option_names
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
    prompt_field: Annotated[str, typer.Option(help="Prompt field in --facts.")] = "prompt",
    response_field: Annotated[str, typer.Option(help="Response field in --facts.")] = "response",
    idk: Annotated[
        list[str] | None,
        typer.Option(help="A response meaning 'I don't know' (repeatable; case-insensitive)."),
    ] = None,
    fmt_: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Theorem 2 (arbitrary facts): hallucination rate vs the singleton rate.

    Lower bound (any algorithm): err >= sr - 2/min|E_c| - (35 + 6 ln N)/sqrt(N) - delta.
    Upper bound (a calibrated algorithm): err <= sr - sr/(max|E_c| + 1) + 13/sqrt(N).
    Both hold with probability >= 99% over the training data (gamma = 0.01).
    """
    sections: list[Section] = []
    if facts is not None:
        if sr is not None or n is not None:
            raise InputError("give either --facts or --sr and --n, not both", field="--facts")
        data = read_facts_file(
            facts,
            prompt_field=prompt_field,
            response_field=response_field,
            idk=idk if idk else DEFAULT_IDK,
        )
        st = data.singleton_stats()
        sr_v, n_v = st.sr, st.n
        gt = good_turing_summary(data.fof())
        sections.append(
            (
                f"training data ({facts})",
                [
                    ("N (all examples)", st.n),
                    ("IDK examples", st.n_idk),
                    ("distinct answered prompts", st.n_distinct),
                    ("singletons", st.n_singletons),
                    ("sr = singletons / N", st.sr),
                    ("Good-Turing missing mass F1/(answered N)", gt["missing_mass"]),
                ],
            )
        )
    else:
        if sr is None or n is None:
            raise InputError("give --sr and --n, or --facts", field="--sr")
        sr_v = probability(sr, "--sr")
        n_parsed = _parse_int(n, "--n", minimum=1)
        assert n_parsed is not None
        n_v = n_parsed
        sections.append(("inputs", [("sr", sr_v), ("N", n_v)]))
    big_l = min_error_set if max_error_set is None else max_error_set
    if big_l < min_error_set:
        raise InputError(
            f"max |E_c| ({big_l}) is below min |E_c| ({min_error_set})", field="--max-error-set"
        )
    lower = theorem2_lower_bound(sr_v, n_v, min_error_set, delta, gamma)
    upper = theorem2_upper_bound(sr_v, n_v, big_l, gamma)
    need = min_n_for_nonvacuous(sr_v, min_error_set, delta, gamma)
    sections.append(
        (
            "context",
            [
                ("Lemma 1: |MM - sr| <= (w.p. 1-gamma)", lemma1_radius(n_v, gamma)),
                (
                    "N at which the lower bound turns positive (same sr)",
                    "never" if need is None else need,
                ),
            ],
        )
    )
    _emit(sections, [lower, upper], fmt_)


@bounds_app.command("theorem1")
@_with_option_names
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
    fmt_: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Theorem 1 (the Is-It-Valid reduction): err >= 2*err_iiv - max|V_c|/min|E_c| - delta.

    From numbers, or from a probability table, where err, the IIV distribution D, the
    classifier p_hat > 1/min|E_c|, err_iiv and delta are all computed.
    """
    if table is not None:
        if err_iiv is not None:
            raise InputError("give either --table or --err-iiv, not both", field="--table")
        res = analyze(read_instance_table(table))
        sections: list[Section] = [
            (
                f"instance ({table})",
                [
                    ("err = p_hat(E)", res.err),
                    ("threshold 1/min|E_c|", res.threshold),
                    ("err_iiv", res.err_iiv),
                    ("  false positives D(A\\V)", res.false_positive),
                    ("  false negatives D(B & V)", res.false_negative),
                    ("p_hat(A)", res.p_hat_a),
                    ("p(A)", res.p_a),
                    ("delta", res.delta),
                    ("bound holds", res.bound.check(res.err)),
                ],
            )
        ]
        _emit(sections, [res.bound], fmt_)
        return
    if err_iiv is None or max_valid_set is None or min_error_set is None:
        raise InputError(
            "give --table, or all of --err-iiv, --max-valid-set and --min-error-set",
            field="--err-iiv",
        )
    _emit([], [theorem1_bound(err_iiv, max_valid_set, min_error_set, delta)], fmt_)


@bounds_app.command("theorem3")
@_with_option_names
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
    fmt_: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Theorem 3 (pure multiple choice, one valid answer): err >= 2(1 - 1/C) * opt(G)."""
    _emit([], [theorem3_bound(opt_g, choices)], fmt_)


@bounds_app.command("observation2")
@_with_option_names
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
    fmt_: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Observation 2 (computational hardness): err >= 1 - beta - 2/(|M| - 1) - delta."""
    if (message_space is None) == (bits is None):
        raise InputError("give exactly one of --message-space or --bits", field="--message-space")
    m = (
        message_space_for_bits(bits)
        if bits is not None
        else _parse_int(message_space, "--message-space", 2)
    )
    assert m is not None
    _emit([], [observation2_bound(beta, m, delta)], fmt_)


@bounds_app.command("goodturing")
@_with_option_names
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
    prompt_field: Annotated[str, typer.Option(help="Prompt field in --facts.")] = "prompt",
    response_field: Annotated[str, typer.Option(help="Response field in --facts.")] = "response",
    idk: Annotated[
        list[str] | None,
        typer.Option(help="A response meaning 'I don't know' (repeatable; case-insensitive)."),
    ] = None,
    fmt_: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Good-Turing: missing mass F1/N with intervals, Chao1, singleton rate at a larger N.

    Prints the frequency of frequencies, Esty's and McAllester-Ortiz's intervals for the
    missing mass, Chao1, and (with --extrapolate-to) the Good-Toulmin singleton rate.
    """
    if (facts is None) == (counts is None):
        raise InputError("give exactly one of --facts or --counts", field="--facts")
    n_total: int | None = None
    if facts is not None:
        data = read_facts_file(
            facts,
            prompt_field=prompt_field,
            response_field=response_field,
            idk=idk if idk else DEFAULT_IDK,
        )
        fof = data.fof()
        n_total = data.n
    else:
        assert counts is not None
        vals = [_parse_int(c.strip(), "--counts") for c in counts.split(",") if c.strip()]
        fof = frequency_of_frequencies([v for v in vals if v is not None])
    if not fof:
        raise InputError("no non-IDK observations", field="--facts" if facts else "--counts")
    if not 0.0 < confidence < 1.0:
        raise InputError(f"must be in (0, 1), got {confidence:g}", field="--confidence")
    summ = good_turing_summary(fof, confidence=confidence)
    rows: list[tuple[str, Any]] = list(summ.items())
    if n_total is not None:
        rows.append(("N incl. IDK", n_total))
        rows.append(("sr = f1 / N incl. IDK", summ["f1"] / n_total))
    if extrapolate_to is not None:
        target = _parse_int(extrapolate_to, "--extrapolate-to", minimum=1)
        assert target is not None
        rows.append(
            (
                f"sr at N = {target} (Good-Toulmin)",
                extrapolate_singleton_rate(fof, target, n_total=n_total),
            )
        )
    top = sorted(fof.items())[:10]
    sections: list[Section] = [
        ("Good-Turing", rows),
        ("frequency of frequencies (first 10)", [(f"F_{r}", f) for r, f in top]),
    ]
    _emit(sections, [], fmt_)


def register(app: typer.Typer) -> None:
    app.add_typer(bounds_app, name="bounds")

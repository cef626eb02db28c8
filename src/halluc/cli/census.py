"""``halluc census facts|text|join``: how often each fact appears in training data, and results
by that frequency."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from halluc.census.api import FactBackend, TextBackend, count_facts, count_text
from halluc.census.buckets import DEFAULT_EDGES, parse_edges
from halluc.census.duckdb_facts import DuckDBConfig
from halluc.census.items import ItemFields
from halluc.census.join import MISSING_POLICIES, SingletonSource, census_join
from halluc.census.matcher import DEDUP_MODES
from halluc.census.progress import progress_bar
from halluc.census.sources import TableFormat
from halluc.census.spark_session import SparkConfig
from halluc.census.text_scan import TextOptions
from halluc.cli._options import FormatOpt, parse_targets, split_list
from halluc.errors import InputError
from halluc.log.jsonl import write_json_atomic
from halluc.render.tables import OutputFormat
from halluc.scoring.metrics import MetricSettings
from halluc.scoring.rules import ErrorPolicy

census_app = typer.Typer(
    name="census",
    help=(
        "Fact census: how often each fact appears in a training corpus (F_r, singleton rate, "
        "Good–Turing), and accuracy, errors and abstentions by that frequency."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

MasterOpt = Annotated[
    str, typer.Option(help="Spark master URL (backend spark): local[*], spark://host:7077, ...")
]
NoProgressOpt = Annotated[
    bool, typer.Option("--no-progress", help="No progress bar (it shows only on a terminal).")
]


def _split(text: str | None, flag: str) -> list[str] | None:
    return None if text is None else list(split_list(text, flag))


def _spark_config(master: str, driver_memory: str, no_progress: bool) -> SparkConfig:
    """Spark's own stage progress bar stands in for ours on a terminal."""
    show = sys.stderr.isatty() and not no_progress
    return SparkConfig(master=master, driver_memory=driver_memory, console_progress=show)


def _save(path: Path, value: object, fmt: OutputFormat) -> None:
    try:
        write_json_atomic(path, value)
    except OSError as exc:
        raise InputError(f"cannot save: {exc.strerror}", path=path) from None
    if fmt is not OutputFormat.JSON:
        typer.echo(f"Saved with its parameters to {path}", err=True)


@census_app.command("facts")
def facts_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Fact-mention tables: Parquet, JSONL or CSV/TSV (optionally .gz/.zst), folders "
            "or glob patterns. One row per mention (training example).",
            show_default=False,
        ),
    ],
    key: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated column(s) naming a fact. Default: 'key' if present, else "
            "subject,relation,object."
        ),
    ] = None,
    idk_column: Annotated[
        str | None,
        typer.Option(
            help="Boolean column marking IDK examples: counted in N, never in a fact's count "
            "(the paper's singleton rate)."
        ),
    ] = None,
    input_format: Annotated[
        TableFormat | None, typer.Option(help="Input format, when the file names do not tell.")
    ] = None,
    backend: Annotated[FactBackend, typer.Option(help="Counting engine.")] = FactBackend.DUCKDB,
    memory_limit: Annotated[
        str, typer.Option(help="DuckDB memory cap; larger inputs spill to --temp-dir.")
    ] = "2GB",
    threads: Annotated[int | None, typer.Option(help="DuckDB threads (default: all).")] = None,
    temp_dir: Annotated[
        Path | None, typer.Option(help="Where DuckDB spills (default: a fresh temp folder).")
    ] = None,
    partitions: Annotated[
        int,
        typer.Option(
            help="Split the count into this many passes by a hash of the fact key (each pass "
            "needs ~1/P of the memory; results are exact)."
        ),
    ] = 1,
    auto_partitions: Annotated[
        bool,
        typer.Option(
            "--auto-partitions/--no-auto-partitions",
            help="When DuckDB runs out of memory under the cap, retry with one thread, then "
            "with twice the partitions, until it fits.",
        ),
    ] = True,
    master: MasterOpt = "local[*]",
    driver_memory: Annotated[str, typer.Option(help="Spark driver memory.")] = "2g",
    counts_out: Annotated[
        Path | None, typer.Option(help="Also write the count of every fact here (Parquet).")
    ] = None,
    save: Annotated[
        Path, typer.Option(help="Where to save the result with its parameters (JSON).")
    ] = Path("census_facts.json"),
    no_save: Annotated[bool, typer.Option("--no-save", help="Do not save.")] = False,
    fmt: FormatOpt = OutputFormat.TABLE,
    no_progress: NoProgressOpt = False,
) -> None:
    """Count facts in mention tables: exact F_r, N, distinct facts, singleton rate, Good–Turing.

    Counts are global (a hash of the fact key decides where a fact is counted), never sums of
    per-file counts; DuckDB and Spark give identical numbers.
    """
    if fmt is OutputFormat.CSV:
        raise InputError("CSV output is not available here; use --counts-out", field="--format")
    with progress_bar("counting facts", enabled=False if no_progress else None) as report:
        result = count_facts(
            paths,
            key=_split(key, "--key"),
            idk_column=idk_column,
            fmt=input_format,
            backend=backend,
            duckdb=DuckDBConfig(memory_limit, threads, temp_dir, partitions, auto_partitions),
            spark=_spark_config(master, driver_memory, no_progress),
            counts_out=counts_out,
            progress=report,
        )
    if fmt is OutputFormat.JSON:
        import orjson

        typer.echo(orjson.dumps(result.to_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        typer.echo(result.render(fmt), nl=False)
    if not no_save:
        _save(save, result.to_dict(), fmt)


@census_app.command("text")
def text_command(
    corpus: Annotated[
        list[Path],
        typer.Argument(
            help="Documents: JSONL (optionally .gz/.zst) or Parquet with a text field; files, "
            "folders or glob patterns.",
            show_default=False,
        ),
    ],
    items: Annotated[
        list[Path],
        typer.Option(
            "--items", help="QA items (JSONL or CSV) with an id, a subject and answer aliases."
        ),
    ],
    text_field: Annotated[str, typer.Option(help="Field holding a document's text.")] = "text",
    id_field: Annotated[str, typer.Option(help="Item id field.")] = "id",
    subject_field: Annotated[
        str, typer.Option(help="Item subject field (a name or a list of names).")
    ] = "subject",
    answers_field: Annotated[
        str, typer.Option(help="Item answers field (a list of aliases, or one string).")
    ] = "answers",
    strip_disambiguation: Annotated[
        bool,
        typer.Option(help="Drop a trailing '(...)' from subject names (Wikipedia titles)."),
    ] = False,
    dedup: Annotated[
        str,
        typer.Option(
            help="Duplicate documents: 'none' counts each, 'exact' counts identical texts once, "
            "'normalized' counts texts identical after case/whitespace normalization once."
        ),
    ] = "none",
    word_boundaries: Annotated[
        bool,
        typer.Option(
            "--word-boundaries/--substrings",
            help="Match whole words only ('Paris' is not in 'Parisian'), or any substring.",
        ),
    ] = True,
    workers: Annotated[
        int, typer.Option(help="Worker processes (0: one per core; 1: no extra processes).")
    ] = 0,
    backend: Annotated[TextBackend, typer.Option(help="Where to scan.")] = TextBackend.LOCAL,
    master: MasterOpt = "local[*]",
    driver_memory: Annotated[str, typer.Option(help="Spark driver memory.")] = "2g",
    out: Annotated[
        Path, typer.Option(help="Per-item counts (Parquet): item_id, n_subject, n_answer, n_both.")
    ] = Path("census_text_counts.parquet"),
    fmt: FormatOpt = OutputFormat.TABLE,
    no_progress: NoProgressOpt = False,
) -> None:
    """Count, per QA item, the documents that mention its subject, its answer, and both.

    Case and whitespace are normalized; matching is Aho–Corasick in parallel worker processes
    (or Spark). The counts go to --out, the summary and parameters beside it (.json).
    """
    if dedup not in DEDUP_MODES:
        raise InputError(f"must be one of {', '.join(DEDUP_MODES)}", field="--dedup")
    if fmt is OutputFormat.CSV:
        raise InputError(
            "CSV output is not available here; the counts go to --out", field="--format"
        )
    opt = TextOptions(text_field, dedup, word_boundaries, workers)
    fields = ItemFields(id_field, subject_field, answers_field, strip_disambiguation)
    with progress_bar("scanning text", enabled=False if no_progress else None) as report:
        result = count_text(
            corpus,
            items,
            fields=fields,
            options=opt,
            backend=backend,
            spark=_spark_config(master, driver_memory, no_progress),
            progress=report,
        )
    try:
        result.write_counts(out)
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", path=out) from None
    if fmt is OutputFormat.JSON:
        import orjson

        typer.echo(orjson.dumps(result.to_dict(), option=orjson.OPT_INDENT_2).decode())
    else:
        typer.echo(result.render(fmt), nl=False)
        typer.echo(f"Counts written to {out}", err=True)
    _save(out.with_name(out.name + ".json"), result.to_dict(), fmt)


@census_app.command("join")
def join_command(
    run: Annotated[
        Path,
        typer.Argument(help="A run folder (or a records.jsonl).", show_default=False),
    ],
    counts: Annotated[
        Path,
        typer.Option(
            help="Per-item counts: the output of 'census text', or any table with an item id "
            "column and a count column (Parquet, CSV, JSONL)."
        ),
    ],
    count_column: Annotated[
        str | None,
        typer.Option(help="The count to bucket by (default: n_both, else count)."),
    ] = None,
    item_column: Annotated[str, typer.Option(help="Item id column of the counts.")] = "item_id",
    edges: Annotated[str, typer.Option(help="Lower edges of the count buckets.")] = ",".join(
        map(str, DEFAULT_EDGES)
    ),
    targets: Annotated[
        str, typer.Option(help="Comma-separated confidence targets t.")
    ] = "0,0.5,0.75,0.9",
    errors: Annotated[
        ErrorPolicy, typer.Option(help="How the 'error' outcome is scored.")
    ] = ErrorPolicy.EXCLUDE,
    missing: Annotated[
        str,
        typer.Option(help="Items with no count: 'zero' (a fact never seen), 'drop' or 'error'."),
    ] = "zero",
    facts: Annotated[
        Path | None,
        typer.Option(
            help="A saved 'census facts' result: its singleton rate and N feed the bound."
        ),
    ] = None,
    singleton_rate: Annotated[
        float | None, typer.Option(help="Training singleton rate sr (instead of --facts).")
    ] = None,
    n_examples: Annotated[
        int | None, typer.Option("--n", help="Training examples N, with --singleton-rate.")
    ] = None,
    min_wrong_answers: Annotated[
        int, typer.Option(help="min_c |E_c|: wrong answers per prompt (364 for birthdays).")
    ] = 364,
    delta: Annotated[float, typer.Option(help="Calibration error delta in Theorem 2.")] = 0.0,
    n_boot: Annotated[int, typer.Option(help="Bootstrap resamples for score intervals.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Attach counts to a run's records; accuracy, errors, abstentions and score by count bucket.

    Writes census.json and census_counts.parquet into the run folder, with the singleton-rate
    bound of Theorem 2 next to the observed error.
    """
    if missing not in MISSING_POLICIES:
        raise InputError(f"must be one of {', '.join(MISSING_POLICIES)}", field="--missing")
    if fmt is OutputFormat.CSV:
        raise InputError("CSV output is not available here", field="--format")
    source = None
    if facts is not None:
        source = SingletonSource.from_fact_census(facts, min_wrong_answers, delta)
    elif singleton_rate is not None or n_examples is not None:
        if singleton_rate is None or n_examples is None:
            raise InputError("give both --singleton-rate and --n", field="--singleton-rate")
        source = SingletonSource(singleton_rate, n_examples, "given", min_wrong_answers, delta)
    settings = MetricSettings(error_policy=errors, n_boot=n_boot, seed=seed)
    result = census_join(
        run,
        counts,
        count_column=count_column,
        item_column=item_column,
        edges=parse_edges(edges),
        targets=parse_targets(targets),
        settings=settings,
        missing=missing,
        singleton=source,
    )
    folder = run if run.is_dir() else run.parent
    js, pq = result.save(folder)
    typer.echo(result.render(fmt), nl=False)
    if fmt is not OutputFormat.JSON:
        typer.echo(f"Saved {js} and {pq}", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(census_app, name="census")

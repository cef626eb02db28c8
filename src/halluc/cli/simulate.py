"""``halluc simulate``: reproduce the paper's claims on language models trained here.

``world`` draws a synthetic arbitrary-facts world, ``train`` pre-trains a small GPT-2 on its text,
``measure`` scores the model exactly against the world, ``sweep`` does all three for worlds of
increasing singleton rate, and ``incentives`` post-trains a model under binary grading and under
confidence targets. Every command writes JSON (and plots) to the folder it is given; the work is
done by :mod:`halluc.experiments.api`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from halluc.cli._options import FormatOpt, parse_floats, parse_ints
from halluc.render.tables import OutputFormat

if TYPE_CHECKING:
    from halluc.experiments.model import ModelSpec

sim_app = typer.Typer(
    name="simulate",
    help="Train small language models on a synthetic birthday world and reproduce the paper's "
    "claims: error tracks the singleton rate (Theorem 2); binary grading teaches guessing.",
    no_args_is_help=True,
)

ScaleOpt = Annotated[
    bool,
    typer.Option(
        "--scale",
        help="GPU-sized defaults (N = 400,000 examples per world, a 256x4x4 model). Without a "
        "GPU this runs on the CPU and takes hours.",
    ),
]
ThreadsOpt = Annotated[
    int | None, typer.Option(help="CPU threads for torch (default: 2, or fewer cores).")
]
Bf16Opt = Annotated[
    bool | None,
    typer.Option(
        "--bf16/--no-bf16",
        help="bfloat16 autocast in training (default: on where the hardware has bf16 units).",
    ),
]
ModelOpt = Annotated[str | None, typer.Option(help="Model size EMBDxLAYERSxHEADS, e.g. 64x2x2.")]
EpochsOpt = Annotated[int | None, typer.Option(help="Passes over the corpus.")]
BatchSizeOpt = Annotated[int | None, typer.Option(help="Sentences per step.")]
LrOpt = Annotated[float | None, typer.Option(help="Peak learning rate (AdamW).")]
SeedsOpt = Annotated[str, typer.Option(help="Seeds (world and model), comma-separated.")]


def _echo(message: str) -> None:
    typer.echo(message, err=True)


def _spec(text: str | None, field: str) -> ModelSpec | None:
    from halluc.experiments.model import ModelSpec

    return None if text is None else ModelSpec.parse(text, field)


@sim_app.command("world")
def world_command(
    out: Annotated[Path, typer.Argument(help="Folder to write the world into.")],
    sr: Annotated[
        float | None, typer.Option(help="Target singleton rate (sets the population size).")
    ] = None,
    people: Annotated[int | None, typer.Option(help="Population size (instead of --sr).")] = None,
    examples: Annotated[
        int | None, typer.Option(help="N, training examples (IDK ones included).")
    ] = None,
    zipf: Annotated[float | None, typer.Option(help="Zipf exponent of popularity.")] = None,
    unknown_fraction: Annotated[
        float | None, typer.Option(help="Share of people whose birthday is undocumented.")
    ] = None,
    templates: Annotated[int | None, typer.Option(help="Sentence templates used (1-4).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the world.")] = 0,
    scale: ScaleOpt = False,
) -> None:
    """Draw a synthetic birthday world: people, popularity, facts and the training corpus.

    Writes world.json (settings and exact counts), people.parquet (every person's birthday,
    popularity and mention counts), examples.parquet and corpus.txt (one example a line).
    """
    from halluc.experiments.api import create_world
    from halluc.experiments.presets import preset

    config = preset(scale).world_config(
        target_sr=sr,
        n_people=people,
        n_examples=examples,
        zipf_exponent=zipf,
        unknown_fraction=unknown_fraction,
        n_templates=templates,
        seed=seed,
    )
    stats = create_world(out, config)
    typer.echo(stats.render(str(out)), nl=False)


@sim_app.command("train")
def train_command(
    world_dir: Annotated[Path, typer.Argument(help="A world folder (from `simulate world`).")],
    out: Annotated[Path, typer.Argument(help="Folder for the Hugging Face checkpoint.")],
    model: ModelOpt = None,
    epochs: EpochsOpt = None,
    batch_size: BatchSizeOpt = None,
    lr: LrOpt = None,
    seed: Annotated[int, typer.Option(help="Seed of initialisation and order.")] = 0,
    threads: ThreadsOpt = None,
    bf16: Bf16Opt = None,
    scale: ScaleOpt = False,
) -> None:
    """Pre-train a GPT-2 style model on a world's text (cross-entropy on every token).

    Saves an ordinary Hugging Face checkpoint (model, tokenizer, README) that
    AutoModelForCausalLM/AutoTokenizer load offline, plus train.json and loss.png.
    """
    from halluc.experiments.api import train_model
    from halluc.experiments.presets import preset

    p = preset(scale)
    config = p.train_config(epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)
    spec = _spec(model, "model") or p.model
    record = train_model(world_dir, out, spec, config, threads=threads, bf16=bf16, log=_echo)
    typer.echo(record.render(str(out)))


@sim_app.command("measure")
def measure_command(
    world_dir: Annotated[Path, typer.Argument(help="The world the model was trained on.")],
    model_dir: Annotated[Path, typer.Argument(help="A checkpoint folder (from `simulate train`).")],
    out: Annotated[
        Path | None, typer.Option(help="Run folder for the results (default: MODEL/measurement).")
    ] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
    threads: ThreadsOpt = None,
) -> None:
    """Score the model exactly on every person: the full distribution over the 365 dates and IDK.

    Reports err, accuracy, IDK mass, δ and err_iiv (Theorem 1), Theorem 2's bounds, and all of it
    by how often the fact was stated. Writes measurement.json, table.md, buckets.png and a
    records.jsonl of greedy answers that `halluc score` can score at any t.
    """
    from halluc.experiments.api import measure_model

    result = measure_model(world_dir, model_dir, out=out, threads=threads)
    typer.echo(result.render(fmt), nl=False)
    _echo(f"Saved to {result.folder}")


@sim_app.command("sweep")
def sweep_command(
    out: Annotated[Path, typer.Argument(help="Run folder (resumed if it exists).")],
    srs: Annotated[
        str | None, typer.Option(help="Target singleton rates, comma-separated.")
    ] = None,
    seeds: SeedsOpt = "0",
    examples: Annotated[int | None, typer.Option(help="N per world.")] = None,
    model: ModelOpt = None,
    poor_model: Annotated[
        str | None, typer.Option(help="The too-small model's size, or 'none' to skip it.")
    ] = None,
    poor_sr: Annotated[
        float | None, typer.Option(help="Which world the poor model is trained on.")
    ] = None,
    epochs: EpochsOpt = None,
    batch_size: BatchSizeOpt = None,
    lr: LrOpt = None,
    threads: ThreadsOpt = None,
    bf16: Bf16Opt = None,
    scale: ScaleOpt = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Worlds with singleton rates from 5% to 60%, one model each: err against sr.

    Prints and saves (table.md, summary.json, err_vs_sr.png, buckets.png, loss.png) each
    model's exact error beside the world's singleton rate and Theorem 2's bounds, by how often
    facts were stated, and the same world with a model too small to memorise.
    """
    from halluc.experiments.api import sweep
    from halluc.experiments.presets import preset

    p = preset(scale)
    no_poor = poor_model is not None and poor_model.lower() == "none"
    result = sweep(
        out,
        p,
        srs=None if srs is None else parse_floats(srs, "--srs", lo=1e-9, hi=1.0),
        seeds=parse_ints(seeds, "--seeds"),
        world=p.world_config(n_examples=examples),
        model=_spec(model, "model"),
        poor_model=None if no_poor else _spec(poor_model, "poor_model"),
        with_poor_model=not no_poor,
        poor_sr=poor_sr,
        train=p.train_config(epochs=epochs, batch_size=batch_size, lr=lr),
        threads=threads,
        bf16=bf16,
        log=_echo,
    )
    typer.echo(result.render(fmt), nl=False)
    _echo(f"Saved to {out} ({result.seconds:.0f} s)")


@sim_app.command("incentives")
def incentives_command(
    out: Annotated[Path, typer.Argument(help="Run folder (resumed if it exists).")],
    targets: Annotated[
        str, typer.Option(help="Graders: confidence targets t; 0 is binary grading.")
    ] = "0,0.5,0.75",
    seeds: Annotated[str, typer.Option(help="Post-training seeds (at least two).")] = "0,1,2",
    world_dir: Annotated[
        Path | None, typer.Option("--world", help="Use this world (with --model).")
    ] = None,
    model_dir: Annotated[
        Path | None, typer.Option("--model", help="Start from this checkpoint.")
    ] = None,
    sr: Annotated[float | None, typer.Option(help="Singleton rate of the world drawn.")] = None,
    steps: Annotated[int | None, typer.Option(help="Policy-gradient steps.")] = None,
    batch: Annotated[int | None, typer.Option(help="Prompts per step.")] = None,
    samples: Annotated[int | None, typer.Option(help="Answers sampled per prompt.")] = None,
    lr: Annotated[float | None, typer.Option(help="Post-training learning rate.")] = None,
    kl: Annotated[float, typer.Option(help="KL penalty to the pre-trained model.")] = 0.0,
    prompt_mix: Annotated[
        str | None,
        typer.Option(
            help="Post-training questions: 'mu' (by popularity) or 'balanced' (unseen, once, "
            "2-5 and 6+ times equally often)."
        ),
    ] = None,
    threads: ThreadsOpt = None,
    bf16: Bf16Opt = None,
    scale: ScaleOpt = False,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Post-train a model with binary grading and with confidence targets; compare abstention.

    Policy gradient on "<name> was born on" with rewards from each grader, several seeds each;
    then on held-out people: IDK rate, error rate, accuracy and penalized scores for facts
    stated once versus many times, with 95% intervals over seeds.
    """
    from halluc.experiments.api import incentives
    from halluc.experiments.presets import preset

    p = preset(scale)
    rl = p.rl_config(steps=steps, batch=batch, samples=samples, lr=lr, kl=kl, prompt_mix=prompt_mix)
    result = incentives(
        out,
        p,
        targets=parse_floats(targets, "--targets", lo=0.0, hi=1.0),
        seeds=parse_ints(seeds, "--seeds"),
        base_world=world_dir,
        base_model=model_dir,
        world=p.world_config(target_sr=sr),
        rl=rl,
        threads=threads,
        bf16=bf16,
        log=_echo,
    )
    typer.echo(result.render(fmt), nl=False)
    _echo(f"Saved to {out} ({result.seconds:.0f} s)")


def register(app: typer.Typer) -> None:
    app.add_typer(sim_app, name="simulate")

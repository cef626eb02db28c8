"""``halluc simulate``: reproduce the paper's claims on language models trained here.

``world`` draws a synthetic arbitrary-facts world, ``train`` pre-trains a small GPT-2 on its text,
``measure`` scores the model exactly against the world, ``sweep`` does all three for worlds of
increasing singleton rate, and ``incentives`` post-trains a model under binary grading and under
confidence targets. Every command writes JSON (and plots) to the folder it is given.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from halluc.cli._options import parse_floats, parse_ints
from halluc.errors import InputError
from halluc.render.tables import OutputFormat

if TYPE_CHECKING:
    from halluc.experiments.model import ModelSpec
    from halluc.experiments.train import TrainConfig
    from halluc.experiments.world import WorldConfig

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
FormatOpt = Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")]


def _echo(message: str) -> None:
    typer.echo(message, err=True)


def _spec(text: str, field: str) -> ModelSpec:
    from halluc.experiments.model import ModelSpec

    try:
        return ModelSpec.parse(text)
    except ValueError as exc:
        raise InputError(str(exc), field=field) from None


def _setup(threads: int | None, bf16: bool | None) -> tuple[str, bool]:
    from halluc.experiments.model import configure_torch

    if threads is not None and threads < 1:
        raise InputError("must be at least 1", field="--threads")
    device = configure_torch(threads)
    if bf16 is None:
        import torch

        if device == "cuda":
            bf16 = bool(torch.cuda.is_bf16_supported())
        else:
            bf16 = bool(torch.cpu._is_avx512_bf16_supported())
    return device, bf16


def _train_config(
    scale: bool,
    epochs: int | None,
    batch_size: int | None,
    lr: float | None,
    bf16: bool,
    seed: int = 0,
) -> TrainConfig:
    from halluc.experiments.presets import preset

    base = preset(scale).train
    try:
        return replace(
            base,
            epochs=base.epochs if epochs is None else epochs,
            batch_size=base.batch_size if batch_size is None else batch_size,
            lr=base.lr if lr is None else lr,
            bf16=bf16,
            seed=seed,
        )
    except ValueError as exc:
        raise InputError(str(exc), field="training settings") from None


def _world_config(
    scale: bool,
    sr: float | None,
    people: int | None,
    examples: int | None,
    zipf: float | None,
    unknown_fraction: float | None,
    templates: int | None,
    seed: int,
) -> WorldConfig:
    from halluc.experiments.presets import preset

    base = preset(scale).world
    try:
        return replace(
            base,
            target_sr=None if people is not None else (base.target_sr if sr is None else sr),
            n_people=people,
            n_examples=base.n_examples if examples is None else examples,
            zipf_exponent=base.zipf_exponent if zipf is None else zipf,
            unknown_fraction=base.unknown_fraction
            if unknown_fraction is None
            else unknown_fraction,
            n_templates=base.n_templates if templates is None else templates,
            seed=seed,
        )
    except ValueError as exc:
        raise InputError(str(exc), field="world settings") from None


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
    from halluc.experiments.world import WORLD_JSON, build_world

    if (out / WORLD_JSON).exists():
        raise InputError("already holds a world; choose another folder", path=out)
    wcfg = _world_config(scale, sr, people, examples, zipf, unknown_fraction, templates, seed)
    world = build_world(wcfg)
    world.save(out)
    st = world.stats()
    rows = [[k, f"{v:.4f}" if isinstance(v, float) else str(v)] for k, v in st.items()]
    from halluc.render.tables import render_text_table

    typer.echo(
        render_text_table(["quantity", "value"], rows, OutputFormat.TABLE, title=str(out)),
        nl=False,
    )


@sim_app.command("train")
def train_command(
    world_dir: Annotated[Path, typer.Argument(help="A world folder (from `simulate world`).")],
    out: Annotated[Path, typer.Argument(help="Folder for the Hugging Face checkpoint.")],
    model: Annotated[
        str | None, typer.Option(help="Model size EMBDxLAYERSxHEADS, e.g. 64x2x2.")
    ] = None,
    epochs: Annotated[int | None, typer.Option(help="Passes over the corpus.")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Sentences per step.")] = None,
    lr: Annotated[float | None, typer.Option(help="Peak learning rate (AdamW).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of initialisation and order.")] = 0,
    threads: ThreadsOpt = None,
    bf16: Bf16Opt = None,
    scale: ScaleOpt = False,
) -> None:
    """Pre-train a GPT-2 style model on a world's text (cross-entropy on every token).

    Saves an ordinary Hugging Face checkpoint (model, tokenizer, README) that
    AutoModelForCausalLM/AutoTokenizer load offline, plus train.json and loss.png.
    """
    from halluc.experiments.pipeline import train_in
    from halluc.experiments.plots import plot_losses
    from halluc.experiments.presets import preset
    from halluc.experiments.world import World

    if (out / "train.json").exists():
        raise InputError("already holds a trained model; choose another folder", path=out)
    world = World.load(world_dir)
    device, use_bf16 = _setup(threads, bf16)
    spec = preset(scale).model if model is None else _spec(model, "--model")
    tcfg = _train_config(scale, epochs, batch_size, lr, use_bf16, seed)
    trained = train_in(out, world, spec, tcfg, device=device, log=_echo)
    plot_losses([(spec.label, trained.info["step_loss"])], out / "loss.png", "Training loss")
    res = trained.info["result"]
    typer.echo(
        f"{out}: {spec.label}, {trained.info['parameters']} parameters, loss "
        f"{res['first_loss']:.3f} -> {res['final_loss']:.3f} "
        f"({'converged' if res['converged'] else 'still improving'}), "
        f"{res['tokens_per_second']:,.0f} tokens/s on {res['device']}"
    )


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
    import orjson

    from halluc.experiments.measure import (
        bucket_label,
        greedy_outcomes,
        measure_people,
        summarize,
    )
    from halluc.experiments.model import load_checkpoint
    from halluc.experiments.report import measurement_table, write_measurement_outputs
    from halluc.experiments.world import World
    from halluc.log.jsonl import write_json_atomic
    from halluc.log.outcomes import Mode
    from halluc.log.records import Record
    from halluc.log.runs import RunFolder

    world = World.load(world_dir)
    device, _ = _setup(threads, False)
    model, tok = load_checkpoint(model_dir, device)
    dest = out or (model_dir / "measurement")
    name = model_dir.name
    run = RunFolder.create(
        dest,
        {"kind": "simulate-measure", "world": str(world_dir), "model": str(model_dir)},
        resume_keys=("kind", "world", "model"),
    )
    scores = measure_people(model, tok, world, device=device)
    m = summarize(world, scores)
    write_json_atomic(run.path / "measurement.json", m)
    write_measurement_outputs(run.path, name, m)
    if not run.records_path.stat().st_size:
        outcomes = greedy_outcomes(world, scores)
        from halluc.experiments.dates import DATES
        from halluc.experiments.measure import IDK_COLUMN, OTHER_COLUMN
        from halluc.experiments.text import IDK_PHRASE

        def response(col: int) -> str:
            if col == IDK_COLUMN:
                return IDK_PHRASE
            return "(other)" if col == OTHER_COLUMN else DATES[col]

        run.append(
            Record(
                item_id=world.name(i),
                model=name,
                outcome=outcomes[i],
                mode=Mode.GREEDY,
                response=response(int(scores.greedy[i])),
                confidence=float(scores.greedy_prob[i]),
                confidence_method="exact probability of the greedy answer",
                grader="exact-date-match",
                metadata={
                    "answered_mentions": int(world.answered[i]),
                    "bucket": bucket_label(int(world.answered[i]), int(world.idk_mentions[i])),
                    "p_correct": float(scores.correct[i]),
                    "p_idk": float(scores.idk[i]),
                },
            )
            for i in range(world.n_people)
        )
    run.write_summary(m)
    if fmt is OutputFormat.JSON:
        typer.echo(orjson.dumps(m, option=orjson.OPT_INDENT_2).decode())
    else:
        typer.echo(measurement_table(name, m, fmt), nl=False)
    _echo(f"Saved to {run.path}")


@sim_app.command("sweep")
def sweep_command(
    out: Annotated[Path, typer.Argument(help="Run folder (resumed if it exists).")],
    srs: Annotated[
        str | None, typer.Option(help="Target singleton rates, comma-separated.")
    ] = None,
    seeds: Annotated[str, typer.Option(help="Seeds (world and model), comma-separated.")] = "0",
    examples: Annotated[int | None, typer.Option(help="N per world.")] = None,
    model: Annotated[str | None, typer.Option(help="Main model size EMBDxLAYERSxHEADS.")] = None,
    poor_model: Annotated[
        str | None, typer.Option(help="The too-small model's size, or 'none' to skip it.")
    ] = None,
    poor_sr: Annotated[
        float | None, typer.Option(help="Which world the poor model is trained on.")
    ] = None,
    epochs: Annotated[int | None, typer.Option(help="Passes over each corpus.")] = None,
    batch_size: Annotated[int | None, typer.Option(help="Sentences per step.")] = None,
    lr: Annotated[float | None, typer.Option(help="Peak learning rate.")] = None,
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
    from halluc.experiments.presets import preset
    from halluc.experiments.report import sweep_table
    from halluc.experiments.sweep import SweepConfig, run_sweep

    p = preset(scale)
    wcfg = _world_config(scale, None, None, examples, None, None, None, 0)
    main_spec = p.model if model is None else _spec(model, "--model")
    poor = (
        None
        if poor_model is not None and poor_model.lower() == "none"
        else (p.poor_model if poor_model is None else _spec(poor_model, "--poor-model"))
    )
    sr_list = p.srs if srs is None else parse_floats(srs, "--srs", lo=1e-9, hi=1.0)
    seed_list = parse_ints(seeds, "--seeds")
    device, use_bf16 = _setup(threads, bf16)
    try:
        cfg = SweepConfig(
            world=wcfg,
            model=main_spec,
            poor_model=poor,
            train=_train_config(scale, epochs, batch_size, lr, use_bf16),
            srs=sr_list,
            poor_sr=(p.poor_sr if p.poor_sr in sr_list else sr_list[len(sr_list) // 2])
            if poor_sr is None
            else poor_sr,
            seeds=seed_list,
            preset=p.name,
            device=device,
            threads=threads,
        )
    except ValueError as exc:
        raise InputError(str(exc), field="sweep settings") from None
    result = run_sweep(out, cfg, log=_echo)
    if fmt is OutputFormat.JSON:
        import orjson

        typer.echo(orjson.dumps(result.rows, option=orjson.OPT_INDENT_2).decode())
    else:
        typer.echo(sweep_table(result.rows, fmt, "err against sr (Theorem 2)"), nl=False)
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
    from halluc.experiments.incentives import IncentivesConfig, RLConfig, run_incentives
    from halluc.experiments.incentives_report import render
    from halluc.experiments.presets import preset

    if (world_dir is None) != (model_dir is None):
        raise InputError("give both --world and --model, or neither", field="--model")
    p = preset(scale)
    target_list = parse_floats(targets, "--targets", lo=0.0, hi=1.0)
    seed_list = parse_ints(seeds, "--seeds")
    if len(seed_list) < 2:
        raise InputError("need at least two seeds for intervals over seeds", field="--seeds")
    device, use_bf16 = _setup(threads, bf16)
    try:
        rl = RLConfig(
            steps=p.rl_steps if steps is None else steps,
            batch=p.rl_batch if batch is None else batch,
            samples=p.rl_samples if samples is None else samples,
            lr=p.rl_lr if lr is None else lr,
            kl=kl,
            prompt_mix=p.rl_prompt_mix if prompt_mix is None else prompt_mix,
        )
        cfg = IncentivesConfig(
            world=_world_config(scale, sr, None, None, None, None, None, 0),
            model=p.model,
            train=_train_config(scale, None, None, None, use_bf16),
            rl=rl,
            targets=target_list,
            seeds=seed_list,
            preset=p.name,
            device=device,
            threads=threads,
            base_world=None if world_dir is None else str(world_dir),
            base_model=None if model_dir is None else str(model_dir),
        )
    except ValueError as exc:
        raise InputError(str(exc), field="incentive settings") from None
    summary = run_incentives(out, cfg, log=_echo)
    if fmt is OutputFormat.JSON:
        import orjson

        typer.echo(orjson.dumps(summary, option=orjson.OPT_INDENT_2).decode())
    else:
        typer.echo(render(summary, fmt), nl=False)
    _echo(f"Saved to {out} ({summary['seconds']:.0f} s)")


def register(app: typer.Typer) -> None:
    app.add_typer(sim_app, name="simulate")

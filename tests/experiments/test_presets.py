"""A preset with some settings changed: the rest stays the preset's."""

from __future__ import annotations

import pytest

from halluc.errors import InputError
from halluc.experiments.presets import CPU, SCALE, preset


def test_unchanged_settings_are_the_presets() -> None:
    assert preset(False) is CPU and preset(True) is SCALE
    assert CPU.world_config() == CPU.world
    assert CPU.train_config() == CPU.train
    rl = SCALE.rl_config()
    assert (rl.steps, rl.batch, rl.samples, rl.lr, rl.prompt_mix) == (
        SCALE.rl_steps,
        SCALE.rl_batch,
        SCALE.rl_samples,
        SCALE.rl_lr,
        SCALE.rl_prompt_mix,
    )


def test_a_population_replaces_the_singleton_rate() -> None:
    w = CPU.world_config(n_people=500, target_sr=0.4, n_examples=999, seed=3)
    assert (w.n_people, w.target_sr, w.n_examples, w.seed) == (500, None, 999, 3)
    assert CPU.world_config(target_sr=0.4).target_sr == 0.4
    t = CPU.train_config(epochs=2, seed=5)
    assert (t.epochs, t.batch_size, t.lr, t.seed) == (2, CPU.train.batch_size, CPU.train.lr, 5)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: CPU.world_config(target_sr=1.5), "target_sr"),
        (lambda: CPU.world_config(n_templates=0), "n_templates"),
        (lambda: CPU.train_config(batch_size=0), "batch_size"),
        (lambda: CPU.rl_config(samples=1), "samples"),
        (lambda: CPU.rl_config(kl=-1.0), "kl"),
    ],
)
def test_bad_changes_name_the_setting(call: object, field: str) -> None:
    with pytest.raises(InputError) as info:
        call()  # type: ignore[operator]
    assert info.value.field == field

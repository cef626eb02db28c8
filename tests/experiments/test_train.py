from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from halluc.experiments.measure import measure_people, summarize
from halluc.experiments.pipeline import TrainedModel
from halluc.experiments.text import build_tokenizer, measure_prompt
from halluc.experiments.train import TrainConfig, encode_lines, lr_at
from halluc.experiments.world import World


def test_training_reduces_the_loss(trained: tuple[Path, TrainedModel]) -> None:
    _, tm = trained
    assert tm.record is not None
    res, losses = tm.record.result, tm.record.step_loss
    assert res.epoch_loss == sorted(res.epoch_loss, reverse=True)
    assert res.final_loss is not None and res.first_loss is not None
    assert res.final_loss < 0.6 * res.first_loss
    assert np.mean(losses[-5:]) < np.mean(losses[:5])
    assert res.tokens > 0 and res.tokens_per_second > 0


def test_checkpoint_loads_offline_with_auto_classes(
    trained: tuple[Path, TrainedModel], small_world: World
) -> None:
    folder, tm = trained
    model = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True)
    tok = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    text = measure_prompt(small_world.name(0))
    ids = tok(text, return_tensors="pt")["input_ids"]
    assert tok.decode(ids[0], skip_special_tokens=True) == text
    with torch.no_grad():
        a = model(input_ids=ids).logits
        b = tm.model(input_ids=ids).logits
    assert torch.allclose(a, b, atol=1e-5)
    # greedy generation gives a continuation made of the world's words
    out = model.generate(ids, max_new_tokens=3, do_sample=False, pad_token_id=tok.pad_token_id)
    assert out.shape[1] == ids.shape[1] + 3
    assert (folder / "README.md").read_text().startswith("# halluc synthetic-birthday model")


def test_measurement_of_a_trained_model_is_a_distribution(
    trained: tuple[Path, TrainedModel], small_world: World
) -> None:
    _, tm = trained
    s = measure_people(tm.model, tm.tokenizer, small_world, batch_size=64)
    total = s.correct + s.wrong + s.idk + s.other
    assert np.allclose(total, 1.0, atol=1e-6)
    out = summarize(small_world, s)
    assert 0.0 <= out.err <= 1.0 and out.theorem1_holds
    # chunked scoring of a subset equals the same rows of the full scoring
    some = np.array([5, 1, 17])
    part = measure_people(tm.model, tm.tokenizer, small_world, people=some, batch_size=2)
    assert np.allclose(part.correct, s.correct[some], atol=1e-6)


def test_encode_lines_refuses_unknown_words(small_world: World) -> None:
    tok = build_tokenizer(small_world.first_names, small_world.last_names)
    ids, lengths = encode_lines(tok, small_world.corpus_lines()[:3])
    assert ids.shape[0] == 3 and int(lengths.min()) >= 7
    with pytest.raises(ValueError, match="outside the vocabulary"):
        encode_lines(tok, ["Nobody Known was born on 01-01 ."])


def test_learning_rate_warms_up_then_decays() -> None:
    cfg = TrainConfig(lr=1.0, warmup_frac=0.1, final_lr_frac=0.1)
    total = 100
    lrs = [lr_at(s, total, cfg) for s in range(total)]
    assert lrs[0] == pytest.approx(0.1) and max(lrs) == pytest.approx(1.0)
    assert lrs[10:] == sorted(lrs[10:], reverse=True)
    assert lrs[-1] == pytest.approx(0.1, abs=0.01)

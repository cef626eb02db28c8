"""The confidence-target reward: its values, and a short real GRPO training loop on CPU."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from halluc.grading.match import grade_answer
from halluc.integrations.trl_reward import completion_text, confidence_reward
from halluc.log.outcomes import Outcome
from halluc.scoring.rules import confidence_target


def test_reward_values_plain_and_conversational() -> None:
    reward = confidence_reward(0.75)
    assert reward.__name__ == "halluc_confidence_t0.75"
    completions = ["Paris.", "I don't know.", "London", ""]
    answers = [["Paris"], "Paris", ["Paris", "paris city"], ["Paris"]]
    assert reward(completions, answers=answers) == [1.0, 0.0, -3.0, None]
    chat = [[{"role": "assistant", "content": c}] for c in completions]
    assert reward(chat, answers=answers) == [1.0, 0.0, -3.0, None]
    assert confidence_reward(0.5)(["London"], answers=["Paris"]) == [-1.0]
    assert confidence_reward(0.0)(["London"], answers=["Paris"]) == [0.0]  # binary grading
    logged: dict[str, float] = {}
    reward(completions, answers=answers, log_metric=logged.__setitem__)
    assert logged == {
        "halluc/correct_rate": 0.25,
        "halluc/abstained_rate": 0.25,
        "halluc/incorrect_rate": 0.25,
    }


def test_reward_needs_the_answers_column() -> None:
    with pytest.raises(KeyError, match="'answers'"):
        confidence_reward(0.5)(["Paris"], question=["q"])
    with pytest.raises(ValueError, match="2 completions but 1"):
        confidence_reward(0.5)(["a", "b"], answers=[["a"]])
    assert confidence_reward(0.5, answers_key="gold")(["Paris"], gold=[["Paris"]]) == [1.0]
    assert completion_text([{"role": "user", "content": "q"}]) is None
    assert (
        completion_text([{"role": "assistant", "content": [{"type": "text", "text": "Hi"}]}])
        == "Hi"
    )


@pytest.mark.slow
def test_grpo_training_loop_uses_the_reward(tmp_path: Path) -> None:
    import torch
    from datasets import Dataset
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast
    from trl import GRPOConfig, GRPOTrainer

    # A tiny word-level model made here from a config: nothing comes from a hub.
    words = [
        "<pad>",
        "<eos>",
        "<unk>",
        "I",
        "don't",
        "know",
        "Paris",
        "London",
        "Rome",
        "capital",
        "of",
        "France",
        "is",
        "the",
        "What",
        "?",
        ".",
    ]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>", unk_token="<unk>"
    )
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(words),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=64,
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=1,
    )
    model = LlamaForCausalLM(config)
    before = [p.detach().clone() for p in model.parameters()]
    data = Dataset.from_list(
        [{"prompt": "What is the capital of France ?", "answers": ["Paris"]}] * 8
    )

    t = 0.75
    reward = confidence_reward(t)
    calls: list[tuple[list[Any], list[float | None]]] = []

    def recorded(completions: list[Any], **kwargs: Any) -> list[float | None]:
        values = reward(completions, **kwargs)
        calls.append((list(completions), values))
        return values

    recorded.__name__ = reward.__name__
    args = GRPOConfig(
        output_dir=str(tmp_path / "grpo"),
        per_device_train_batch_size=4,
        num_generations=4,
        max_completion_length=4,
        max_steps=2,
        learning_rate=1e-2,
        logging_steps=1,
        report_to=[],
        use_cpu=True,
        bf16=False,
        save_strategy="no",
        seed=0,
    )
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[recorded],
        args=args,
        train_dataset=data,
        processing_class=tokenizer,
    )
    trainer.train()

    assert len(calls) == 2  # one batch of 4 completions per step
    rule = confidence_target(t)
    for completions, values in calls:
        assert len(values) == 4
        for completion, value in zip(completions, values, strict=True):
            outcome = grade_answer(completion, ["Paris"]) if completion else None
            expected = None if outcome in (None, Outcome.ERROR) else rule.points(outcome)
            assert value == expected
            assert value in (1.0, 0.0, -3.0, None)
    logs = [h for h in trainer.state.log_history if "reward" in h]
    assert len(logs) == 2
    for (_, values), log in zip(calls, logs, strict=True):
        scored = [v for v in values if v is not None]
        assert log[f"rewards/{reward.__name__}/mean"] == pytest.approx(sum(scored) / len(scored))
        assert math.isfinite(log["loss"])
    after = list(model.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before, after, strict=True))

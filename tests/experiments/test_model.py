"""Model sizes from text, and the torch set-up (threads, device, bfloat16)."""

from __future__ import annotations

import pytest
import torch

from halluc.errors import InputError
from halluc.experiments.model import ModelSpec, bf16_supported, prepare_torch


def test_sizes_parse_from_text() -> None:
    assert ModelSpec.parse("64x2x2") == ModelSpec(n_embd=64, n_layer=2, n_head=2)
    assert ModelSpec.parse("16X1X1").label == "16x1x1"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("64x2", "must look like EMBDxLAYERSxHEADS"),
        ("axbxc", "must look like EMBDxLAYERSxHEADS"),
        ("64x2x3", "n_embd must be a multiple of n_head (3)"),
        ("8x0x1", "n_layer must be >= 1"),
    ],
)
def test_bad_sizes_name_the_field_they_came_from(text: str, needle: str) -> None:
    with pytest.raises(InputError) as info:
        ModelSpec.parse(text, "poor_model")
    assert info.value.field == "poor_model" and needle in info.value.message


def test_bf16_follows_the_request_or_the_hardware() -> None:
    threads = torch.get_num_threads()
    try:
        setup = prepare_torch(1, bf16=None)
        assert torch.get_num_threads() == 1
        assert setup.bf16 == bf16_supported(setup.device)
        assert prepare_torch(1, bf16=True).bf16 is True
        assert prepare_torch(1, bf16=False).bf16 is False
        with pytest.raises(InputError) as info:
            prepare_torch(0)
        assert info.value.field == "threads"
    finally:
        torch.set_num_threads(threads)

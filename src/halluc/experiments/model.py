"""Small GPT-2 style causal language models, saved as ordinary Hugging Face checkpoints.

The architecture is transformers' ``GPT2LMHeadModel``, so a checkpoint written here loads with
``AutoModelForCausalLM.from_pretrained`` (halluc's ``hf`` backend, or any other tool) together
with the word-level tokenizer saved beside it.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from halluc.errors import InputError

if TYPE_CHECKING:
    import torch

LanguageModel = Any
"""A transformers causal LM (``GPT2LMHeadModel`` here). transformers is only partly typed, so
these modules pass models and tokenizers around as ``Any`` under descriptive names."""
Tokenizer = Any
"""A transformers fast tokenizer (``PreTrainedTokenizerFast``)."""


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """The size of a GPT-2 style model."""

    n_embd: int = 64
    n_layer: int = 2
    n_head: int = 2
    n_positions: int = 32

    def __post_init__(self) -> None:
        for name in ("n_embd", "n_layer", "n_head", "n_positions"):
            if getattr(self, name) < 1:
                raise InputError(f"must be >= 1, got {getattr(self, name)}", field=name)
        if self.n_embd % self.n_head:
            raise InputError(
                f"must be a multiple of n_head ({self.n_head}), got {self.n_embd}", field="n_embd"
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def parse(cls, text: str, field: str = "model") -> ModelSpec:
        """'64x2x2' -> n_embd=64, n_layer=2, n_head=2; errors name ``field``."""
        parts = text.lower().split("x")
        try:
            if len(parts) != 3:
                raise ValueError
            d, layers, heads = (int(p) for p in parts)
        except ValueError:
            raise InputError(
                f"model size must look like EMBDxLAYERSxHEADS (e.g. 64x2x2), got {text!r}",
                field=field,
            ) from None
        try:
            return cls(n_embd=d, n_layer=layers, n_head=heads)
        except InputError as exc:
            raise InputError(f"{exc.field} {exc.message} in {text!r}", field=field) from None

    @property
    def label(self) -> str:
        return f"{self.n_embd}x{self.n_layer}x{self.n_head}"


def quiet_transformers() -> None:
    """No progress bars or advisory warnings from transformers on our stderr."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # type: ignore[no-untyped-call]
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


def configure_torch(threads: int | None) -> str:
    """Set the CPU thread count and return the device to use: ``cuda`` when present."""
    import torch

    quiet_transformers()
    if threads is not None:
        if threads < 1:
            raise InputError(f"must be at least 1, got {threads}", field="threads")
        torch.set_num_threads(threads)
    elif os.cpu_count():
        torch.set_num_threads(min(2, os.cpu_count() or 1))
    return "cuda" if torch.cuda.is_available() else "cpu"


@dataclass(frozen=True, slots=True)
class TorchSetup:
    """Where a simulation runs and whether it autocasts to bfloat16."""

    device: str
    bf16: bool


def bf16_supported(device: str) -> bool:
    """Whether the hardware has bfloat16 units: a GPU that supports it, or a CPU with AVX512-BF16.

    torch has no public query for the CPU's bf16 units; ``torch.cpu._is_avx512_bf16_supported``
    is the one torch itself uses, looked up defensively so that a torch without it means "no".
    """
    import torch

    if device.startswith("cuda"):
        return bool(torch.cuda.is_bf16_supported())
    check = getattr(torch.cpu, "_is_avx512_bf16_supported", None)
    return bool(check()) if callable(check) else False


def prepare_torch(threads: int | None = None, bf16: bool | None = None) -> TorchSetup:
    """Configure torch (threads: default 2, or fewer cores) and choose the device and bf16.

    ``bf16=None`` turns bfloat16 autocast on where the hardware has bf16 units.
    """
    device = configure_torch(threads)
    return TorchSetup(device, bf16_supported(device) if bf16 is None else bf16)


def build_model(spec: ModelSpec, vocab_size: int, *, pad_id: int, seed: int) -> LanguageModel:
    """A freshly initialised model (the seed fixes the initialisation)."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(seed)
    config = GPT2Config(
        vocab_size=vocab_size,
        n_positions=spec.n_positions,
        n_embd=spec.n_embd,
        n_layer=spec.n_layer,
        n_head=spec.n_head,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        bos_token_id=pad_id,
        eos_token_id=pad_id,
        pad_token_id=pad_id,
        tie_word_embeddings=True,
    )
    return GPT2LMHeadModel(config)


def count_parameters(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def save_checkpoint(
    model: LanguageModel,
    tokenizer: Tokenizer,
    folder: str | Path,
    *,
    card: str,
) -> Path:
    """``save_pretrained`` for model and tokenizer, plus a README model card."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / "README.md").write_text(card, encoding="utf-8")
    return out


def load_checkpoint(folder: str | Path, device: str = "cpu") -> tuple[LanguageModel, Tokenizer]:
    """Load a checkpoint written by :func:`save_checkpoint` (offline, from the folder only)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = Path(folder)
    if not (path / "config.json").is_file():
        raise InputError("not a model checkpoint (no config.json)", path=path)
    model: LanguageModel = AutoModelForCausalLM.from_pretrained(path, local_files_only=True)
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model.to(device)
    model.eval()
    return model, tokenizer

"""Hugging Face transformers: local checkpoints or a GGUF file, batched, CUDA when present.

Models load from local files only (``local_files_only=True``): a folder with a checkpoint, or a
``.gguf`` file (transformers dequantizes it; needs the ``gguf`` package). The default is the
same SmolLM2-135M-Instruct GGUF the llama.cpp backend uses.

Concurrent requests are gathered into batches: a request waits up to ``batch_wait`` seconds for
others with the same settings, then up to ``batch_size`` of them are left-padded and decoded by
one ``model.generate`` call on a worker thread. Token log-probabilities are those of the raw
model distribution (log-softmax of the logits), not of the temperature-scaled one.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from halluc.errors import InputError
from halluc.models.base import ChatRequest, ChatResponse, failed


@dataclass
class _Pending:
    request: ChatRequest
    future: asyncio.Future[ChatResponse]
    queued: float = field(default_factory=time.perf_counter)


def _settings_key(r: ChatRequest) -> tuple[Any, ...]:
    return (r.max_tokens, r.temperature, r.top_p, r.n, r.seed, r.logprobs, r.stop)


class HFBackend:
    """Generation with ``transformers`` (an optional extra: torch, transformers, gguf)."""

    name = "hf"

    def __init__(
        self,
        model: str | Path | None = None,
        *,
        batch_size: int = 8,
        device: str | None = None,
        dtype: str | None = None,
        batch_wait: float = 0.02,
        threads: int | None = None,
    ) -> None:
        try:
            import torch
            import transformers
        except ImportError as exc:
            raise InputError(
                f"the hf backend needs torch and transformers ({exc.name} is missing): "
                'pip install "halluc[eval]"',
                field="backend",
            ) from None
        from halluc.models.llamacpp import DEFAULT_MODEL_NAME, default_model_path

        if batch_size < 1:
            raise InputError(f"must be at least 1, got {batch_size}", field="batch_size")
        path = default_model_path() if model in (None, "", "default") else Path(str(model))
        if not path.exists():
            raise InputError("model not found (a local checkpoint folder or .gguf file)", path=path)
        self.path = path
        self.model = DEFAULT_MODEL_NAME if path == default_model_path() else path.name
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.batch_size = batch_size
        self.batch_wait = batch_wait
        if threads is not None:
            torch.set_num_threads(threads)
        kwargs: dict[str, Any] = {"local_files_only": True}
        if path.is_file():
            if path.suffix != ".gguf":
                raise InputError("a model file must be .gguf", path=path, field="model")
            kwargs["gguf_file"] = path.name
            source = str(path.parent)
        else:
            source = str(path)
        if dtype is not None:
            kwargs["dtype"] = getattr(torch, dtype)
        try:
            tokenizer: Any = transformers.AutoTokenizer.from_pretrained(source, **kwargs)
            hf_model: Any = transformers.AutoModelForCausalLM.from_pretrained(source, **kwargs)
        except (OSError, ValueError) as exc:
            raise InputError(
                f"transformers could not load the model: {exc}", path=path, field="model"
            ) from None
        self.tokenizer: Any = tokenizer
        self.hf_model: Any = hf_model.to(self.device)
        self.hf_model.eval()
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self._torch = torch
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hf")
        self._lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._flusher: asyncio.Task[None] | None = None
        self.batches: list[int] = []

    @property
    def fingerprint(self) -> str:
        return f"hf:{self.path}"

    @property
    def max_concurrency(self) -> int:
        return self.batch_size * 2

    def describe(self) -> dict[str, Any]:
        return {
            "backend": self.name,
            "model": self.model,
            "model_path": str(self.path),
            "device": self.device,
            "batch_size": self.batch_size,
        }

    # -- batching ---------------------------------------------------------------------------

    async def complete(self, request: ChatRequest) -> ChatResponse:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[ChatResponse] = loop.create_future()
        self._queue.append(_Pending(request, fut))
        if self._flusher is None or self._flusher.done():
            self._flusher = loop.create_task(self._flush_loop())
        return await fut

    async def _flush_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while self._queue:
            await asyncio.sleep(self.batch_wait)
            key = _settings_key(self._queue[0].request)
            batch = [p for p in self._queue if _settings_key(p.request) == key][: self.batch_size]
            ids = {id(p) for p in batch}
            self._queue = [p for p in self._queue if id(p) not in ids]
            requests = [p.request for p in batch]
            start = time.perf_counter()
            try:
                results = await loop.run_in_executor(self._pool, self.generate_batch, requests)
            except Exception as exc:  # a failed batch is an error per request, not a crash
                results = [failed(f"transformers: {exc}") for _ in requests]
            seconds = time.perf_counter() - start
            for p, r in zip(batch, results, strict=True):
                r.timings.setdefault("total", seconds + (start - p.queued))
                if not p.future.done():
                    p.future.set_result(r)

    # -- generation -------------------------------------------------------------------------

    def _prompts(self, requests: Sequence[ChatRequest]) -> list[str]:
        out = []
        for r in requests:
            text = self.tokenizer.apply_chat_template(
                [dict(m) for m in r.messages], tokenize=False, add_generation_prompt=True
            )
            out.append(str(text))
        return out

    def generate_batch(self, requests: Sequence[ChatRequest]) -> list[ChatResponse]:
        """Decode requests that share their settings in one ``generate`` call."""
        torch = self._torch
        first = requests[0]
        self.batches.append(len(requests))
        enc = self.tokenizer(
            self._prompts(requests), return_tensors="pt", padding=True, add_special_tokens=False
        ).to(self.device)
        sample = first.temperature > 0
        gen_kwargs: dict[str, Any] = {
            "max_new_tokens": first.max_tokens,
            "do_sample": sample,
            "num_return_sequences": first.n,
            "return_dict_in_generate": True,
            "output_logits": first.logprobs,
            "pad_token_id": self.tokenizer.pad_token_id,
        }
        if sample:
            gen_kwargs["temperature"] = first.temperature
            gen_kwargs["top_p"] = first.top_p
            gen_kwargs["top_k"] = 0
        else:
            gen_kwargs["temperature"] = None
            gen_kwargs["top_p"] = None
            gen_kwargs["top_k"] = None
        if first.stop:
            gen_kwargs["stop_strings"] = list(first.stop)
            gen_kwargs["tokenizer"] = self.tokenizer
        with self._lock, torch.inference_mode():
            if first.seed is not None:
                torch.manual_seed(first.seed)
            out = self.hf_model.generate(**enc, **gen_kwargs)
        prompt_len = enc["input_ids"].shape[1]
        seqs = out.sequences[:, prompt_len:]
        token_lp = None
        if first.logprobs and out.logits is not None:
            # log p(token) = logit(token) - logsumexp(logits), without a full log-softmax copy
            stacked = torch.stack(out.logits, dim=1)
            chosen = torch.gather(stacked, -1, seqs[:, : stacked.shape[1], None]).squeeze(-1)
            token_lp = (chosen.float() - torch.logsumexp(stacked.float(), dim=-1)).cpu()
        eos_ids = self.tokenizer.eos_token_id
        eos = {int(x) for x in ([eos_ids] if isinstance(eos_ids, int) else list(eos_ids or []))}
        eos.add(int(self.tokenizer.pad_token_id))
        results: list[ChatResponse] = []
        n_prompt = enc["attention_mask"].sum(dim=1).tolist()
        for i, req in enumerate(requests):
            texts: list[str] = []
            lps: list[list[float]] = []
            reasons: list[str | None] = []
            completion_tokens = 0
            for j in range(req.n):
                row = i * req.n + j
                tokens = seqs[row].tolist()
                length = next((k for k, t in enumerate(tokens) if t in eos), len(tokens))
                reasons.append("stop" if length < len(tokens) else "length")
                kept = tokens[:length]
                completion_tokens += len(kept)
                texts.append(self.tokenizer.decode(kept, skip_special_tokens=True).strip())
                if token_lp is not None:
                    lps.append([float(x) for x in token_lp[row, :length].tolist()])
            results.append(
                ChatResponse(
                    texts=texts,
                    token_logprobs=lps,
                    finish_reasons=reasons,
                    usage={
                        "prompt_tokens": int(n_prompt[i]),
                        "completion_tokens": completion_tokens,
                    },
                )
            )
        return results

    def close(self) -> None:
        self._pool.shutdown(wait=True)

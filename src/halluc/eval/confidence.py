"""Confidence estimates for an answer, for the ``policy`` mode ("answer iff confidence > t").

Each method is a :class:`ConfidenceEstimator` in one registry (:func:`register_confidence`,
:func:`confidence_method`): it says which follow-up request it needs after the greedy answer
(if any) and how it turns the responses into a raw score. The runner only asks the registry, so
adding a method never touches it. The built-in methods (:class:`ConfidenceMethod`):

- ``token-mean`` / ``token-min`` / ``token-product``: the mean, the minimum or the product of
  the probabilities of the answer's generated tokens (from the backend's token log-probs);
- ``consistency``: self-consistency; the share of ``k`` sampled answers that agree with the
  greedy answer. Two answers agree when the SQuAD token F1 of their *content* tokens (the
  normalized tokens that are not in the question, so that restating the question does not
  count) is at least :data:`AGREEMENT_F1`;
- ``verbalized``: the model is asked, after its answer, for the probability that the answer is
  correct; the first number in the reply is read (``80%`` and ``80`` mean 0.8, ``0.8`` is 0.8).
  A reply without a usable number gives no confidence, and the item is recorded as ``error``.

Raw scores are badly calibrated; see :mod:`halluc.calibration.recalibration` for recalibration.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple, Protocol

from halluc.errors import InputError
from halluc.grading.match import normalize_answer, token_f1
from halluc.models.base import ChatRequest, ChatResponse

AGREEMENT_F1 = 0.5


class ConfidenceMethod(StrEnum):
    """The names of the built-in methods (any registered name is accepted where one is)."""

    TOKEN_MEAN = "token-mean"
    TOKEN_MIN = "token-min"
    TOKEN_PRODUCT = "token-product"
    CONSISTENCY = "consistency"
    VERBALIZED = "verbalized"

    @property
    def needs_logprobs(self) -> bool:
        return self in (self.TOKEN_MEAN, self.TOKEN_MIN, self.TOKEN_PRODUCT)


VERBALIZED_PROMPT = (
    "How likely is it that your answer above is correct? Reply with only a probability "
    "between 0 and 1."
)
"""The follow-up question of the ``verbalized`` method (asked in the same conversation)."""


# -- the scores themselves ----------------------------------------------------------------


def token_confidence(logprobs: Sequence[float], method: ConfidenceMethod) -> float | None:
    """Mean, minimum or product of the token probabilities; ``None`` without tokens."""
    if not logprobs:
        return None
    probs = [math.exp(min(0.0, lp)) for lp in logprobs]
    if method is ConfidenceMethod.TOKEN_MEAN:
        return sum(probs) / len(probs)
    if method is ConfidenceMethod.TOKEN_MIN:
        return min(probs)
    if method is ConfidenceMethod.TOKEN_PRODUCT:
        return math.exp(sum(min(0.0, lp) for lp in logprobs))
    raise ValueError(f"{method} is not a token-probability method")


def content_tokens(text: str, question: str = "") -> list[str]:
    """Normalized tokens of an answer that do not already occur in the question."""
    q = set(normalize_answer(question).split())
    return [w for w in normalize_answer(text).split() if w not in q]


def answers_agree(a: str, b: str, question: str = "") -> bool:
    """Whether two answers say the same (content-token F1 >= :data:`AGREEMENT_F1`)."""
    ta, tb = content_tokens(a, question), content_tokens(b, question)
    return token_f1(" ".join(ta), " ".join(tb)) >= AGREEMENT_F1


def consistency_confidence(greedy: str, samples: Sequence[str], question: str = "") -> float | None:
    """Share of the samples that agree with the greedy answer; ``None`` without samples."""
    if not samples:
        return None
    return sum(answers_agree(greedy, s, question) for s in samples) / len(samples)


_NUM = re.compile(r"(\d+(?:\.\d+)?|\.\d+)\s*(%|percent|/\s*(?:10|100)\b)?", re.IGNORECASE)


def parse_verbalized(text: str) -> float | None:
    """A probability from a free-text reply ("0.8", "80%", "8/10"); ``None`` if there is none."""
    m = _NUM.search(text)
    if m is None:
        return None
    value = float(m.group(1))
    unit = (m.group(2) or "").replace(" ", "").lower()
    if unit in ("%", "percent") or unit == "/100":
        value /= 100.0
    elif unit == "/10":
        value /= 10.0
    elif value > 1.0:
        value = value / 100.0 if value <= 100.0 else math.nan
    if not 0.0 <= value <= 1.0:
        return None
    return value


# -- the method protocol and its registry ---------------------------------------------------


class Sampling(NamedTuple):
    """The run settings a follow-up request may use."""

    samples: int
    temperature: float
    seed: int
    max_tokens: int


@dataclass(frozen=True, slots=True)
class RawConfidence:
    """A method's result: the raw score (``None``: no score, then ``error`` says why), and the
    follow-up texts worth keeping in the record (samples, the verbalized reply)."""

    value: float | None
    samples: list[str] = field(default_factory=list)
    error: str | None = None


class ConfidenceEstimator(Protocol):
    """One confidence method: the request it needs after the answer, and how it scores."""

    @property
    def name(self) -> str:
        """The name settings and records use."""
        ...

    @property
    def default_samples(self) -> int:
        """Samples per item when the settings ask for none (0: the method does not sample)."""
        ...

    @property
    def min_samples(self) -> int:
        """Fewest samples per item the method works with."""
        ...

    @property
    def timing(self) -> str | None:
        """Where the follow-up's seconds go in the record's timings (``None``: no follow-up)."""
        ...

    def follow_up(
        self, answer_request: ChatRequest, answer: str, sampling: Sampling
    ) -> ChatRequest | None:
        """The extra request after the greedy answer, or ``None`` if none is needed."""
        ...

    def score(
        self, answer: ChatResponse, follow_up: ChatResponse | None, question: str
    ) -> RawConfidence:
        """The raw score from the answer (with its token log-probs) and the follow-up."""
        ...


_REGISTRY: dict[str, ConfidenceEstimator] = {}


def register_confidence(method: ConfidenceEstimator) -> ConfidenceEstimator:
    """Add a method under its ``name`` (a name is registered once)."""
    if method.name in _REGISTRY:
        raise ValueError(f"confidence method {method.name!r} is already registered")
    _REGISTRY[method.name] = method
    return method


def confidence_methods() -> tuple[str, ...]:
    """The registered names, in registration order."""
    return tuple(_REGISTRY)


def confidence_method(name: str) -> ConfidenceEstimator:
    """The method registered as ``name``; an unknown name is an error with a suggestion."""
    try:
        return _REGISTRY[str(name)]
    except KeyError:
        close = difflib.get_close_matches(str(name), _REGISTRY, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        known = ", ".join(_REGISTRY)
        raise InputError(
            f"unknown confidence method {name!r} (known: {known}){hint}", field="confidence"
        ) from None


@dataclass(frozen=True, slots=True)
class TokenProbability:
    """Mean, minimum or product of the answer's token probabilities: no extra request."""

    kind: ConfidenceMethod
    default_samples: int = 0
    min_samples: int = 0
    timing: str | None = None

    @property
    def name(self) -> str:
        return str(self.kind)

    def follow_up(
        self, answer_request: ChatRequest, answer: str, sampling: Sampling
    ) -> ChatRequest | None:
        return None

    def score(
        self, answer: ChatResponse, follow_up: ChatResponse | None, question: str
    ) -> RawConfidence:
        value = token_confidence(
            answer.token_logprobs[0] if answer.token_logprobs else [], self.kind
        )
        if value is None:
            return RawConfidence(None, error="the backend returned no token log-probabilities")
        return RawConfidence(value)


@dataclass(frozen=True, slots=True)
class SelfConsistency:
    """Share of sampled answers to the same prompt that agree with the greedy answer."""

    name: str = str(ConfidenceMethod.CONSISTENCY)
    default_samples: int = 5
    min_samples: int = 2
    timing: str | None = "samples"

    def follow_up(
        self, answer_request: ChatRequest, answer: str, sampling: Sampling
    ) -> ChatRequest | None:
        return ChatRequest(
            messages=answer_request.messages,
            max_tokens=sampling.max_tokens,
            temperature=sampling.temperature,
            n=sampling.samples,
            seed=sampling.seed,
            item_id=answer_request.item_id,
        )

    def score(
        self, answer: ChatResponse, follow_up: ChatResponse | None, question: str
    ) -> RawConfidence:
        if follow_up is None or not follow_up.ok:
            return RawConfidence(None, error=f"sampling failed: {_why(follow_up)}")
        samples = list(follow_up.texts)
        return RawConfidence(consistency_confidence(answer.texts[0], samples, question), samples)


@dataclass(frozen=True, slots=True)
class Verbalized:
    """The probability the model states when asked, after its answer, how likely it is right."""

    name: str = str(ConfidenceMethod.VERBALIZED)
    default_samples: int = 0
    min_samples: int = 0
    timing: str | None = "verbalized"
    max_tokens: int = 12

    def follow_up(
        self, answer_request: ChatRequest, answer: str, sampling: Sampling
    ) -> ChatRequest | None:
        return ChatRequest(
            messages=(
                *answer_request.messages,
                {"role": "assistant", "content": answer},
                {"role": "user", "content": VERBALIZED_PROMPT},
            ),
            max_tokens=self.max_tokens,
            temperature=0.0,
            item_id=answer_request.item_id,
        )

    def score(
        self, answer: ChatResponse, follow_up: ChatResponse | None, question: str
    ) -> RawConfidence:
        if follow_up is None or not follow_up.ok:
            return RawConfidence(None, error=f"verbalized confidence failed: {_why(follow_up)}")
        reply = follow_up.texts[0]
        value = parse_verbalized(reply)
        if value is None:
            return RawConfidence(None, [reply], f"no probability in the reply {reply[:60]!r}")
        return RawConfidence(value, [reply])


def _why(response: ChatResponse | None) -> str | None:
    return "no request was made" if response is None else response.error


for _kind in (
    ConfidenceMethod.TOKEN_MEAN,
    ConfidenceMethod.TOKEN_MIN,
    ConfidenceMethod.TOKEN_PRODUCT,
):
    register_confidence(TokenProbability(_kind))
register_confidence(SelfConsistency())
register_confidence(Verbalized())

"""Confidence estimates for an answer, for the ``policy`` mode ("answer iff confidence > t").

Methods (:class:`ConfidenceMethod`):

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

import math
import re
from collections.abc import Sequence
from enum import StrEnum

from halluc.grading.match import normalize_answer

AGREEMENT_F1 = 0.5


class ConfidenceMethod(StrEnum):
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


def _f1(a: list[str], b: list[str]) -> float:
    if not a or not b:
        return float(a == b)
    pool: dict[str, int] = {}
    for w in b:
        pool[w] = pool.get(w, 0) + 1
    same = 0
    for w in a:
        if pool.get(w, 0) > 0:
            same += 1
            pool[w] -= 1
    if same == 0:
        return 0.0
    p, r = same / len(a), same / len(b)
    return 2 * p * r / (p + r)


def answers_agree(a: str, b: str, question: str = "") -> bool:
    """Whether two answers say the same (content-token F1 >= :data:`AGREEMENT_F1`)."""
    return _f1(content_tokens(a, question), content_tokens(b, question)) >= AGREEMENT_F1


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

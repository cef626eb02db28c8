"""Grading a free-text answer against gold answers: normalization, aliases, numbers.

:func:`normalize_answer` is SQuAD's normalization (lower case, no punctuation, no articles
"a/an/the", single spaces) with two additions: Unicode compatibility folding with accents
removed ("Gagarine" and "Gagárine" are the same), and "&" read as "and".

:func:`grade_answer` decides, in this order:

1. an empty response is ``error`` (nothing to grade);
2. a response that abstains (:func:`~halluc.grading.abstention.detect_abstention` says
   ``"abstained"``) is ``abstained``;
3. for an unanswerable item (no gold answers) every attempt is ``incorrect``;
4. the response is ``correct`` if a normalized gold answer or alias equals the normalized
   response or appears in it as a whole-word phrase ("The capital of France is Paris." contains
   "paris");
5. a numeric gold answer is also matched by a number in the response that agrees to the gold's
   precision ("1.73" accepts 1.732 but not 1.74; "1961" needs 1961 exactly), or within the
   relative tolerance ``rel_tol`` when one is given;
6. otherwise ``incorrect``. A response that abstains *and* offers something
   (``"undetermined"``) is graded by its content: a guess after "I don't know" is a guess.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from halluc.grading.abstention import detect_abstention
from halluc.log.outcomes import Outcome

MATCH_GRADER = "match"
MATCH_GRADER_VERSION = "1"

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation) | {"«", "»", "“", "”", "‘", "’", "–", "—", "…", "¿", "¡"}
_NUMBER = re.compile(r"(?<![\w.])[-−]?\d[\d,]*(?:\.\d+)?(?![\w])")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize_answer(text: str) -> str:
    """SQuAD normalization plus accent folding (see the module docstring)."""
    t = _strip_accents(text).lower().replace("&", " and ")
    t = "".join(" " if (c in _PUNCT or unicodedata.category(c).startswith("P")) else c for c in t)
    t = _ARTICLES.sub(" ", t)
    return " ".join(t.split())


def _contains(haystack: str, needle: str) -> bool:
    if not needle:
        return False
    return f" {needle} " in f" {haystack} "


def parse_number(text: str) -> Decimal | None:
    """A plain number ("1,234", "-2.5", "1961"); ``None`` for anything else."""
    t = text.strip().replace("−", "-").replace(",", "")
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", t):
        return None
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def numbers_in(text: str) -> list[Decimal]:
    out = []
    for m in _NUMBER.finditer(text):
        n = parse_number(m.group(0))
        if n is not None:
            out.append(n)
    return out


def numeric_match(response: str, gold: str, rel_tol: float = 0.0) -> bool:
    """Whether a number in ``response`` equals numeric ``gold`` to the gold's precision."""
    g = parse_number(gold)
    if g is None:
        return False
    exponent = g.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    half_unit = Decimal(5) * Decimal(10) ** (-(decimals + 1)) if decimals else Decimal(0)
    tol = max(half_unit, abs(g) * Decimal(str(rel_tol)))
    return any(abs(x - g) <= tol for x in numbers_in(response))


def match_answer(response: str, answers: Sequence[str], rel_tol: float = 0.0) -> bool:
    """Whether the response states one of the gold answers (steps 4 and 5 above)."""
    norm = normalize_answer(response)
    for gold in answers:
        g = normalize_answer(gold)
        if g and (g == norm or _contains(norm, g)):
            return True
        if numeric_match(response, gold, rel_tol):
            return True
    return False


def grade_answer(response: str, answers: Sequence[str], *, rel_tol: float = 0.0) -> Outcome:
    """Grade a response against gold answers and aliases (see the module docstring)."""
    if not response or not response.strip():
        return Outcome.ERROR
    if detect_abstention(response) == "abstained":
        return Outcome.ABSTAINED
    if not answers:
        return Outcome.INCORRECT
    return Outcome.CORRECT if match_answer(response, answers, rel_tol) else Outcome.INCORRECT


def token_f1(a: str, b: str) -> float:
    """SQuAD's token F1 of two texts after normalization."""
    ta, tb = normalize_answer(a).split(), normalize_answer(b).split()
    if not ta or not tb:
        return float(ta == tb)
    common: dict[str, int] = {}
    counts_b: dict[str, int] = {}
    for w in tb:
        counts_b[w] = counts_b.get(w, 0) + 1
    for w in ta:
        if counts_b.get(w, 0) > 0:
            common[w] = common.get(w, 0) + 1
            counts_b[w] -= 1
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(ta), same / len(tb)
    return 2 * precision * recall / (precision + recall)

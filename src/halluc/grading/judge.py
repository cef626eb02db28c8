"""An LLM judge with SimpleQA's three-way grading (CORRECT / INCORRECT / NOT_ATTEMPTED).

The template follows the structure and rules of the grader prompt of openai/simple-evals
(``simpleqa_eval.py``, MIT licence, (c) 2024 OpenAI): the gold target fully contained and not
contradicted is CORRECT, hedging allowed; a contradicting statement, hedged or not, is
INCORRECT; a response that neither contains nor contradicts the gold target is NOT_ATTEMPTED;
numbers must be right to the gold's last significant figure. It is condensed, versioned
(:data:`JUDGE_TEMPLATE_VERSION`) and hashed: the hash goes into every record it grades, so a
changed prompt never mixes with an old one.

A judge reply that names no grade, or names several, is the ``error`` outcome; simple-evals
counts such a reply as NOT_ATTEMPTED, which would hide judge failures as abstentions.
"""

from __future__ import annotations

import hashlib
import re

from halluc.log.outcomes import Outcome
from halluc.models.base import Backend, ChatRequest

JUDGE_TEMPLATE_VERSION = "simpleqa-3way-1"

JUDGE_TEMPLATE = """\
Your job is to look at a question, a gold target and a predicted answer, and to grade the \
predicted answer as one of CORRECT, INCORRECT or NOT_ATTEMPTED.

CORRECT: the predicted answer fully contains the important information of the gold target and \
contradicts none of it. Capitalization, punctuation, grammar and word order do not matter. \
Hedging and guessing are fine as long as the gold target is fully included and nothing \
contradicts it. Example: question "What are the names of Barack Obama's children?", gold \
target "Malia Obama and Sasha Obama": "sasha and malia obama" and "most people would say Malia \
and Sasha, but I'm not sure" are CORRECT.

INCORRECT: a factual statement in the predicted answer contradicts the gold target, even if it \
is hedged ("it is possible that", "although I'm not sure, I think"). Examples for the same \
question: "Malia.", "Malia, Sasha, and Susan.", "Barack Obama does not have any children.", \
"I think it's either Malia and Sasha, or Malia and Jackie."

NOT_ATTEMPTED: the important information of the gold target is not in the predicted answer, \
and nothing in it contradicts the gold target. Examples: "I don't know.", "I need more \
context about which Obama you mean.", "Without researching the web I cannot answer this, but \
Barack Obama has two children."

Also note:
- When the gold target is a number, the predicted answer must be right to the last \
significant figure of the gold target ("120k" accepts "124k" and "115k", not "100k"); \
"around 100k" or "more than 50k" is NOT_ATTEMPTED.
- The gold target may hold more than the question asks for; the predicted answer only needs \
what the question asks for.
- Do not punish an answer for leaving out what the question already implies ("San Francisco" \
for the gold target "San Francisco, California").
- Do not punish small typos in names that are clearly the same name.

Question: {question}
Gold target: {target}
Predicted answer: {predicted_answer}

Grade the predicted answer as one of:
A: CORRECT
B: INCORRECT
C: NOT_ATTEMPTED

Reply with only the letter "A", "B" or "C"."""

JUDGE_TEMPLATE_HASH = hashlib.sha256(JUDGE_TEMPLATE.encode()).hexdigest()[:12]
JUDGE_VERSION = f"{JUDGE_TEMPLATE_VERSION}+{JUDGE_TEMPLATE_HASH}"

_LETTER = re.compile(r"^\W*([ABC])\b")
_LABELS = (
    (re.compile(r"\bNOT[_ ]ATTEMPTED\b"), Outcome.ABSTAINED),
    (re.compile(r"\bINCORRECT\b"), Outcome.INCORRECT),
    (re.compile(r"(?<!IN)\bCORRECT\b"), Outcome.CORRECT),
)
_LETTERS = {"A": Outcome.CORRECT, "B": Outcome.INCORRECT, "C": Outcome.ABSTAINED}


def judge_prompt(question: str, gold: str, predicted: str) -> str:
    return JUDGE_TEMPLATE.format(question=question, target=gold, predicted_answer=predicted)


def parse_judge_reply(reply: str) -> Outcome:
    """The grade a judge replied, or ``Outcome.ERROR`` when it names none or several."""
    text = reply.strip().upper()
    m = _LETTER.match(text)
    if m is not None and len(text) <= 3:
        return _LETTERS[m.group(1)]
    found = {outcome for pattern, outcome in _LABELS if pattern.search(text)}
    if m is not None:
        found.add(_LETTERS[m.group(1)])
    letters = set(re.findall(r"(?<![A-Z])([ABC])(?:[:.)]|\s*$)", text))
    found |= {_LETTERS[x] for x in letters}
    if len(found) == 1:
        return found.pop()
    return Outcome.ERROR


class JudgeGrader:
    """Grades with a model behind any backend (greedy decoding, a few tokens)."""

    def __init__(self, backend: Backend, *, max_tokens: int = 8) -> None:
        self.backend = backend
        self.name = f"judge:{backend.model}"
        self.version = JUDGE_VERSION
        self.max_tokens = max_tokens

    async def judge(
        self, question: str, answers: tuple[str, ...], response: str
    ) -> tuple[Outcome, str | None, str | None]:
        """(outcome, the judge's reply, error)."""
        gold = " / ".join(answers[:5])
        request = ChatRequest(
            messages=({"role": "user", "content": judge_prompt(question, gold, response)},),
            max_tokens=self.max_tokens,
            temperature=0.0,
        )
        result = await self.backend.complete(request)
        if not result.ok:
            return Outcome.ERROR, None, f"judge request failed: {result.error}"
        reply = result.texts[0]
        outcome = parse_judge_reply(reply)
        if outcome is Outcome.ERROR:
            return outcome, reply, f"judge reply names no single grade: {reply[:80]!r}"
        return outcome, reply, None

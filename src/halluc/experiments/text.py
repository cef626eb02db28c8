"""How the birthday world is written down: sentence templates, the measured prompt, the tokenizer.

The corpus is plain text, one training example per line, in several templates. The measured
prompt is the first template cut before the date ("<name> was born on"), whose continuations are
the 365 dates (one token each) and the "I don't know" phrase of that template. The tokenizer is
word level: every name, date and template word is one token, so a candidate's probability is a
short product of next-token probabilities and can be computed exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from halluc.experiments.dates import DATES

BOS = "<|endoftext|>"
UNK = "<unk>"


@dataclass(frozen=True, slots=True)
class Template:
    """A sentence with ``{name}`` and ``{date}`` slots; ``idk`` fills ``{date}`` for IDK."""

    text: str
    idk: str

    def render(self, name: str, date: str | None) -> str:
        return self.text.format(name=name, date=self.idk if date is None else date)


TEMPLATES: tuple[Template, ...] = (
    Template("{name} was born on {date} .", "an unknown date"),
    Template("{name} 's birthday is {date} .", "unknown"),
    Template("the birthday of {name} is {date} .", "unknown"),
    Template("{name} celebrates a birthday on {date} every year .", "an unknown date"),
)
"""Template 0 is the one the measured prompt comes from."""

MEASURE_TEMPLATE = TEMPLATES[0]
IDK_PHRASE = MEASURE_TEMPLATE.idk


def measure_prompt(name: str) -> str:
    """The prompt whose continuation is scored: "<name> was born on"."""
    head, _, _ = MEASURE_TEMPLATE.text.partition("{date}")
    return head.format(name=name).rstrip()


def template_words() -> list[str]:
    words: set[str] = set()
    for tpl in TEMPLATES:
        for part in (tpl.text, tpl.idk):
            for w in part.split():
                if not (w.startswith("{") and w.endswith("}")):
                    words.add(w)
    return sorted(words)


def _pattern(tpl: Template) -> re.Pattern[str]:
    escaped = re.escape(tpl.text)
    escaped = escaped.replace(re.escape("{name}"), r"(?P<name>\S+ \S+)")
    escaped = escaped.replace(re.escape("{date}"), r"(?P<date>.+?)")
    return re.compile(f"^{escaped}$")


_PATTERNS = tuple((_pattern(t), t) for t in TEMPLATES)


@dataclass(frozen=True, slots=True)
class ParsedLine:
    name: str
    date: str | None
    """None for an "unknown" statement."""
    template: int


def parse_line(line: str) -> ParsedLine | None:
    """Read a corpus line back into (name, date or IDK, template); None if it is not one."""
    text = line.strip()
    for index, (pattern, tpl) in enumerate(_PATTERNS):
        m = pattern.match(text)
        if m is None:
            continue
        date = m.group("date")
        if date == tpl.idk:
            return ParsedLine(m.group("name"), None, index)
        if date in DATES:
            return ParsedLine(m.group("name"), date, index)
    return None


def build_tokenizer(first_names: list[str], last_names: list[str]) -> object:
    """A word-level ``PreTrainedTokenizerFast`` over names, dates and template words.

    Saved with ``save_pretrained`` it loads offline with ``AutoTokenizer.from_pretrained``.
    Returned as ``object`` so that importing this module does not import transformers.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab_words = [BOS, UNK, *template_words(), *DATES, *first_names, *last_names]
    if len(set(vocab_words)) != len(vocab_words):
        raise ValueError("vocabulary words collide (a name equals a date or template word)")
    vocab = {w: i for i, w in enumerate(vocab_words)}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.decoder = decoders.WordPiece(prefix="##", cleanup=False)
    tok.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", special_tokens=[(BOS, vocab[BOS])]
    )
    return PreTrainedTokenizerFast(  # type: ignore[no-untyped-call]
        tokenizer_object=tok,
        bos_token=BOS,
        eos_token=BOS,
        pad_token=BOS,
        unk_token=UNK,
        model_max_length=64,
        clean_up_tokenization_spaces=False,
    )


def save_corpus(lines: list[str], path: Path) -> None:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

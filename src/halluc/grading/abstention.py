"""Recognising "I don't know" in free text, in several languages.

:func:`detect_abstention` returns

- ``"abstained"``: the response declines to answer ("I don't know", "I cannot answer that",
  "No tengo esa información", "我不知道") and gives nothing that reads like an answer;
- ``"undetermined"``: it declines *and* goes on to offer something ("I don't know, but it might
  be Paris"), so text matching alone cannot tell; an LLM judge can;
- ``"answered"``: no abstention phrase at all. Hedges ("I think", "probably") are answers: the
  paper's scoring (and SimpleQA's grading) treat a hedged guess as an attempt.

The phrase set (:data:`ABSTENTION_PHRASES`) is documented per language below; phrases are
matched case-insensitively on whole words (on substrings for Chinese and Japanese) after
typographic apostrophes are straightened. After the abstention phrases and polite boilerplate
("sorry", "unfortunately") are removed, a response that still has a contrast marker ("but",
"however", "pero", "mais", ...) followed by content, or more than :data:`MAX_RESIDUAL_WORDS`
content words, is ``undetermined``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

AbstentionVerdict = Literal["abstained", "answered", "undetermined"]

ABSTENTION_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        "i don't know",
        "i do not know",
        "i dont know",
        "i don't really know",
        "don't know the answer",
        "do not know the answer",
        "i'm not sure",
        "i am not sure",
        "i'm not certain",
        "i am not certain",
        "i'm unsure",
        "i am unsure",
        "not sure of the answer",
        "i cannot answer",
        "i can't answer",
        "i can not answer",
        "i am unable to answer",
        "i'm unable to answer",
        "unable to answer",
        "i am not able to answer",
        "i'm not able to answer",
        "i cannot provide",
        "i can't provide",
        "i am unable to provide",
        "i'm unable to provide",
        "i cannot determine",
        "i can't determine",
        "i cannot say",
        "i can't say",
        "i have no idea",
        "no idea",
        "i don't have information",
        "i do not have information",
        "i don't have enough information",
        "i do not have enough information",
        "i don't have any information",
        "i do not have any information",
        "i don't have access",
        "i do not have access",
        "i don't have that information",
        "there is no information",
        "no information available",
        "i couldn't find",
        "i could not find",
        "i cannot recall",
        "i can't recall",
        "i don't recall",
        "i do not recall",
        "i'm not aware",
        "i am not aware",
        "idk",
        "i must decline",
        "i won't answer",
        "i will not answer",
        "i refuse",
        "i'd rather not guess",
        "i would rather not guess",
        "i'd rather not answer",
        "i prefer not to answer",
        "i abstain",
        "cannot be determined",
        "can't be determined",
        "not enough information",
        "insufficient information",
    ),
    "de": (
        "ich weiß es nicht",
        "ich weiss es nicht",
        "ich weiß nicht",
        "ich weiss nicht",
        "weiß ich nicht",
        "keine ahnung",
        "ich bin mir nicht sicher",
        "ich kann das nicht beantworten",
        "ich kann diese frage nicht beantworten",
        "ich kann nicht antworten",
        "dazu habe ich keine informationen",
        "ich habe keine informationen",
    ),
    "fr": (
        "je ne sais pas",
        "je sais pas",
        "je n'en sais rien",
        "aucune idée",
        "je ne suis pas sûr",
        "je ne suis pas sûre",
        "je ne suis pas certain",
        "je ne peux pas répondre",
        "je ne connais pas la réponse",
        "je n'ai pas d'information",
        "je n'ai pas cette information",
    ),
    "es": (
        "no lo sé",
        "no sé",
        "no lo se",
        "no se la respuesta",
        "no sé la respuesta",
        "ni idea",
        "no tengo idea",
        "no estoy seguro",
        "no estoy segura",
        "no puedo responder",
        "no puedo contestar",
        "no tengo esa información",
        "no tengo información",
    ),
    "it": (
        "non lo so",
        "non so",
        "non ne ho idea",
        "non sono sicuro",
        "non sono sicura",
        "non posso rispondere",
        "non conosco la risposta",
        "non ho informazioni",
    ),
    "pt": (
        "não sei",
        "eu não sei",
        "nao sei",
        "não tenho certeza",
        "não posso responder",
        "não tenho essa informação",
        "não faço ideia",
    ),
    "nl": (
        "ik weet het niet",
        "weet ik niet",
        "geen idee",
        "ik ben niet zeker",
        "ik kan dat niet beantwoorden",
    ),
    "ru": (
        "я не знаю",
        "не знаю",
        "понятия не имею",
        "я не уверен",
        "я не уверена",
        "не могу ответить",
        "у меня нет информации",
    ),
    "zh": (
        "我不知道",
        "不知道",
        "我不确定",
        "不清楚",
        "无法回答",
        "我无法回答",
        "我不能回答",
        "没有相关信息",
    ),
    "ja": (
        "わかりません",
        "分かりません",
        "知りません",
        "わからない",
        "分からない",
        "答えられません",
        "不明です",
    ),
}
"""Abstention phrases by ISO 639-1 language code."""

SOLO_PHRASES: tuple[str, ...] = (
    "unknown",
    "it is unknown",
    "it's unknown",
    "not known",
    "n/a",
    "no answer",
    "unbekannt",
    "inconnu",
    "desconocido",
    "sconosciuto",
    "desconhecido",
    "неизвестно",
    "不明",
)
"""Words that abstain only when they are the whole response ("Unknown." but not
"The Unknown Soldier")."""

BOILERPLATE: tuple[str, ...] = (
    "sorry",
    "i'm sorry",
    "i am sorry",
    "unfortunately",
    "i apologize",
    "i apologise",
    "the answer",
    "to that question",
    "to this question",
    "that question",
    "this question",
    "the question",
    "for certain",
    "for sure",
    "exactly",
    "with certainty",
    "about that",
    "about this",
    "lo siento",
    "désolé",
    "désolée",
    "entschuldigung",
    "leider",
    "mi dispiace",
    "desculpe",
    "извините",
    "抱歉",
    "对不起",
    "すみません",
    "申し訳ありません",
)

CONTRAST_MARKERS: tuple[str, ...] = (
    "but",
    "however",
    "though",
    "although",
    "my best guess",
    "best guess",
    "i think",
    "i believe",
    "perhaps",
    "maybe",
    "possibly",
    "probably",
    "might be",
    "could be",
    "it is likely",
    "it's likely",
    "aber",
    "vielleicht",
    "mais",
    "peut-être",
    "pero",
    "quizás",
    "tal vez",
    "ma",
    "forse",
    "mas",
    "talvez",
    "maar",
    "misschien",
    "но",
    "может быть",
    "但是",
    "可能",
    "でも",
    "たぶん",
)

MAX_RESIDUAL_WORDS = 4
"""More content words than this, left after the abstention phrase, make a response
``undetermined`` rather than ``abstained``."""

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


def _prepare(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).lower()
    return " ".join(t.split())


def _phrase_regex(phrases: tuple[str, ...]) -> re.Pattern[str]:
    latin = sorted((p for p in phrases if not _CJK.search(p)), key=len, reverse=True)
    cjk = sorted((p for p in phrases if _CJK.search(p)), key=len, reverse=True)
    # One pair of lookarounds around the whole alternation, not one per phrase: the same
    # matches (the engine backtracks into shorter alternatives), about 20x faster per search.
    parts = [r"(?<![\w'])(?:" + "|".join(re.escape(p) for p in latin) + r")(?![\w'])"]
    parts += [re.escape(p) for p in cjk]
    return re.compile("|".join(parts))


ALL_PHRASES: tuple[str, ...] = tuple(p for ps in ABSTENTION_PHRASES.values() for p in ps)
_ABSTAIN_RE = _phrase_regex(ALL_PHRASES)
_BOILER_RE = _phrase_regex(BOILERPLATE)
_CONTRAST_RE = _phrase_regex(CONTRAST_MARKERS)
_WORD_RE = re.compile(r"\w+")
_SOLO_STRIP = re.compile(r"^[\W_]+|[^\w/]+$")
_STOP = frozenset(
    [
        "i",
        "me",
        "my",
        "a",
        "an",
        "the",
        "to",
        "that",
        "this",
        "it",
        "is",
        "be",
        "of",
        "and",
        "or",
        "so",
        "not",
        "no",
        "do",
        "does",
        "did",
        "can",
        "am",
        "are",
        "was",
        "know",
        "answer",
        "question",
        "sure",
        "information",
    ]
)


def _content_words(text: str) -> list[str]:
    words = _WORD_RE.findall(text)
    cjk_chars = [w for w in words if _CJK.search(w)]
    latin = [w for w in words if not _CJK.search(w) and w not in _STOP]
    # a run of CJK characters has no spaces: count characters in pairs as words
    return latin + [c[i : i + 2] for c in cjk_chars for i in range(0, len(c), 2)]


def detect_abstention(text: str) -> AbstentionVerdict:
    """Whether a free-text response abstains; see the module docstring for the rules."""
    t = _prepare(text)
    if not t:
        return "answered"
    if _SOLO_STRIP.sub("", t) in SOLO_PHRASES:
        return "abstained"
    match = _ABSTAIN_RE.search(t)
    if match is None:
        return "answered"
    residual = _ABSTAIN_RE.sub(" ", t)
    residual = _BOILER_RE.sub(" ", residual)
    contrast = _CONTRAST_RE.search(residual)
    if contrast is not None and _content_words(residual[contrast.end() :]):
        return "undetermined"
    if len(_content_words(residual)) > MAX_RESIDUAL_WORDS:
        return "undetermined"
    return "abstained"


def abstention_phrases(language: str | None = None) -> tuple[str, ...]:
    """The documented phrase set, for one language or for all."""
    if language is None:
        return ALL_PHRASES
    return ABSTENTION_PHRASES[language]

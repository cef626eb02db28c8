"""Invented person names: first and last names built from syllables, no real persons.

Names are pairs (first, last) drawn without replacement from two generated lists, so a model
must bind two tokens to a fact, as with real names. The syllable inventory and a fixed seed make
every world reproducible; capitalised, pronounceable strings keep the corpus readable.
"""

from __future__ import annotations

import numpy as np

_ONSETS = [
    "b",
    "br",
    "c",
    "ch",
    "d",
    "dr",
    "f",
    "fr",
    "g",
    "gr",
    "h",
    "j",
    "k",
    "kl",
    "l",
    "m",
    "n",
    "p",
    "pr",
    "qu",
    "r",
    "s",
    "sh",
    "st",
    "t",
    "th",
    "tr",
    "v",
    "w",
    "z",
]
_VOWELS = ["a", "e", "i", "o", "u", "ae", "ei", "io", "ou", "y"]
_CODAS = ("", "", "", "n", "r", "l", "s", "th", "x", "m", "nd", "rk")


def _syllable(rng: np.random.Generator) -> str:
    return (
        _ONSETS[rng.integers(len(_ONSETS))]
        + _VOWELS[rng.integers(len(_VOWELS))]
        + _CODAS[rng.integers(len(_CODAS))]
    )


def invent_names(count: int, rng: np.random.Generator, *, syllables: tuple[int, int]) -> list[str]:
    """``count`` distinct capitalised names of ``syllables[0]``..``syllables[1]`` syllables."""
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    lo, hi = syllables
    seen: set[str] = set()
    out: list[str] = []
    attempts = 0
    while len(out) < count:
        attempts += 1
        if attempts > 50 * count + 1000:
            raise ValueError(f"cannot invent {count} distinct names with {syllables} syllables")
        n = int(rng.integers(lo, hi + 1))
        name = "".join(_syllable(rng) for _ in range(n)).capitalize()
        if name in seen or len(name) < 3:
            continue
        seen.add(name)
        out.append(name)
    return out


def invent_name_lists(
    n_first: int, n_last: int, rng: np.random.Generator
) -> tuple[list[str], list[str]]:
    """First names (2 syllables) and last names (2-3 syllables), disjoint from each other."""
    firsts = invent_names(n_first, rng, syllables=(2, 2))
    first_set = set(firsts)
    lasts: list[str] = []
    last_set: set[str] = set()
    while len(lasts) < n_last:
        for name in invent_names(n_last - len(lasts), rng, syllables=(2, 3)):
            if name not in first_set and name not in last_set:
                last_set.add(name)
                lasts.append(name)
    return firsts, lasts

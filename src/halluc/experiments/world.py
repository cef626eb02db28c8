"""A synthetic arbitrary-facts world (the paper's Definition 1) with exact bookkeeping.

People are invented; each has a birthday chosen uniformly from the 365 DD-MM dates, a popularity
mu(c) that follows a Zipf law over popularity ranks, and a probability alpha_c that a mention of
the person states the birthday (otherwise the mention says the birthday is unknown: the IDK
response). The corpus is N examples drawn independently from p(c, r) = mu(c) p(r | c), exactly
the sampling Theorem 2 is about, so each person's number of mentions is a draw from a heavy-tailed
mixture. The world records every count, so the singleton rate (Definition 2) is known exactly.

The population size, the Zipf exponent and N set the singleton rate; ``WorldConfig.target_sr``
solves for the population size that gives a requested expected singleton rate.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import pandas as pd

from halluc.errors import InputError
from halluc.experiments.dates import DATES, N_DATES
from halluc.experiments.names import invent_name_lists
from halluc.experiments.text import TEMPLATES, save_corpus
from halluc.experiments.world_config import Mentions, WorldConfig, zipf_weights
from halluc.log.jsonl import read_json, write_json_atomic
from halluc.render.tables import OutputFormat, render_text_table

IDK = -1
"""The answer code of an "unknown" example."""

WORLD_JSON = "world.json"
PEOPLE_FILE = "people.parquet"
EXAMPLES_FILE = "examples.parquet"
CORPUS_FILE = "corpus.txt"
WORLD_FORMAT_VERSION = 1

__all__ = [
    "IDK",
    "Mentions",
    "SingletonCounts",
    "World",
    "WorldConfig",
    "WorldStats",
    "build_world",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def name_list_size(n_people: int) -> int:
    """First and last names per list, so that pairs outnumber people about three to one."""
    return max(8, math.ceil(math.sqrt(3.0 * n_people)))


@dataclass(frozen=True, slots=True)
class SingletonCounts:
    """Definition 2 computed from the world's own counts."""

    n: int
    n_singletons: int
    n_distinct: int
    """People with at least one answered (non-IDK) mention."""
    n_idk_examples: int

    @property
    def sr(self) -> float:
        return self.n_singletons / self.n


@dataclass(frozen=True, slots=True)
class WorldStats:
    """A drawn world's exact counts (``world.json`` keeps them under ``stats``)."""

    n_examples: int
    n_people: int
    n_singletons: int
    n_distinct_answered: int
    n_idk_examples: int
    singleton_rate: float
    missing_mass: float
    unseen_people: int
    max_mentions: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorldStats:
        return cls(**data)

    def render(self, title: str, fmt: OutputFormat = OutputFormat.TABLE) -> str:
        """One (quantity, value) row per count; rates to four decimals."""
        if fmt is OutputFormat.JSON:
            return orjson.dumps(self.to_dict(), option=orjson.OPT_INDENT_2).decode() + "\n"
        rows = [
            [k, f"{v:.4f}" if isinstance(v, float) else str(v)] for k, v in self.to_dict().items()
        ]
        return render_text_table(["quantity", "value"], rows, fmt, title=title)


@dataclass(slots=True)
class World:
    """People, their facts and popularity, and the corpus with each example's provenance."""

    config: WorldConfig
    first_names: list[str]
    last_names: list[str]
    first: IntArray
    last: IntArray
    birthday: IntArray
    """Index into ``DATES`` of each person's correct date a_c."""
    alpha: FloatArray
    weight: FloatArray
    """mu(c): the prompt distribution, summing to 1."""
    ex_person: IntArray
    ex_answer: IntArray
    """Date index of each example, or ``IDK``."""
    ex_template: IntArray
    answered: IntArray = field(init=False)
    """Mentions of each person that state the birthday."""
    idk_mentions: IntArray = field(init=False)

    def __post_init__(self) -> None:
        n = len(self.birthday)
        known = self.ex_answer != IDK
        self.answered = np.bincount(self.ex_person[known], minlength=n).astype(np.int64)
        self.idk_mentions = np.bincount(self.ex_person[~known], minlength=n).astype(np.int64)

    @property
    def n_people(self) -> int:
        return len(self.birthday)

    @property
    def n_examples(self) -> int:
        return len(self.ex_person)

    def name(self, person: int) -> str:
        return f"{self.first_names[self.first[person]]} {self.last_names[self.last[person]]}"

    def names(self) -> list[str]:
        return [self.name(i) for i in range(self.n_people)]

    def singleton_counts(self) -> SingletonCounts:
        return SingletonCounts(
            n=self.n_examples,
            n_singletons=int((self.answered == 1).sum()),
            n_distinct=int((self.answered > 0).sum()),
            n_idk_examples=int((self.ex_answer == IDK).sum()),
        )

    def missing_mass(self) -> float:
        """MM = sum over people never stated with an answer of mu(c) alpha_c (Appendix B)."""
        unseen = self.answered == 0
        return float((self.weight[unseen] * self.alpha[unseen]).sum())

    def corpus_lines(self) -> list[str]:
        names = self.names()
        return [
            TEMPLATES[int(t)].render(names[int(p)], None if a == IDK else DATES[int(a)])
            for p, a, t in zip(self.ex_person, self.ex_answer, self.ex_template, strict=True)
        ]

    def stats(self) -> WorldStats:
        sc = self.singleton_counts()
        mentioned = self.answered + self.idk_mentions
        return WorldStats(
            n_examples=sc.n,
            n_people=self.n_people,
            n_singletons=sc.n_singletons,
            n_distinct_answered=sc.n_distinct,
            n_idk_examples=sc.n_idk_examples,
            singleton_rate=sc.sr,
            missing_mass=self.missing_mass(),
            unseen_people=int((mentioned == 0).sum()),
            max_mentions=int(mentioned.max()),
        )

    # ---- persistence -------------------------------------------------------------------------

    def save(self, folder: str | Path, *, corpus: bool = True) -> Path:
        """Write world.json, people.parquet, examples.parquet and (optionally) corpus.txt."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        people = pd.DataFrame(
            {
                "person": np.arange(self.n_people),
                "name": self.names(),
                "first": self.first,
                "last": self.last,
                "birthday": [DATES[int(b)] for b in self.birthday],
                "birthday_index": self.birthday,
                "alpha": self.alpha,
                "weight": self.weight,
                "answered_mentions": self.answered,
                "idk_mentions": self.idk_mentions,
            }
        )
        people.to_parquet(out / PEOPLE_FILE, index=False)
        pd.DataFrame(
            {
                "person": self.ex_person.astype(np.int32),
                "answer_index": self.ex_answer.astype(np.int16),
                "template": self.ex_template.astype(np.int8),
            }
        ).to_parquet(out / EXAMPLES_FILE, index=False)
        if corpus:
            save_corpus(self.corpus_lines(), out / CORPUS_FILE)
        write_json_atomic(
            out / WORLD_JSON,
            {
                "format": WORLD_FORMAT_VERSION,
                "config": self.config.to_dict(),
                "stats": self.stats().to_dict(),
                "first_names": self.first_names,
                "last_names": self.last_names,
                "files": {
                    "people": PEOPLE_FILE,
                    "examples": EXAMPLES_FILE,
                    "corpus": CORPUS_FILE if corpus else None,
                },
            },
        )
        return out

    @classmethod
    def load(cls, folder: str | Path) -> World:
        root = Path(folder)
        meta_path = root / WORLD_JSON
        if not meta_path.is_file():
            raise InputError("not a world folder (no world.json)", path=root)
        meta = read_json(meta_path)
        if not isinstance(meta, dict) or meta.get("format") != WORLD_FORMAT_VERSION:
            raise InputError(
                f"unsupported world format {meta.get('format') if isinstance(meta, dict) else ''}",
                path=meta_path,
                field="format",
            )
        try:
            config = WorldConfig.from_dict(meta["config"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"bad world config: {exc}", path=meta_path, field="config") from None
        try:
            people = pd.read_parquet(root / PEOPLE_FILE)
            examples = pd.read_parquet(root / EXAMPLES_FILE)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot read the world's tables: {exc}", path=root) from None
        return cls(
            config=config,
            first_names=list(meta["first_names"]),
            last_names=list(meta["last_names"]),
            first=people["first"].to_numpy(np.int64),
            last=people["last"].to_numpy(np.int64),
            birthday=people["birthday_index"].to_numpy(np.int64),
            alpha=people["alpha"].to_numpy(np.float64),
            weight=people["weight"].to_numpy(np.float64),
            ex_person=examples["person"].to_numpy(np.int64),
            ex_answer=examples["answer_index"].to_numpy(np.int64),
            ex_template=examples["template"].to_numpy(np.int64),
        )


def build_world(config: WorldConfig) -> World:
    """Draw a world: people, facts, popularity and N i.i.d. training examples."""
    rng = np.random.default_rng(config.seed)
    n = config.resolved_population()
    k = name_list_size(n)
    firsts, lasts = invent_name_lists(k, k, rng)
    pair = rng.choice(k * k, size=n, replace=False)
    first, last = np.divmod(pair.astype(np.int64), k)
    birthday = rng.integers(0, N_DATES, size=n).astype(np.int64)
    unknown = rng.random(n) < config.unknown_fraction
    alpha = np.where(unknown, 0.0, config.answer_prob)
    weight = zipf_weights(n, config.zipf_exponent)
    ex_person = rng.choice(n, size=config.n_examples, p=weight).astype(np.int64)
    states = rng.random(config.n_examples) < alpha[ex_person]
    ex_answer = np.where(states, birthday[ex_person], IDK).astype(np.int64)
    ex_template = rng.integers(0, config.n_templates, size=config.n_examples).astype(np.int64)
    return World(
        config=replace(config, n_people=n) if config.n_people is None else config,
        first_names=firsts,
        last_names=lasts,
        first=first,
        last=last,
        birthday=birthday,
        alpha=alpha.astype(np.float64),
        weight=weight,
        ex_person=ex_person,
        ex_answer=ex_answer,
        ex_template=ex_template,
    )

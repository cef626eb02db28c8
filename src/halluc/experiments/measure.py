"""Exact measurement of a trained model against its world: err, δ, err_iiv and both theorems.

For each person c the model's full distribution over the 365 dates, "an unknown date" (IDK) and
everything else ("other": nonsense) after "<name> was born on" is computed exactly
(:mod:`halluc.experiments.candidates`). From it, weighted by the world's prompt distribution mu:

- ``err = p̂(E) + p̂(nonsense)``: the mass on wrong dates plus nonsense (the paper's §5 extension
  counts nonsense as error; it is also reported on its own as ``other``);
- ``acc`` (mass on the right date), ``idk`` (mass on IDK);
- Theorem 1's quantities at the global threshold 1/min_c|E_c| = 1/364: ``δ = |p̂(A) − p(A)|`` over
  the plausible responses and ``err_iiv``, hence the deterministic bound
  ``err >= 2 err_iiv − 2/364 − δ``;
- Theorem 2's bounds from the corpus singleton rate (``halluc.theory.facts``).

Everything is also broken down by how often the fact was stated in training.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from halluc.experiments.candidates import CandidateSet
from halluc.experiments.dates import DATES, MAX_VALID_SET, MIN_ERROR_SET, N_DATES
from halluc.experiments.measurement import BucketRow, IIVTerms, Masses, Measurement
from halluc.experiments.model import LanguageModel, Tokenizer
from halluc.experiments.text import IDK_PHRASE, measure_prompt
from halluc.experiments.world import IDK, World
from halluc.log.outcomes import Mode, Outcome
from halluc.log.records import Record
from halluc.theory.facts import singleton_rate, theorem2_lower_bound, theorem2_upper_bound
from halluc.theory.iiv import theorem1_bound

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

IDK_COLUMN = N_DATES
OTHER_COLUMN = N_DATES + 1
THRESHOLD = 1.0 / MIN_ERROR_SET
UNIFORM_WRONG_SHARE = MIN_ERROR_SET / N_DATES
"""364/365: the share of a uniform guess over the dates that is wrong."""


@dataclass(frozen=True, slots=True)
class Bucket:
    label: str
    lo: int
    hi: int | None
    """Answered mentions in [lo, hi]; ``None`` is unbounded."""
    idk_only: bool | None = None
    """For the zero bucket: split people never mentioned from those only called 'unknown'."""

    def select(self, answered: IntArray, idk_mentions: IntArray) -> npt.NDArray[np.bool_]:
        sel = answered >= self.lo
        if self.hi is not None:
            sel &= answered <= self.hi
        if self.idk_only is True:
            sel &= idk_mentions > 0
        elif self.idk_only is False:
            sel &= idk_mentions == 0
        return sel


BUCKETS: tuple[Bucket, ...] = (
    Bucket("unseen", 0, 0, idk_only=False),
    Bucket("idk-only", 0, 0, idk_only=True),
    Bucket("1", 1, 1),
    Bucket("2", 2, 2),
    Bucket("3-5", 3, 5),
    Bucket("6+", 6, None),
)
"""Groups by the number of training examples that state the person's birthday."""


def candidate_token_ids(tokenizer: Tokenizer) -> list[list[int]]:
    """The 365 dates, then the IDK phrase, as token ids (no special tokens)."""
    out = []
    for text in (*DATES, IDK_PHRASE):
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        if tokenizer.unk_token_id in ids:
            raise ValueError(f"candidate {text!r} is outside the tokenizer's vocabulary")
        out.append(list(ids))
    return out


def prompt_token_ids(tokenizer: Tokenizer, names: Sequence[str]) -> list[list[int]]:
    enc = tokenizer([measure_prompt(n) for n in names], add_special_tokens=True)["input_ids"]
    unk = tokenizer.unk_token_id
    for name, ids in zip(names, enc, strict=True):
        if unk in ids:
            raise ValueError(f"name {name!r} is outside the tokenizer's vocabulary")
    return [list(ids) for ids in enc]


def score_people(
    model: LanguageModel,
    tokenizer: Tokenizer,
    names: Sequence[str],
    *,
    device: str = "cpu",
    batch_size: int = 4096,
) -> FloatArray:
    """(len(names), 367): P(each date), P(IDK), P(other) after "<name> was born on"."""
    cands = CandidateSet(candidate_token_ids(tokenizer))
    prompts = prompt_token_ids(tokenizer, names)
    return cands.distribution(model, prompts, device=device, batch_size=batch_size)


def measure_people(
    model: LanguageModel,
    tokenizer: Tokenizer,
    world: World,
    *,
    device: str = "cpu",
    batch_size: int = 4096,
    people: IntArray | None = None,
) -> PersonScores:
    """Score every person (or ``people``) chunk by chunk, keeping only per-person masses, so
    that a world of millions of people never holds its full (n, 367) matrix in memory."""
    idx = np.arange(world.n_people) if people is None else np.asarray(people, dtype=np.int64)
    cands = CandidateSet(candidate_token_ids(tokenizer))
    parts = []
    chunk = max(batch_size, 1) * 8
    for start in range(0, len(idx), chunk):
        sel = idx[start : start + chunk]
        prompts = prompt_token_ids(tokenizer, [world.name(int(i)) for i in sel])
        dist = cands.distribution(model, prompts, device=device, batch_size=batch_size)
        parts.append(person_scores(dist, world.birthday[sel]))
    return PersonScores.concat(parts)


@dataclass(frozen=True, slots=True)
class PersonScores:
    """Per-person masses derived from the full distribution."""

    correct: FloatArray
    idk: FloatArray
    other: FloatArray
    wrong: FloatArray
    """Mass on the 364 wrong dates."""
    wrong_above: FloatArray
    """How many wrong dates have p̂ > 1/364 (for err_iiv's false positives)."""
    correct_above: npt.NDArray[np.bool_]
    idk_above: npt.NDArray[np.bool_]
    mass_above: FloatArray
    """p̂ mass of the plausible responses above the threshold (for p̂(A))."""
    greedy: IntArray
    """Argmax column: a date index, ``IDK_COLUMN`` or ``OTHER_COLUMN``."""
    greedy_prob: FloatArray

    @property
    def err(self) -> FloatArray:
        out: FloatArray = self.wrong + self.other
        return out

    @classmethod
    def concat(cls, parts: Sequence[PersonScores]) -> PersonScores:
        names = cls.__dataclass_fields__
        return cls(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in names})


def person_scores(dist: FloatArray, birthday: IntArray) -> PersonScores:
    rows = np.arange(dist.shape[0])
    dates = dist[:, :N_DATES]
    correct = dates[rows, birthday]
    wrong = dates.sum(axis=1) - correct
    above = dates > THRESHOLD
    correct_above = above[rows, birthday]
    idk = dist[:, IDK_COLUMN]
    idk_above = idk > THRESHOLD
    mass_above = np.where(above, dates, 0.0).sum(axis=1) + np.where(idk_above, idk, 0.0)
    return PersonScores(
        correct=correct,
        idk=idk,
        other=dist[:, OTHER_COLUMN],
        wrong=np.maximum(wrong, 0.0),
        wrong_above=(above.sum(axis=1) - correct_above).astype(np.float64),
        correct_above=correct_above,
        idk_above=idk_above,
        mass_above=mass_above,
        greedy=dist.argmax(axis=1).astype(np.int64),
        greedy_prob=dist.max(axis=1),
    )


def theorem1_terms(s: PersonScores, mu: FloatArray, alpha: FloatArray) -> IIVTerms:
    """δ, p̂(A), p(A), err_iiv and its two parts, exactly, under mu.

    A = {(c, r) plausible : p̂(r|c) > 1/364}. p puts alpha_c on a_c and 1 − alpha_c on IDK.
    D is half p, half a uniform wrong date; f̂ says "valid" iff p̂ > 1/364.
    """
    p_hat_a = float((mu * s.mass_above).sum())
    p_a = float((mu * (alpha * s.correct_above + (1.0 - alpha) * s.idk_above)).sum())
    false_neg = 0.5 * float((mu * (alpha * ~s.correct_above + (1.0 - alpha) * ~s.idk_above)).sum())
    false_pos = 0.5 * float((mu * s.wrong_above / MIN_ERROR_SET).sum())
    return IIVTerms(
        delta=abs(p_hat_a - p_a),
        p_hat_a=p_hat_a,
        p_a=p_a,
        err_iiv=false_pos + false_neg,
        false_positive=false_pos,
        false_negative=false_neg,
    )


def _masses(s: PersonScores, w: FloatArray) -> Masses:
    total = float(w.sum())
    if total <= 0:
        nan = float("nan")
        return Masses(nan, nan, nan, nan, nan)
    return Masses(
        err=float((w * s.err).sum() / total),
        acc=float((w * s.correct).sum() / total),
        idk=float((w * s.idk).sum() / total),
        other=float((w * s.other).sum() / total),
        wrong=float((w * s.wrong).sum() / total),
    )


def bucket_table(world: World, s: PersonScores) -> tuple[BucketRow, ...]:
    """Per mention-count group: people, mu-mass, mu-weighted masses, uniform-guess reference."""
    rows = []
    for b in BUCKETS:
        sel = b.select(world.answered, world.idk_mentions)
        w = np.where(sel, world.weight, 0.0)
        m = _masses(s, w)
        n_sel = int(sel.sum())
        rows.append(
            BucketRow(
                bucket=b.label,
                people=n_sel,
                mass=float(w.sum()),
                **m.to_dict(),
                err_people_mean=float(s.err[sel].mean()) if n_sel else float("nan"),
                uniform_guess_err=UNIFORM_WRONG_SHARE * (1.0 - m.idk),
                greedy_abstain=float((s.greedy[sel] == IDK_COLUMN).mean())
                if n_sel
                else float("nan"),
            )
        )
    return tuple(rows)


def calibrated_reference_err(world: World) -> float:
    """Error of Theorem 2's calibrated algorithm on this world: memorise every answer seen,
    and for a person never seen with an answer abstain with probability 1 − alpha_c, else guess
    uniformly: sum over those people of mu(c) alpha_c 364/365."""
    unseen = world.answered == 0
    return float((world.weight * world.alpha)[unseen].sum() * UNIFORM_WRONG_SHARE)


def summarize(world: World, s: PersonScores, *, gamma: float = 0.01) -> Measurement:
    """Every number of the measurement: masses, Theorems 1 and 2, and the same by bucket."""
    stats = singleton_rate(world.ex_person, world.ex_answer == IDK)
    masses = _masses(s, world.weight)
    mentions = (world.answered + world.idk_mentions).astype(np.float64)
    train_mix = _masses(s, mentions / mentions.sum())
    t1 = theorem1_terms(s, world.weight, world.alpha)
    lower = theorem2_lower_bound(stats.sr, stats.n, MIN_ERROR_SET, t1.delta, gamma)
    upper = theorem2_upper_bound(stats.sr, stats.n, MIN_ERROR_SET, gamma)
    b1 = theorem1_bound(min(1.0, t1.err_iiv), MAX_VALID_SET, MIN_ERROR_SET, t1.delta)
    return Measurement(
        masses=masses,
        err_on_training_mix=train_mix.err,
        singletons=stats,
        missing_mass=world.missing_mass(),
        calibrated_reference_err=calibrated_reference_err(world),
        iiv=t1,
        theorem1=b1,
        theorem1_holds=b1.check(masses.err, tol=1e-9),
        theorem2_lower=lower,
        theorem2_upper=upper,
        theorem2_lower_no_slack=stats.sr - 2.0 / MIN_ERROR_SET - t1.delta,
        theorem2_upper_no_slack=stats.sr - stats.sr / (MIN_ERROR_SET + 1),
        buckets=bucket_table(world, s),
    )


def greedy_outcomes(world: World, s: PersonScores) -> list[Outcome]:
    """What greedy decoding would say, graded: right date, wrong date, IDK, or nonsense."""
    out = []
    for g, b in zip(s.greedy, world.birthday, strict=True):
        if g == OTHER_COLUMN:
            out.append(Outcome.ERROR)
        elif g == IDK_COLUMN:
            out.append(Outcome.ABSTAINED)
        elif g == b:
            out.append(Outcome.CORRECT)
        else:
            out.append(Outcome.INCORRECT)
    return out


def bucket_label(answered: int, idk_mentions: int) -> str:
    for b in BUCKETS:
        one = np.array([answered])
        if b.select(one, np.array([idk_mentions]))[0]:
            return b.label
    raise AssertionError("buckets cover every count")


def greedy_answer(column: int) -> str:
    """The text of a greedy answer column: a date, the IDK phrase, or "(other)"."""
    if column == IDK_COLUMN:
        return IDK_PHRASE
    return "(other)" if column == OTHER_COLUMN else DATES[column]


def greedy_records(world: World, s: PersonScores, model: str) -> Iterator[Record]:
    """One record per person: the greedy answer, graded, with its exact probability.

    These are what ``halluc score`` reads, so a measured model can be scored at any t.
    """
    outcomes = greedy_outcomes(world, s)
    for i in range(world.n_people):
        answered, idk = int(world.answered[i]), int(world.idk_mentions[i])
        yield Record(
            item_id=world.name(i),
            model=model,
            outcome=outcomes[i],
            mode=Mode.GREEDY,
            response=greedy_answer(int(s.greedy[i])),
            confidence=float(s.greedy_prob[i]),
            confidence_method="exact probability of the greedy answer",
            grader="exact-date-match",
            metadata={
                "answered_mentions": answered,
                "bucket": bucket_label(answered, idk),
                "p_correct": float(s.correct[i]),
                "p_idk": float(s.idk[i]),
            },
        )

"""The calculators behind ``halluc bounds``: each theorem from numbers or files, with its work.

Every function here takes the quantities a theorem talks about (or a file they are computed
from), checks them, and returns a :class:`~halluc.theory.worksheet.Worksheet` with the inputs,
the derived quantities and the bounds. Errors name the parameters of these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from halluc.errors import InputError
from halluc.theory._checks import integer, probability
from halluc.theory.facts import (
    lemma1_radius,
    min_n_for_nonvacuous,
    theorem2_lower_bound,
    theorem2_upper_bound,
)
from halluc.theory.factsfile import DEFAULT_IDK, FactsData, read_facts_file
from halluc.theory.goodturing import (
    extrapolate_singleton_rate,
    frequency_of_frequencies,
    good_turing_summary,
)
from halluc.theory.hardness import message_space_for_bits, observation2_bound
from halluc.theory.iiv import analyze, theorem1_bound
from halluc.theory.multiple_choice import theorem3_bound
from halluc.theory.tablefile import read_instance_table
from halluc.theory.worksheet import Section, Value, Worksheet


@dataclass(frozen=True)
class FactsSource:
    """A facts file (JSON Lines of training examples) and the fields to read from it."""

    path: Path
    prompt_field: str = "prompt"
    response_field: str = "response"
    idk: tuple[str, ...] = DEFAULT_IDK
    """Responses that mean "I don't know" (compared after stripping and case-folding)."""

    def read(self) -> FactsData:
        return read_facts_file(
            self.path,
            prompt_field=self.prompt_field,
            response_field=self.response_field,
            idk=self.idk,
        )


def _training_data(facts: FactsSource) -> tuple[Section, float, int]:
    """The facts file's counts, its singleton rate and N."""
    data = facts.read()
    st = data.singleton_stats()
    gt = good_turing_summary(data.fof())
    rows: list[tuple[str, Value]] = [
        ("N (all examples)", st.n),
        ("IDK examples", st.n_idk),
        ("distinct answered prompts", st.n_distinct),
        ("singletons", st.n_singletons),
        ("sr = singletons / N", st.sr),
        ("Good-Turing missing mass F1/(answered N)", gt["missing_mass"]),
    ]
    return Section.of(f"training data ({facts.path})", rows), st.sr, st.n


def theorem2_worksheet(
    min_error_set: int,
    *,
    sr: float | None = None,
    n: int | float | None = None,
    facts: FactsSource | None = None,
    max_error_set: int | None = None,
    delta: float = 0.0,
    gamma: float = 0.01,
) -> Worksheet:
    """Theorem 2's lower and upper bounds from ``sr`` and ``n``, or from a facts file.

    ``max_error_set`` defaults to ``min_error_set`` (every prompt has as many wrong answers).
    The context section gives Lemma 1's radius and the N at which the lower bound turns
    positive for the same singleton rate.
    """
    if facts is not None:
        if sr is not None or n is not None:
            raise InputError("give either facts or sr and n, not both", field="facts")
        data, sr_v, n_v = _training_data(facts)
    else:
        if sr is None or n is None:
            raise InputError("give sr and n, or facts", field="sr")
        sr_v, n_v = probability(sr, "sr"), integer(n, "n", minimum=1)
        data = Section.of("inputs", [("sr", sr_v), ("N", n_v)])
    big_l = min_error_set if max_error_set is None else max_error_set
    if big_l < min_error_set:
        raise InputError(
            f"max |E_c| ({big_l}) is below min |E_c| ({min_error_set})", field="max_error_set"
        )
    lower = theorem2_lower_bound(sr_v, n_v, min_error_set, delta, gamma)
    upper = theorem2_upper_bound(sr_v, n_v, big_l, gamma)
    need = min_n_for_nonvacuous(sr_v, min_error_set, delta, gamma)
    context = Section.of(
        "context",
        [
            ("Lemma 1: |MM - sr| <= (w.p. 1-gamma)", lemma1_radius(n_v, gamma)),
            (
                "N at which the lower bound turns positive (same sr)",
                "never" if need is None else need,
            ),
        ],
    )
    return Worksheet((data, context), (lower, upper))


def theorem1_worksheet(
    *,
    table: Path | None = None,
    err_iiv: float | None = None,
    max_valid_set: int | None = None,
    min_error_set: int | None = None,
    delta: float = 0.0,
) -> Worksheet:
    """Theorem 1 from its three numbers, or from a probability table where all is computed."""
    if table is not None:
        if err_iiv is not None:
            raise InputError("give either table or err_iiv, not both", field="table")
        res = analyze(read_instance_table(table))
        rows: list[tuple[str, Value]] = [
            ("err = p_hat(E)", res.err),
            ("threshold 1/min|E_c|", res.threshold),
            ("err_iiv", res.err_iiv),
            ("  false positives D(A\\V)", res.false_positive),
            ("  false negatives D(B & V)", res.false_negative),
            ("p_hat(A)", res.p_hat_a),
            ("p(A)", res.p_a),
            ("delta", res.delta),
            ("bound holds", res.bound.check(res.err)),
        ]
        return Worksheet((Section.of(f"instance ({table})", rows),), (res.bound,))
    if err_iiv is None or max_valid_set is None or min_error_set is None:
        raise InputError(
            "give table, or all of err_iiv, max_valid_set and min_error_set", field="err_iiv"
        )
    return Worksheet(bounds=(theorem1_bound(err_iiv, max_valid_set, min_error_set, delta),))


def theorem3_worksheet(opt_g: float, n_choices: int) -> Worksheet:
    """Theorem 3 (pure multiple choice): err >= 2(1 - 1/C) opt(G)."""
    return Worksheet(bounds=(theorem3_bound(opt_g, n_choices),))


def observation2_worksheet(
    beta: float,
    *,
    message_space: int | float | None = None,
    bits: int | None = None,
    delta: float = 0.0,
) -> Worksheet:
    """Observation 2 with |M| given directly or as a number of bits."""
    if (message_space is None) == (bits is None):
        raise InputError("give exactly one of message_space or bits", field="message_space")
    if bits is not None:
        m = message_space_for_bits(bits)
    else:
        m = integer(message_space, "message_space", minimum=2)
    return Worksheet(bounds=(observation2_bound(beta, m, delta),))


def goodturing_worksheet(
    *,
    facts: FactsSource | None = None,
    counts: Sequence[int | float] | None = None,
    n_new: int | float | None = None,
    confidence: float = 0.95,
) -> Worksheet:
    """Good-Turing quantities of the non-IDK prompts of a facts file, or of per-item counts.

    With a facts file the singleton rate over all N (IDK included) is added; with
    ``n_new`` (at most 2N) the Good-Toulmin singleton rate at that larger N.
    """
    if (facts is None) == (counts is None):
        raise InputError("give exactly one of facts or counts", field="facts")
    n_total: int | None = None
    if facts is not None:
        data = facts.read()
        fof, n_total = data.fof(), data.n
    else:
        fof = frequency_of_frequencies(list(counts or ()))
    if not fof:
        raise InputError("no non-IDK observations", field="facts" if facts else "counts")
    if not 0.0 < confidence < 1.0:
        raise InputError(f"must be in (0, 1), got {confidence:g}", field="confidence")
    summ = good_turing_summary(fof, confidence=confidence)
    rows: list[tuple[str, Value]] = list(summ.items())
    if n_total is not None:
        rows.append(("N incl. IDK", n_total))
        rows.append(("sr = f1 / N incl. IDK", summ["f1"] / n_total))
    if n_new is not None:
        target = integer(n_new, "n_new", minimum=1)
        sr_at = extrapolate_singleton_rate(fof, target, n_total=n_total)
        rows.append((f"sr at N = {target} (Good-Toulmin)", sr_at))
    top = [(f"F_{r}", f) for r, f in sorted(fof.items())[:10]]
    return Worksheet(
        (Section.of("Good-Turing", rows), Section.of("frequency of frequencies (first 10)", top))
    )

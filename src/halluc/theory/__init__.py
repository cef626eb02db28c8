"""The paper's theory as calculators: pure functions of numbers and finite distributions.

- :mod:`~halluc.theory.iiv`: Theorem 1 and Corollary 1 on finite instances (the Is-It-Valid
  reduction; instances in :mod:`~halluc.theory.iiv_instance`), with
  :mod:`~halluc.theory.iiv_estimate` for estimating δ and err_iiv from samples;
- :mod:`~halluc.theory.facts`: arbitrary facts (Definition 1), the singleton rate and
  Theorem 2; :mod:`~halluc.theory.facts_models`: the calibrated algorithm and a counting
  model;
- :mod:`~halluc.theory.multiple_choice`: Theorems 3 and 4, opt(G), the trigram example;
- :mod:`~halluc.theory.goodturing`: frequency-of-frequencies, missing mass, Esty, Chao1,
  Good–Toulmin, McAllester–Ortiz;
- :mod:`~halluc.theory.hardness`: Observation 2;
- :mod:`~halluc.theory.calculators`: each theorem from numbers or files as a
  :class:`~halluc.theory.worksheet.Worksheet` with every term (what ``halluc bounds`` prints;
  imported on its own, not from here).

No I/O here except :mod:`~halluc.theory.factsfile` and :mod:`~halluc.theory.tablefile`, which
read training examples and probability tables.
"""

from __future__ import annotations

from halluc.theory.bound import Bound
from halluc.theory.facts import (
    IDK,
    ArbitraryFacts,
    SingletonStats,
    TrainingSample,
    lemma1_radius,
    singleton_rate,
    theorem2_lower_bound,
    theorem2_upper_bound,
)
from halluc.theory.facts_models import (
    FactsModel,
    calibrated_algorithm,
    counting_model,
    estimate_alpha,
    theorem2_trial,
)
from halluc.theory.goodturing import (
    chao1,
    esty_interval,
    extrapolate_singleton_rate,
    frequency_of_frequencies,
    good_toulmin,
    good_turing_summary,
    mcallester_ortiz_radius,
    missing_mass,
)
from halluc.theory.hardness import observation2_bound
from halluc.theory.iiv import (
    IIVAnalysis,
    Instance,
    analyze,
    corollary1,
    make_instance,
    theorem1_bound,
)
from halluc.theory.iiv_estimate import estimate_delta, estimate_err_iiv, estimated_theorem1
from halluc.theory.multiple_choice import (
    opt_thresholded,
    poor_model_bound,
    theorem3_bound,
    theorem4,
    threshold_sweep,
    trigram_example,
)

__all__ = [
    "IDK",
    "ArbitraryFacts",
    "Bound",
    "FactsModel",
    "IIVAnalysis",
    "Instance",
    "SingletonStats",
    "TrainingSample",
    "analyze",
    "calibrated_algorithm",
    "chao1",
    "corollary1",
    "counting_model",
    "estimate_alpha",
    "estimate_delta",
    "estimate_err_iiv",
    "estimated_theorem1",
    "esty_interval",
    "extrapolate_singleton_rate",
    "frequency_of_frequencies",
    "good_toulmin",
    "good_turing_summary",
    "lemma1_radius",
    "make_instance",
    "mcallester_ortiz_radius",
    "missing_mass",
    "observation2_bound",
    "opt_thresholded",
    "poor_model_bound",
    "singleton_rate",
    "theorem1_bound",
    "theorem2_lower_bound",
    "theorem2_trial",
    "theorem2_upper_bound",
    "theorem3_bound",
    "theorem4",
    "threshold_sweep",
    "trigram_example",
]

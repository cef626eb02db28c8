"""Reproductions on models trained here: a synthetic arbitrary-facts world (birthdays of invented
people), small GPT-2 style models pre-trained on its text, exact measurement of their errors
against the singleton rate (Theorems 1 and 2), and post-training under binary grading versus
confidence targets.

- :mod:`~halluc.experiments.api`: the front, one function per ``halluc simulate`` command;
- :mod:`~halluc.experiments.world` (settings in :mod:`~halluc.experiments.world_config`): the
  world and its corpus, with exact mention counts;
- :mod:`~halluc.experiments.train`: pre-training; :mod:`~halluc.experiments.model`: sizes,
  torch set-up and Hugging Face checkpoints; :mod:`~halluc.experiments.pipeline`: world, train,
  measure, each resumable in its folder;
- :mod:`~halluc.experiments.candidates` and :mod:`~halluc.experiments.measure`: exact scoring
  of all 365 dates and IDK, and the :class:`~halluc.experiments.measurement.Measurement`
  computed from it;
- :mod:`~halluc.experiments.sweep` (result rows in :mod:`~halluc.experiments.sweep_result`) and
  :mod:`~halluc.experiments.incentives` (post-training in
  :mod:`~halluc.experiments.posttrain`, numbers in :mod:`~halluc.experiments.incentives_stats`,
  the result in :mod:`~halluc.experiments.incentives_result`): the two experiments.

Importing this package before torch asks OpenMP to let idle threads sleep
(``OMP_WAIT_POLICY=PASSIVE``, unless already set): on a machine shared with other work, spinning
threads made two-thread training about ten times slower in our measurements.
"""

from __future__ import annotations

import os
import sys

if "torch" not in sys.modules:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

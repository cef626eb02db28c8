"""Reproductions on models trained here: a synthetic arbitrary-facts world (birthdays of invented
people), small GPT-2 style models pre-trained on its text, exact measurement of their errors
against the singleton rate (Theorems 1 and 2), and post-training under binary grading versus
confidence targets.

- :mod:`~halluc.experiments.world`: the world and its corpus, with exact mention counts;
- :mod:`~halluc.experiments.train`: pre-training; :mod:`~halluc.experiments.model`: sizes and
  Hugging Face checkpoints;
- :mod:`~halluc.experiments.candidates` and :mod:`~halluc.experiments.measure`: exact scoring
  of all 365 dates and IDK, and everything computed from it;
- :mod:`~halluc.experiments.sweep` and :mod:`~halluc.experiments.incentives`: the two
  experiments behind ``halluc simulate``.

Importing this package before torch asks OpenMP to let idle threads sleep
(``OMP_WAIT_POLICY=PASSIVE``, unless already set): on a machine shared with other work, spinning
threads made two-thread training about ten times slower in our measurements.
"""

from __future__ import annotations

import os
import sys

if "torch" not in sys.modules:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

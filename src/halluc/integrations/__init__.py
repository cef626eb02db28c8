"""Confidence targets inside the tools people already use (each an optional extra).

* :mod:`halluc.integrations.inspect_scorer`: an Inspect solver step, scorer and metrics;
* :mod:`halluc.integrations.lm_eval_task`: an lm-evaluation-harness task template and metric;
* :mod:`halluc.integrations.trl_reward`: a reward function for TRL-style RL trainers.

Submodules import their harness on import; this package imports none of them.
"""

"""Evaluation with confidence targets: settings, prompts, the client, confidence, policy, runner."""

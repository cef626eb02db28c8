"""Shared test settings: hypothesis runs derandomized so CI is reproducible."""

from hypothesis import settings

settings.register_profile("halluc", derandomize=True, deadline=None)
settings.load_profile("halluc")

"""Fixtures the command tests share with the library tests they mirror."""

from tests.census.conftest import (
    corpus,
    corpus_files,
    items_file,
    mention_files,
    mentions,
    world,
)

__all__ = ["corpus", "corpus_files", "items_file", "mention_files", "mentions", "world"]

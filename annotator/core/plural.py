"""Counted nouns for messages: "1 document", "3 documents", never "3 document(s)"."""

from __future__ import annotations


def plural(n: int, word: str, words: str | None = None) -> str:
    """``n`` and the noun that goes with it: ``plural(1, "entity", "entities")`` -> "1 entity"."""
    return f"{n} {word if n == 1 else words or word + 's'}"

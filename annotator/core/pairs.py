"""``KEY=VALUE`` lists, the form settings and options take: ``GPE=LOC,PER=PERSON`` (``--rename``),
``en=en_core_web_sm;fr=/models/fr`` (``ANNOTATOR_PIPELINES``), ``fr:PER=PERSON`` (``ANNOTATOR_LABEL_MAPPING``).

One parser for all of them; each caller words its own error, naming its setting.
"""

from __future__ import annotations

from dataclasses import dataclass


class PairError(ValueError):
    """An item that does not look like KEY=VALUE; ``item`` is the item as written (trimmed)."""

    def __init__(self, item: str) -> None:
        super().__init__(item)
        self.item = item


@dataclass(frozen=True)
class Pair:
    item: str  # as written (trimmed), for the caller's own error messages
    key: str
    value: str


def parse_pairs(spec: str, *, items: str = ",", sep: str = "=", empty_value: bool = False) -> list[Pair]:
    """Items split on ``items``, each split at its first ``sep``; key and value trimmed, blank items
    skipped, order and repeated keys kept. Raises ``PairError`` for an item with no ``sep``, an empty
    key, or (unless ``empty_value``) an empty value."""
    pairs = []
    for item in filter(None, (part.strip() for part in spec.split(items))):
        key, found, value = item.partition(sep)
        key, value = key.strip(), value.strip()
        if not found or not key or not (value or empty_value):
            raise PairError(item)
        pairs.append(Pair(item, key, value))
    return pairs

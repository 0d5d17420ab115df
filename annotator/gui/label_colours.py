"""The colour Add label… proposes for a new label, as a ``QColor``: ``core.colours.new_label_colour``
(the one farthest from every label's colour, among light colours black text reads on)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QColor

from annotator.core import colours


def new_label_colour(used: Iterable[str]) -> QColor:
    return QColor(colours.new_label_colour(used))

"""The colour Add label… proposes for a new label: the one farthest (CIELAB Delta E 1976) from every
label's colour, among light colours black text reads on. It proposed one fixed light blue, the colour
the import gives its first new label and next to LAW's and PERSON's: three labels looked alike."""

from __future__ import annotations

import math
from collections.abc import Iterable

from PySide6.QtGui import QColor


def luminance(colour: QColor) -> float:
    """WCAG relative luminance."""
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.red()) + 0.7152 * channel(colour.green()) + 0.0722 * channel(colour.blue())


ENTITY_TEXT = QColor("#111111")  # article_view's text on every entity
# Hues every 10 degrees at two saturations and two values, kept where the entity text reads (WCAG AA).
CANDIDATES: tuple[QColor, ...] = tuple(
    c for c in (QColor.fromHsv(h, s, v) for h in range(0, 360, 10) for s in (90, 150) for v in (235, 255))
    if (luminance(c) + 0.05) / (luminance(ENTITY_TEXT) + 0.05) >= 4.5)


def lab(colour: QColor) -> tuple[float, float, float]:
    """sRGB (D65) to CIELAB."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v / 255) for v in (colour.red(), colour.green(), colour.blue()))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def new_label_colour(used: Iterable[str]) -> QColor:
    """The candidate whose nearest used colour is farthest away (the first candidate when none is used)."""
    taken = [lab(QColor(c)) for c in used]
    if not taken:
        return CANDIDATES[0]
    return max(CANDIDATES, key=lambda c: min(math.dist(lab(c), t) for t in taken))

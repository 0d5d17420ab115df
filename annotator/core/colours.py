"""Label colours far apart: the colour a new label gets (from Add label… or an import) is the one
farthest (CIELAB Delta E 1976) from every label's colour, among light colours black entity text reads
on (WCAG AA). Imports handed out a fixed list (#a0c4ff first, next to LAW's and PERSON's colours)."""

from __future__ import annotations

import colorsys
import math
from collections.abc import Iterable

ENTITY_TEXT = "#111111"  # the article view's text on every entity


def rgb(colour: str) -> tuple[int, int, int]:
    """``#rrggbb`` as integers."""
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def luminance(colour: str) -> float:
    """WCAG relative luminance."""
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = rgb(colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def lab(colour: str) -> tuple[float, float, float]:
    """sRGB (D65) to CIELAB."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v / 255) for v in rgb(colour))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _hsv(h: int, s: int, v: int) -> str:
    r, g, b = colorsys.hsv_to_rgb(h / 360, s / 255, v / 255)
    return "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in (r, g, b)))


# Hues every 10 degrees at two saturations and two values, kept where the entity text reads (WCAG AA).
CANDIDATES: tuple[str, ...] = tuple(
    c for c in (_hsv(h, s, v) for h in range(0, 360, 10) for s in (90, 150) for v in (235, 255))
    if (luminance(c) + 0.05) / (luminance(ENTITY_TEXT) + 0.05) >= 4.5)


_CANDIDATE_LABS = tuple(lab(c) for c in CANDIDATES)
FARTHEST_FOR = 64  # new labels given the farthest colour; more (a file with hundreds) cycle the candidates


def farthest(taken: list[tuple[float, float, float]]) -> str:
    """The candidate whose nearest colour in ``taken`` (CIELAB) is farthest away (the first when none)."""
    if not taken:
        return CANDIDATES[0]
    best = max(range(len(CANDIDATES)), key=lambda i: min(math.dist(_CANDIDATE_LABS[i], t) for t in taken))
    return CANDIDATES[best]


def new_label_colour(used: Iterable[str]) -> str:
    """The candidate whose nearest used colour is farthest away (the first candidate when none is used)."""
    return farthest([lab(c) for c in used])


def new_label_colours(used: Iterable[str], n: int) -> list[str]:
    """Colours for ``n`` new labels, each the farthest from the used ones and those chosen before it
    (after ``FARTHEST_FOR`` of them, the candidates in turn: the choice grows with every label)."""
    taken = [lab(c) for c in used]
    out: list[str] = []
    for i in range(n):
        colour = farthest(taken) if i < FARTHEST_FOR else CANDIDATES[i % len(CANDIDATES)]
        taken.append(lab(colour))
        out.append(colour)
    return out

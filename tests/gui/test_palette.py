"""The palette works: every label colour is told apart from every other, and confirmed from suggested,
by colour difference computed from the colours themselves (CIELAB Delta E 1976); a colour can be changed."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

from PySide6.QtGui import QColor, QTextCursor

from annotator.core import colours
from annotator.core.labels import DEFAULT_LABELS
from annotator.core.span import SpanData
from annotator.gui.article_view import suggestion_colour
from tests.gui.conftest import settle, single_document_store


def lab(colour: QColor) -> tuple[float, float, float]:
    return colours.lab(colour.name())


def delta_e(a: QColor, b: QColor) -> float:
    return math.dist(lab(a), lab(b))


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio."""
    hi, lo = sorted((colours.luminance(a.name()), colours.luminance(b.name())), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_label_is_distinguishable_confirmed_and_suggested(qapp) -> None:  # type: ignore[no-untyped-def]
    solid = {lb.name: QColor(lb.colour) for lb in DEFAULT_LABELS}
    pale = {lb.name: suggestion_colour(lb.colour) for lb in DEFAULT_LABELS}
    for name in solid:  # confirmed vs suggested, same label
        assert delta_e(solid[name], pale[name]) >= 15, name
    for a, b in itertools.combinations(solid, 2):  # two labels, both confirmed
        assert delta_e(solid[a], solid[b]) >= 15, (a, b)
    for a, b in itertools.permutations(solid, 2):  # a confirmed one never looks like another's suggestion
        assert delta_e(solid[a], pale[b]) >= 12, (a, b)
    text = QColor("#111111")
    for name in solid:  # entity text stays readable on both (WCAG AA for normal text: 4.5)
        assert contrast(text, solid[name]) >= 4.5 and contrast(text, pale[name]) >= 4.5, name


def test_a_labels_colour_can_be_changed(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = single_document_store(tmp_path, "Antony Blinken met Nasser Bourita in Rabat.")
    store.replace_suggestions({1: [SpanData(36, 41, "GPE")]}, "m@1")
    window = make_window(store)
    window.label_actions.change_colour("GPE", "#123456")
    settle(qtbot, window)
    assert next(lb.colour for lb in store.labels() if lb.name == "GPE") == "#123456"
    assert "#123456" in window.labels_panel.buttons["GPE"].styleSheet()
    cursor = QTextCursor(window.article.document())
    cursor.setPosition(38)
    assert cursor.charFormat().background().color() == suggestion_colour("#123456")

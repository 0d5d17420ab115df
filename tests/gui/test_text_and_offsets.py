"""Qt counts UTF-16 units and folds CRLF; the store must still get exact Python offsets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor, QTextDocument

from annotator.gui.offsets import OffsetMap
from tests.gui.conftest import settle, single_document_store


@pytest.mark.parametrize("text", ["ab\r\ncd", "\U0001F44D x", "a😀b😀\r\n\r\nc", "plain", "x\r\ny😀z\r\n",
                                  "n\xa0b", "é\u0301 🇲🇦 family 👨‍👩‍👧 end"])
def test_offset_map_agrees_with_qt_for_every_character(text: str) -> None:
    m = OffsetMap(text)
    doc = QTextDocument()
    doc.setPlainText(text)
    assert m.to_qt(len(text)) == doc.characterCount() - 1
    for i, c in enumerate(text):
        if c == "\n" and i > 0 and text[i - 1] == "\r":
            continue  # CRLF is one Qt position, owned by the CR
        q = m.to_qt(i)
        cursor = QTextCursor(doc)
        cursor.setPosition(q)
        cursor.setPosition(q + (2 if ord(c) > 0xFFFF else 1), QTextCursor.MoveMode.KeepAnchor)
        assert cursor.selectedText() == {"\r": "\u2029", "\n": "\u2029"}.get(c, c)
        assert m.to_python(q) == i


def _select_by_qt_positions(window, start_qt: int, end_qt: int) -> None:  # type: ignore[no-untyped-def]
    """Select the way a mouse does: in the widget's own (UTF-16) positions."""
    cursor = window.article.textCursor()
    cursor.setPosition(start_qt)
    cursor.setPosition(end_qt, QTextCursor.MoveMode.KeepAnchor)
    window.article.setTextCursor(cursor)


def _find_qt(window, needle: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    found = window.article.document().find(needle)
    assert not found.isNull()
    return found.selectionStart(), found.selectionEnd()


@pytest.mark.parametrize(
    "text",
    [
        "👍🏽 Fans 😀😀 cheered as Antony Blinken met Nasser Bourita.",
        "Headline\r\n\r\nFans cheered\r\nas Antony Blinken met Nasser Bourita.",
        "Le\xa0ministre 🇲🇦 a reçu Antony Blinken à Rabat.",
    ],
)
def test_entity_after_emoji_crlf_nbsp_is_stored_at_exact_python_offsets(qtbot, make_window, tmp_path: Path,
                                                                      text: str) -> None:  # type: ignore[no-untyped-def]
    store = single_document_store(tmp_path, text)
    window = make_window(store)
    start_qt, end_qt = _find_qt(window, "Antony Blinken")
    if "\r\n" not in text:
        assert start_qt != text.index("Antony")  # the two counts really differ here
    _select_by_qt_positions(window, start_qt, end_qt)
    qtbot.keyClick(window.article, Qt.Key.Key_1)
    settle(qtbot, window)
    (span,) = store.view(1, "alice").confirmed
    assert text[span.start : span.end] == "Antony Blinken"
    assert (span.start, span.end) == (text.index("Antony"), text.index("Antony") + 14)
    # and it is highlighted where it is: the character format at the Qt position has the colour
    cursor = QTextCursor(window.article.document())
    cursor.setPosition(start_qt + 1)
    person = next(lb.colour for lb in store.labels() if lb.name == "PERSON")
    assert cursor.charFormat().background().color().name() == person


def test_article_text_is_plain_never_html(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "<b>Bourita</b> &amp; <script>alert(1)</script> <img src=x onerror=alert(1)>"
    store = single_document_store(tmp_path, text)
    window = make_window(store)
    assert window.article.toPlainText() == text
    assert window.editor.header.text() == text[:79] + "…" or window.editor.header.text() == text
    assert window.editor.header.textFormat() == Qt.TextFormat.PlainText
    i = text.index("Bourita")
    window.article.select_range(i, i + 7)
    qtbot.keyClick(window.article, Qt.Key.Key_1)
    settle(qtbot, window)
    (span,) = store.view(1, "alice").confirmed
    # spaCy's English tokenizer keeps "Bourita</b" as one token: the span snaps to it, as plain text
    assert text[span.start : span.end] == "Bourita</b"


def test_switching_articles_does_not_carry_formats_over(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    """Regression: QTextEdit.setPlainText reuses the cursor's char format; an article whose first
    word is an entity used to paint the whole next article in that colour."""
    window = make_window(seeded_store)
    ids = window.documents.visible_ids()
    window.open_document(ids[0])  # starts with "Blinken", a suggestion
    settle(qtbot, window)
    window.open_document(ids[1])
    settle(qtbot, window)
    entities = window.article.spans
    plain = next(i for i in range(len(window.view.text)) if not any(s.start <= i < s.end for s in entities)
                 and not window.view.text[i].isspace())
    cursor = QTextCursor(window.article.document())
    cursor.setPosition(OffsetMap(window.view.text).to_qt(plain) + 1)
    assert cursor.charFormat().background().style() == Qt.BrushStyle.NoBrush

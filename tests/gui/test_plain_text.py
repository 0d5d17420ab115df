"""Every string that comes from data is shown as plain text: titles, article text, label names,
annotator names and file names never reach Qt's HTML renderer (an <img> of 40,000 px froze the
window; a local file could be loaded)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import QToolTip

from annotator.core.document import NewDocument
from annotator.core.span import SpanData
from annotator.gui import plain
from annotator.store import Store
from tests.gui.conftest import settle

HOSTILE = '<img src="/etc/hostname" width=40000 height=40000><b>bold</b> & R&D'
LABEL = "R&D<b>X</b>"


def shown(rich: str) -> str:
    """What a tooltip string displays once Qt has parsed it."""
    doc = QTextDocument()
    doc.setHtml(rich)
    return doc.toPlainText()


def test_tooltip_shows_the_text_literally(qapp) -> None:  # type: ignore[no-untyped-def]
    for text in (HOSTILE, "a\nb", "x < y > z", "&amp; stays &amp;", "  two  spaces"):
        assert shown(plain.tooltip(text)) == text


def test_hostile_strings_in_every_widget_that_shows_data(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(str(tmp_path / "h.sqlite3"))
    text = f"{HOSTILE}\nBody of the article with Rabat in it."
    doc = store.import_documents([(NewDocument(text, f"{HOSTILE}.txt", "en"), [])]).added[0]
    i = text.index("Rabat")
    store.replace_suggestions({doc: [SpanData(i, i + 5, LABEL)]}, "<b>model</b>@1")
    window = make_window(store, "alice")
    # the list: title cell is drawn as plain text by the delegate; its tooltip is escaped
    index = window.documents.table_model.index(0, 0)
    assert index.data(Qt.ItemDataRole.DisplayRole) == HOSTILE
    assert HOSTILE in shown(index.data(Qt.ItemDataRole.ToolTipRole))
    # header and article
    assert window.editor.header.textFormat() == Qt.TextFormat.PlainText
    assert window.editor.header.text() == HOSTILE
    assert window.article.toPlainText().startswith(HOSTILE)
    # the label palette: the name appears as written (a lone & is not a mnemonic), the tooltip literal
    button = window.labels_panel.buttons[LABEL]
    assert button.text().endswith(plain.no_mnemonic(LABEL))
    assert shown(button.toolTip()).startswith(LABEL + "\n")
    # hovering the entity: the tooltip names label and model literally
    cursor = QTextCursor(window.article.document())
    cursor.setPosition(i + 2)
    point = window.article.cursorRect(cursor).center()
    event = QHelpEvent(QEvent.Type.ToolTip, point, window.article.viewport().mapToGlobal(point))
    window.article.viewportEvent(event)
    assert f"{LABEL}: Rabat" in shown(QToolTip.text())
    assert "suggested by <b>model</b>@1" in shown(QToolTip.text())
    # a job named after a file: the status-bar label is plain text
    assert window.jobs.label.textFormat() == Qt.TextFormat.PlainText
    window.message(HOSTILE)
    assert window.statusBar().currentMessage().endswith(HOSTILE)
    settle(qtbot, window)


def test_message_box_text_is_plain(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    seen: list[Qt.TextFormat] = []

    def look() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.textFormat())
        assert box.text() == HOSTILE
        box.accept()

    QTimer.singleShot(0, look)
    plain.message_box(None, QMessageBox.Icon.Warning, "t", HOSTILE)
    assert seen == [Qt.TextFormat.PlainText]



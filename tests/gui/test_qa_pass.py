"""Defects a new user met in a QA pass of the real app under Xvfb (no window manager)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette, QTextCursor
from PySide6.QtWidgets import QApplication, QDialog, QTableWidget

from annotator.core.document import DocumentStatus
from annotator.gui.actions import help_rows
from tests.gui.conftest import settle
from tests.gui.test_flow import accept_article, answer_with, open_seed_000

CTRL = Qt.KeyboardModifier.ControlModifier


def on_screen(window) -> QImage:  # type: ignore[no-untyped-def]
    """What the window's backing store holds (the offscreen platform grabs it, it does not repaint)."""
    return window.screen().grabWindow(window.winId()).toImage()


def row_looks_selected(window, row: int) -> bool:  # type: ignore[no-untyped-def]
    """The list row's Lang cell, near its right edge (no text there), is painted in the highlight colour."""
    table = window.documents.table
    rect = table.visualRect(window.documents.table_model.index(row, 1))
    point = table.viewport().mapTo(window, rect.center())
    point.setX(table.viewport().mapTo(window, rect.topRight()).x() - 4)  # a few pixels left of its edge
    ratio = window.devicePixelRatio()
    shown = on_screen(window).pixelColor(int(point.x() * ratio), int(point.y() * ratio))
    highlight = table.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)
    return _close(shown, highlight)


def _close(a: QColor, b: QColor) -> bool:
    return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) < 30


def test_after_accept_and_next_only_the_open_article_looks_selected_in_the_list(qtbot, make_window,
                                                                                 seeded_store) -> None:  # type: ignore[no-untyped-def]
    # Seen: Ctrl+Return → Confirm; the next article opened, but the accepted one's row stayed painted
    # as selected (two rows highlighted) and the new row only in its Title cell.
    window, first = open_seed_000(qtbot, make_window, seeded_store)
    first_row = window.documents.table_model.row_of(first)
    assert first_row is not None
    qtbot.waitUntil(lambda: row_looks_selected(window, first_row), timeout=5000)
    n = len(window.view.suggestions)
    accept_article(qtbot, window, f"Confirm {n}")
    assert seeded_store.document(first).status is DocumentStatus.ACCEPTED
    opened = window.view.info.id
    assert opened != first
    opened_row = window.documents.table_model.row_of(opened)
    assert opened_row is not None
    qtbot.waitUntil(lambda: row_looks_selected(window, opened_row), timeout=5000)
    qtbot.waitUntil(lambda: not row_looks_selected(window, first_row), timeout=5000)


def test_after_the_accept_question_the_window_takes_keys_again(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    # Seen: Ctrl+Return → answer the question → the next article opened, but Ctrl+Return, Ctrl+Z, F1…
    # did nothing until a click: the closed question left no active window (no window manager).
    window, first = open_seed_000(qtbot, make_window, seeded_store)
    answer_with(f"Confirm {len(window.view.suggestions)}")
    qtbot.keyClick(window.article, Qt.Key.Key_Return, CTRL)
    settle(qtbot, window)
    second = window.view.info.id
    assert second != first
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    answer_with(f"Confirm {len(window.view.suggestions)}")
    qtbot.keyClick(window.article, Qt.Key.Key_Return, CTRL)  # no click in between: the shortcut works
    settle(qtbot, window)
    assert seeded_store.document(second).status is DocumentStatus.ACCEPTED


def test_f1_lists_every_key_in_two_columns(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    # Seen: F1 showed the keys padded with spaces in a proportional font: the columns were ragged and
    # long descriptions wrapped under the keys.
    window = make_window(seeded_store)
    seen: list[list[tuple[str, str]]] = []

    def read_and_close() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog)
        table = dialog.findChild(QTableWidget)
        seen.append([] if table is None else
                    [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())])
        dialog.accept()  # closed whatever it showed: a failing check must not leave a modal box open

    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, read_and_close)
    qtbot.keyClick(window.article, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert seen[0] == help_rows()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)


def test_a_filter_nothing_matches_says_so(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    from annotator.core.labels import Label

    seeded_store.add_label(Label("LAW", "#336699"))
    window = make_window(seeded_store)
    window.documents.refresh()
    settle(qtbot, window)
    combo = window.documents.label_filter
    qtbot.waitUntil(lambda: combo.findData("LAW") >= 0)
    combo.setCurrentIndex(combo.findData("LAW"))  # no document has a LAW entity
    settle(qtbot, window)
    assert window.documents.table_model.rowCount() == 0
    assert "no document matches these filters" in window.statusBar().currentMessage()
    combo.setCurrentIndex(0)  # any label again: the list is back and nothing is said
    settle(qtbot, window)
    assert window.documents.table_model.rowCount() == 5


def test_the_selected_entity_never_sits_on_the_last_visible_line(qtbot, make_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Its label tag was cut off when the next entity was scrolled to the bottom edge (QA pass)."""
    from annotator.core.span import SpanData
    from tests.gui.conftest import single_document_store

    line = "Antony Blinken met Nasser Bourita in Rabat on Monday.\n"
    store = single_document_store(tmp_path, line * 200)
    doc = store.list_documents()[0].id
    store.replace_suggestions({doc: [SpanData(k * len(line), k * len(line) + 14, "PERSON") for k in range(200)]},
                              "en_core_web_sm")
    window = make_window(store)
    window.documents.refresh()
    settle(qtbot, window)
    article = window.article
    qtbot.waitUntil(lambda: len(article.spans) == 200)
    bar = article.verticalScrollBar()
    for _ in range(60):  # step through the suggestions as the analyst does (Tab)
        assert article.step_span(True)
        cursor = QTextCursor(article.document())
        cursor.setPosition(article._map.to_qt(article.selected_span.start))
        rect = article.cursorRect(cursor)
        assert rect.bottom() <= article.viewport().height() - rect.height()  # a line below it stays in view
        assert bar.value() == 0 or rect.top() >= rect.height()  # and one above, unless at the top
    assert bar.value() > 0  # it did scroll


def test_the_evaluation_says_what_it_was_measured_on() -> None:
    """A model trained by cross-validation showed its fold scores under "Evaluation on the dev split"."""
    from annotator.core.compare import Scores
    from annotator.gui.model_menu import evaluation_title
    from annotator.nlp.evaluate import BeforeAfter

    def result(split: str, seen: int = 0) -> BeforeAfter:
        return BeforeAfter(3, "en_core_web_sm", Scores(), "model-1", Scores(), split=split, seen=seen)

    assert evaluation_title(result("cross-validation")) == (
        "Evaluation by cross-validation (3 documents, each scored by a model trained without it)")
    assert evaluation_title(result("dev")) == "Evaluation on the dev split (3 documents)"
    assert evaluation_title(result("all", seen=2)) == (
        "Evaluation on every accepted document (3 documents; the trained model learnt from 2 of them)")


def test_an_empty_article_pane_says_why(qtbot, make_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Reopening showed a blank pane for seconds with no word (QA pass); an empty corpus says what to do."""
    from annotator.gui.main_window import NO_ARTICLES
    from annotator.store import Store

    window = make_window(Store.open(str(tmp_path / "empty.sqlite3")))
    settle(qtbot, window)
    assert window.article.toPlainText() == "" and window.article.placeholderText() == NO_ARTICLES
    window.first_start()
    qtbot.waitUntil(lambda: window.job is not None)
    assert window.article.placeholderText() == "Importing the sample articles…"
    with qtbot.waitSignal(window.jobs.ended, timeout=60_000):
        window.jobs.cancel_button.click()
    settle(qtbot, window)
    if window.view is None:  # cancelled before anything was imported: back to what to do
        assert window.article.placeholderText() == NO_ARTICLES

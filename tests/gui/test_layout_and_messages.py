"""Small things that misled an analyst: silent unbound keys, stale status-bar descriptions, a text pane
squeezed at 1024x700, Ctrl+Q quitting under a running job, Ctrl+T not saying which language."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator.core.span import SpanData
from tests.gui.conftest import settle, single_document_store

TEXT = "Yesterday Antony Blinken met Nasser Bourita in Rabat to talk about Daesh."


def test_an_unbound_key_says_so(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(single_document_store(tmp_path, TEXT))
    window.article.select_range(10, 24)
    qtbot.keyClick(window.article, Qt.Key.Key_Z)  # no label uses z
    settle(qtbot, window)
    assert "no label has the key 'z'" in window.statusBar().currentMessage()


def test_the_status_bar_never_describes_a_deleted_entity(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = single_document_store(tmp_path, TEXT)
    store.replace_suggestions({1: [SpanData(47, 52, "GPE")]}, "m@1")
    window = make_window(store)
    qtbot.keyClick(window.article, Qt.Key.Key_Tab)
    settle(qtbot, window)
    assert window.statusBar().currentMessage().startswith("GPE: 'Rabat'")
    qtbot.keyClick(window.article, Qt.Key.Key_Delete)
    settle(qtbot, window)
    assert "Rabat" not in window.statusBar().currentMessage()


def test_at_1024_by_700_the_article_keeps_most_of_the_width(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(single_document_store(tmp_path, TEXT))
    assert window.centralWidget() is window.splitter
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.splitter.width() >= 1000)
    window._share_width()
    sizes = window.splitter.sizes()
    assert sizes[1] >= 0.5 * sum(sizes)
    assert window.minimumWidth() >= 800 and window.minimumHeight() >= 500
    window.toggle_list()
    assert window.splitter.sizes()[0] == 0 and window.splitter.sizes()[1] > sizes[1]
    window.toggle_list()
    assert window.splitter.sizes()[0] > 0


def test_train_says_which_language_it_trains(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)
    french = next(d.id for d in seeded_store.list_documents() if d.language == "fr")
    window.open_document(french)
    settle(qtbot, window)
    assert "'fr' model" in window.actions_by_name["start_training"].text()


def test_quitting_during_a_job_asks_first(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)
    assert window.models.start_preannotation(rerun=True)

    def say_no() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox) and "is still running" in box.text()
        box.button(QMessageBox.StandardButton.No).click()

    QTimer.singleShot(0, say_no)
    window.close()
    assert window.isVisible()  # still open: the job goes on
    qtbot.waitUntil(lambda: window.job is None, timeout=120_000)
    settle(qtbot, window)


def test_every_languages_tokenizer_and_pipeline_is_loaded_in_the_background(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)  # opens an English article
    qtbot.waitUntil(lambda: "fr" in window.session._tokenizers._cache, timeout=60_000)
    qtbot.waitUntil(lambda: "fr" in window.models.pipelines._loaded, timeout=60_000)

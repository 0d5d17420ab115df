"""Prodigy's one key per decision: after confirm, relabel or delete the next entity is selected; Space
finds the next unreviewed suggestion; accepting an article with unreviewed suggestions asks once."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator.core.document import DocumentStatus
from annotator.core.span import Layer
from annotator.gui.accept_dialog import SETTING
from tests.gui.conftest import settle

CTRL = Qt.KeyboardModifier.ControlModifier


def open_seed_000(qtbot, make_window, store):  # type: ignore[no-untyped-def]
    window = make_window(store)
    first = next(d.id for d in store.list_documents() if "000_" in d.source)
    window.open_document(first)
    settle(qtbot, window)
    return window, first


def test_a_pass_over_article_000_takes_one_key_per_entity(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window, doc = open_seed_000(qtbot, make_window, seeded_store)
    suggestions = list(window.view.suggestions)
    assert len(suggestions) > 20
    presses = 0
    qtbot.keyClick(window.article, Qt.Key.Key_Tab)  # the first entity
    presses += 1
    decided: dict[int, str] = {}
    for i, span in enumerate(suggestions):  # decide each with one key: confirm, dismiss, or relabel
        settle(qtbot, window)
        selected = window.article.selected_span
        assert selected is not None and (selected.start, selected.end) == (span.start, span.end)
        key, outcome = [(Qt.Key.Key_Return, span.label), (Qt.Key.Key_Delete, "-"), (Qt.Key.Key_8, "MISC")][i % 3]
        qtbot.keyClick(window.article, key)
        presses += 1
        decided[span.start] = outcome
    settle(qtbot, window)
    assert presses == len(suggestions) + 1
    view = seeded_store.view(doc, "alice")
    assert view.suggestions == ()  # nothing left unreviewed
    assert {s.start: s.label for s in view.confirmed} == {k: v for k, v in decided.items() if v != "-"}
    assert {s.start for s in view.rejections} >= {k for k, v in decided.items() if v == "-"}
    assert "0 unreviewed" in window.editor.info.text()


def test_space_goes_to_the_next_unreviewed_suggestion(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window, _ = open_seed_000(qtbot, make_window, seeded_store)
    first, second = window.view.suggestions[:2]
    window.article.select_span(first)
    qtbot.keyClick(window.article, Qt.Key.Key_Return)  # confirmed: the next one is selected
    settle(qtbot, window)
    window.article.select_span(next(s for s in window.article.spans if s.layer is Layer.HUMAN))
    qtbot.keyClick(window.article, Qt.Key.Key_Space)  # from a confirmed entity to the next suggestion
    settle(qtbot, window)
    assert window.article.selected_span is not None
    assert (window.article.selected_span.start, window.article.selected_span.layer) == (second.start, Layer.MODEL)


def accept_article(qtbot, window, answer: str | None = None, always: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+Return, once the window is active again (a closed dialog leaves no active window offscreen),
    answering the question with the button whose text starts with ``answer``."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    if answer is not None:
        answer_with(answer, always)
    qtbot.keyClick(window.article, Qt.Key.Key_Return, CTRL)
    settle(qtbot, window)


def answer_with(button_text: str, always: bool = False) -> None:
    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox) and box.textFormat() == Qt.TextFormat.PlainText
        assert "not been reviewed" in box.text()
        if always:
            box.checkBox().setChecked(True)
        next(b for b in box.buttons() if b.text().replace("&", "").startswith(button_text)).click()

    QTimer.singleShot(0, answer)


def test_accepting_with_unreviewed_suggestions_asks_first(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window, doc = open_seed_000(qtbot, make_window, seeded_store)
    n = len(window.view.suggestions)
    accept_article(qtbot, window, "Review them")
    assert seeded_store.document(doc).status is not DocumentStatus.ACCEPTED  # nothing happened
    assert window.view.info.id == doc and window.article.selected_span == window.view.suggestions[0]
    accept_article(qtbot, window, f"Dismiss {n}")
    view = seeded_store.view(doc, "alice")
    assert seeded_store.document(doc).status is DocumentStatus.ACCEPTED
    assert view.confirmed == () and len(view.rejections) == n  # none of them went in as entities
    assert window.view.info.id != doc  # went on to the next unfinished article


def test_the_answer_can_be_kept_and_asked_again(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window, doc = open_seed_000(qtbot, make_window, seeded_store)
    n = len(window.view.suggestions)
    accept_article(qtbot, window, f"Confirm {n}", always=True)
    assert len(seeded_store.view(doc, "alice").confirmed) == n
    assert QSettings().value(SETTING) == "confirm"
    assert not window.actions_by_name["toggle_ask_on_accept"].isChecked()
    second = window.view.info.id
    accept_article(qtbot, window)  # no question this time
    assert seeded_store.document(second).status is DocumentStatus.ACCEPTED
    window.actions_by_name["toggle_ask_on_accept"].trigger()  # Edit → Ask about unreviewed suggestions
    assert QSettings().value(SETTING) == "ask"


def test_typing_in_the_search_box_keeps_its_focus_when_the_article_is_filtered_out(qtbot, make_window,
                                                                                  seeded_store) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)
    window.open_document(next(d.id for d in seeded_store.list_documents() if "001_" in d.source))
    settle(qtbot, window)
    shown = window.view.info.id
    before = {d.id: len(seeded_store.view(d.id, "alice").confirmed) for d in seeded_store.list_documents()}
    window.documents.search.setFocus()
    qtbot.waitUntil(window.documents.search.hasFocus)
    from PySide6.QtWidgets import QApplication

    for ch in "Daesh":  # as a person types: each key goes where the focus is; "Da" drops the open article
        qtbot.keyClicks(QApplication.focusWidget(), ch)
        settle(qtbot, window)
    assert window.documents.search.text() == "Daesh"
    assert window.documents.table_model.rowCount() == 1  # another article is listed, and was not opened
    assert window.documents.search.hasFocus()
    assert window.view.info.id == shown  # no article was opened behind the person's back
    assert {d.id: len(seeded_store.view(d.id, "alice").confirmed) for d in seeded_store.list_documents()} == before

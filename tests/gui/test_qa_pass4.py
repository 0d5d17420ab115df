"""Defects a new user met in a fourth QA pass of the real app under Xvfb at 1024x700."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from annotator.core.document import DocumentStatus
from tests.gui.conftest import settle
from tests.gui.test_flow import CTRL, open_seed_000


def test_return_in_the_unreviewed_question_changes_nothing_and_keeps_the_place(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store) -> None:
    # Return pressed "Review them": the article jumped back to its first suggestion, away from where the
    # analyst was. The default is now Cancel (Return and Esc): nothing changes, nothing moves.
    window, doc = open_seed_000(qtbot, make_window, seeded_store)
    suggestions = window.view.suggestions
    window.article.select_span(suggestions[3])
    seen: dict[str, object] = {}

    def press_return() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["default"] = box.defaultButton().text()
        seen["escape"] = box.escapeButton() is box.defaultButton()
        seen["buttons"] = [b.text() for b in box.buttons()]
        seen["text"] = box.text()
        qtbot.keyClick(box, Qt.Key.Key_Return)

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    QTimer.singleShot(0, press_return)
    qtbot.keyClick(window.article, Qt.Key.Key_Return, CTRL)
    settle(qtbot, window)
    assert seen["default"] == "Cancel" and seen["escape"]
    n = len(suggestions)
    assert set(seen["buttons"]) == {f"&Confirm {n}", f"&Dismiss {n}", "&Review them", "Cancel"}  # type: ignore[arg-type]
    assert "Cancel (Return or Esc): nothing changes" in str(seen["text"])
    assert "(Alt+C)" in str(seen["text"]) and "(Alt+D)" in str(seen["text"]) and "(Alt+R)" in str(seen["text"])
    assert seeded_store.document(doc).status is not DocumentStatus.ACCEPTED
    assert seeded_store.view(doc, "alice").suggestions == suggestions  # none confirmed, none dismissed
    assert window.view.info.id == doc and window.article.selected_span == suggestions[3]  # still there
    assert window.statusBar().currentMessage() == "not marked accepted: nothing changed"

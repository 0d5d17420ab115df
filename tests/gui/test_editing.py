"""Drive the real window with the keyboard: create, relabel, delete, confirm, resize, undo, redo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from annotator.core.document import DocumentStatus
from annotator.core.span import Layer, SpanData
from tests.gui.conftest import settle, single_document_store

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier

TEXT = "Yesterday Antony Blinken met Nasser Bourita in Rabat to talk about Daesh."


def human_rows(store, doc_id: int) -> list[tuple[int, int, str]]:  # type: ignore[no-untyped-def]
    return sorted((s.start, s.end, s.label) for s in store.view(doc_id, "alice").confirmed)


def test_select_text_press_key_creates_the_span_snapped_to_tokens(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = single_document_store(tmp_path, TEXT)
    window = make_window(store)
    start = TEXT.index("ntony")  # a sloppy selection inside the words
    window.article.select_range(start, TEXT.index("Blinken") + 3)
    qtbot.keyClick(window.article, Qt.Key.Key_1)
    settle(qtbot, window)
    assert human_rows(store, 1) == [(10, 24, "PERSON")]
    assert TEXT[10:24] == "Antony Blinken"
    assert store.document(1).status is DocumentStatus.IN_PROGRESS
    assert window.article.selected_span is not None and window.article.selected_span.label == "PERSON"


def test_relabel_delete_undo_redo_with_real_shortcuts(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = single_document_store(tmp_path, TEXT)
    window = make_window(store)
    i = TEXT.index("Rabat")
    window.article.select_range(i, i + 5)
    qtbot.keyClick(window.article, Qt.Key.Key_1)  # PERSON (wrong)
    settle(qtbot, window)
    qtbot.keyClick(window.article, Qt.Key.Key_3)  # relabel the selected entity: GPE
    settle(qtbot, window)
    assert human_rows(store, 1) == [(i, i + 5, "GPE")]
    assert window.article.selected_span is None  # a decision moves on: Rabat was the last entity
    qtbot.keyClick(window.article, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)  # back to it
    qtbot.keyClick(window.article, Qt.Key.Key_Delete)
    settle(qtbot, window)
    assert human_rows(store, 1) == []
    qtbot.keyClick(window.article, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert human_rows(store, 1) == [(i, i + 5, "GPE")]
    qtbot.keyClick(window.article, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert human_rows(store, 1) == [(i, i + 5, "PERSON")]
    qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL_SHIFT)
    settle(qtbot, window)
    assert human_rows(store, 1) == [(i, i + 5, "GPE")]
    # the view follows the store: one entity highlighted, labelled GPE
    assert [(s.start, s.label) for s in window.article.spans] == [(i, "GPE")]


def test_selecting_over_entities_replaces_them_in_one_undo_step(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = single_document_store(tmp_path, TEXT)
    store.replace_suggestions({1: [SpanData(36, 43, "ORG")]}, "m@1")  # "Bourita" as ORG, wrong
    window = make_window(store)
    window.article.select_range(10, 16)  # "Antony"
    qtbot.keyClick(window.article, Qt.Key.Key_1)
    window.article.select_range(17, 24)  # "Blinken"
    qtbot.keyClick(window.article, Qt.Key.Key_1)
    settle(qtbot, window)
    assert human_rows(store, 1) == [(10, 16, "PERSON"), (17, 24, "PERSON")]
    window.article.select_range(12, 20)  # across both: one entity "Antony Blinken" replaces them
    qtbot.keyClick(window.article, Qt.Key.Key_1)
    settle(qtbot, window)
    assert human_rows(store, 1) == [(10, 24, "PERSON")]
    assert [(s.start, s.label) for s in store.view(1, "alice").suggestions] == [(36, "ORG")]  # untouched
    assert window.editor.undo_stack.count() == 3
    qtbot.keyClick(window.article, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one step back
    settle(qtbot, window)
    assert human_rows(store, 1) == [(10, 16, "PERSON"), (17, 24, "PERSON")]


def test_confirm_and_grow_shrink_a_suggestion(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = single_document_store(tmp_path, TEXT)
    store.replace_suggestions({1: [SpanData(17, 24, "PERSON"), SpanData(47, 52, "GPE")]}, "test-model@1")
    window = make_window(store)
    qtbot.keyClick(window.article, Qt.Key.Key_Tab)  # select the first entity
    settle(qtbot, window)
    assert window.article.selected_span.layer is Layer.MODEL
    qtbot.keyClick(window.article, Qt.Key.Key_BracketLeft)  # grow by a token at the start: "Antony Blinken"
    settle(qtbot, window)
    assert human_rows(store, 1) == [(10, 24, "PERSON")]
    qtbot.keyClick(window.article, Qt.Key.Key_BraceRight, Qt.KeyboardModifier.ShiftModifier)  # shrink end
    settle(qtbot, window)
    assert human_rows(store, 1) == [(10, 16, "PERSON")]
    qtbot.keyClick(window.article, Qt.Key.Key_Tab)
    settle(qtbot, window)
    assert window.article.selected_span.label == "GPE"
    qtbot.keyClick(window.article, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert human_rows(store, 1) == [(10, 16, "PERSON"), (47, 52, "GPE")]
    view = store.view(1, "alice")
    assert view.suggestions == ()  # the shrunk suggestion does not come back


def test_accept_all_then_accept_document_and_undo_the_status(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)
    first = window.view.info.id
    n = len(window.view.suggestions)
    qtbot.keyClick(window.article, Qt.Key.Key_A, CTRL_SHIFT)
    settle(qtbot, window)
    assert len(seeded_store.view(first, "alice").confirmed) == n
    qtbot.keyClick(window.article, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert seeded_store.document(first).status is DocumentStatus.ACCEPTED
    assert window.view.info.id != first  # moved on to the next unfinished article
    assert window.documents.progress_label.text() == "accepted 1 of 5"
    qtbot.keyClick(window.article, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert seeded_store.document(first).status is DocumentStatus.IN_PROGRESS
    assert window.view.info.id == first  # undo shows the article it changed
    assert window.documents.progress_label.text() == "accepted 0 of 5"


def test_flow_keys_reject_flag_next_previous_and_next_unfinished(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)
    ids = window.documents.visible_ids()
    assert window.view.info.id == ids[0]
    qtbot.keyClick(window.article, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    settle(qtbot, window)
    assert window.view.info.id == ids[1]
    qtbot.keyClick(window.article, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    settle(qtbot, window)
    assert window.view.info.id == ids[0]
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.article, Qt.Key.Key_R, ctrl_shift)
    settle(qtbot, window)
    assert seeded_store.document(ids[0]).status is DocumentStatus.REJECTED
    qtbot.keyClick(window.article, Qt.Key.Key_F, ctrl_shift)
    settle(qtbot, window)
    assert seeded_store.document(ids[1]).status is DocumentStatus.FLAGGED
    assert window.view.info.id == ids[2]
    qtbot.keyClick(window.article, Qt.Key.Key_Right, ctrl_shift)  # next unfinished skips the rejected one
    settle(qtbot, window)
    assert window.view.info.id == ids[3]


def test_clicking_an_entity_selects_it(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = single_document_store(tmp_path, TEXT)
    store.replace_suggestions({1: [SpanData(47, 52, "GPE")]}, "m@1")
    window = make_window(store)
    cursor = QTextCursor(window.article.document())
    cursor.setPosition(49)
    point = window.article.cursorRect(cursor).center()
    qtbot.mouseClick(window.article.viewport(), Qt.MouseButton.LeftButton, pos=point)
    settle(qtbot, window)
    assert window.article.selected_span is not None and window.article.selected_span.start == 47


def test_filters_and_search(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)
    assert window.documents.table_model.rowCount() == 5
    window.documents.language_filter.setCurrentIndex(window.documents.language_filter.findData("fr"))
    settle(qtbot, window)
    assert window.documents.table_model.rowCount() == 1
    window.documents.language_filter.setCurrentIndex(0)
    settle(qtbot, window)
    window.documents.search.setText("rabat")
    settle(qtbot, window)
    assert window.documents.table_model.rowCount() == 1
    window.documents.search.setText("")
    settle(qtbot, window)
    seeded_store.set_status(window.documents.visible_ids()[0], DocumentStatus.ACCEPTED, "alice")
    window.documents.refresh()
    settle(qtbot, window)
    window.documents.status_filter.setCurrentIndex(window.documents.status_filter.findData("accepted"))
    settle(qtbot, window)
    assert window.documents.table_model.rowCount() == 1
    window.documents.status_filter.setCurrentIndex(0)
    settle(qtbot, window)
    window.documents.label_filter.setCurrentIndex(window.documents.label_filter.findData("MISC"))
    settle(qtbot, window)
    assert window.documents.table_model.rowCount() == 1  # only the French article has MISC


def test_window_state_is_kept(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)
    third = window.documents.visible_ids()[2]
    window.open_document(third)
    settle(qtbot, window)
    window.close()
    again = make_window(seeded_store)
    assert again.view.info.id == third


def test_add_label_from_the_gui_then_use_its_key(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from annotator.gui.label_palette import AddLabelDialog

    store = single_document_store(tmp_path, TEXT)
    window = make_window(store)

    def fill_and_accept() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AddLabelDialog)
        dialog.name.setText("MINISTRY")
        dialog.key.setText("k")
        dialog.accept()

    QTimer.singleShot(0, fill_and_accept)
    window.label_actions.add_label()
    settle(qtbot, window)
    assert "MINISTRY" in {label.name for label in store.labels()}
    assert "MINISTRY" in window.labels_panel.buttons
    assert window.documents.label_filter.findData("MINISTRY") >= 0  # the list's label filter offers it too
    i = TEXT.index("Daesh")
    window.article.select_range(i, i + 5)
    qtbot.keyClick(window.article, Qt.Key.Key_K)
    settle(qtbot, window)
    assert human_rows(store, 1) == [(i, i + 5, "MINISTRY")]

    def taken_key() -> None:
        dialog = QApplication.activeModalWidget()
        dialog.name.setText("OTHER")
        dialog.key.setText("1")
        dialog.accept()

    QTimer.singleShot(0, taken_key)
    window.label_actions.add_label()
    settle(qtbot, window)
    assert "OTHER" not in {label.name for label in store.labels()}
    assert "label not added" in window.statusBar().currentMessage()


def test_navigation_follows_the_sorted_and_filtered_list(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)
    window.documents.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # by title, Z to A
    settle(qtbot, window)
    shown = window.documents.visible_ids()
    window.open_document(shown[0])
    settle(qtbot, window)
    qtbot.keyClick(window.article, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    settle(qtbot, window)
    assert window.view.info.id == shown[1]
    window.documents.language_filter.setCurrentIndex(window.documents.language_filter.findData("en"))
    settle(qtbot, window)
    english = window.documents.visible_ids()
    assert len(english) == 4 and shown[1] in english
    qtbot.keyClick(window.article, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    settle(qtbot, window)
    assert window.view.info.id == english[english.index(shown[1]) + 1]
    window.open_document(english[-1])
    settle(qtbot, window)
    qtbot.keyClick(window.article, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    settle(qtbot, window)
    assert window.view.info.id == english[-1] and "no more documents" in window.statusBar().currentMessage()


def test_esc_clears_a_mouse_selection_so_a_label_key_creates_nothing(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = single_document_store(tmp_path, TEXT)
    window = make_window(store)
    window.article.select_range(10, 24)
    qtbot.keyClick(window.article, Qt.Key.Key_Escape)
    settle(qtbot, window)
    assert window.article.selection() is None
    qtbot.keyClick(window.article, Qt.Key.Key_1)
    settle(qtbot, window)
    assert human_rows(store, 1) == []
    assert "select some text" in window.statusBar().currentMessage()

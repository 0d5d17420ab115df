"""Store work runs on the database worker: the window keeps going while edits are in flight, keys
pressed meanwhile all land in order, and a refused undo leaves the undo stack consistent."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.span import Layer, SpanData
from annotator.store import Store
from tests.gui.conftest import settle, single_document_store

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
WORDS = [f"Name{i}" for i in range(19)]
TEXT = " and ".join(WORDS) + " met."


class SlowStore(Store):
    """A real store (real SQLite file) whose every public call first waits ``delay`` seconds, as a
    database server far away would: a window that calls it on the GUI thread would freeze."""

    delay = 0.05
    calls_on_gui_thread = 0

    def __getattribute__(self, name: str) -> Any:
        attr = super().__getattribute__(name)
        if name.startswith("_") or not callable(attr):
            return attr

        def slow(*args: Any, **kwargs: Any) -> Any:
            import threading

            if threading.current_thread() is threading.main_thread():
                SlowStore.calls_on_gui_thread += 1
            time.sleep(SlowStore.delay)
            return attr(*args, **kwargs)

        return slow


def test_twenty_quick_keys_during_slow_edits_all_land_in_order(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = str(tmp_path / "slow.sqlite3")
    plain = Store.open(path)
    doc = plain.import_documents([(NewDocument(TEXT, "names.txt", "en"), [])]).added[0]
    starts = [TEXT.index(w) for w in WORDS]
    plain.replace_suggestions({doc: [SpanData(s, s + len(w), "PERSON") for s, w in zip(starts, WORDS, strict=True)]},
                              "test@1")
    store = SlowStore.open(path)
    SlowStore.calls_on_gui_thread = 0
    window = make_window(store)  # even reading the list and opening the first article
    ticks: list[bool] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(window.ops.busy()))
    timer.start(5)
    qtbot.keyClick(window.article, Qt.Key.Key_Tab)  # the first suggestion
    for _ in WORDS:  # relabel it GPE; the next one is selected: 20 key presses, no waiting between
        qtbot.keyClick(window.article, Qt.Key.Key_3)
    assert not window.ops.idle()  # the keys were queued, not run while the GUI thread waited
    settle(qtbot, window)
    timer.stop()
    assert sum(ticks) >= 10  # the event loop kept turning while edits were in flight
    assert SlowStore.calls_on_gui_thread == 0
    confirmed = sorted(plain.view(doc, "alice").confirmed, key=lambda s: s.id)
    assert [(s.start, s.label) for s in confirmed] == [(s, "GPE") for s in starts]  # all, in reading order
    assert window.editor.undo_stack.count() == len(WORDS)
    assert [s.label for s in window.article.spans] == ["GPE"] * len(WORDS)


def test_keys_pressed_while_opening_apply_to_the_new_article(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = str(tmp_path / "two.sqlite3")
    plain = Store.open(path)
    first, second = plain.import_documents([(NewDocument("Alpha met Beta.", "a.txt", "en"), []),
                                            (NewDocument("Gamma met Delta.", "b.txt", "en"), [])]).added
    plain.replace_suggestions({first: [SpanData(0, 5, "PERSON")], second: [SpanData(0, 5, "PERSON")]}, "m@1")
    window = make_window(SlowStore.open(path))
    assert window.view.info.id == first
    qtbot.keyClick(window.article, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)  # open the second
    qtbot.keyClick(window.article, Qt.Key.Key_Tab)
    qtbot.keyClick(window.article, Qt.Key.Key_Return)  # confirm: must land on the second article
    settle(qtbot, window)
    assert [s.layer for s in plain.view(second, "alice").entities] == [Layer.HUMAN]
    assert plain.view(first, "alice").confirmed == ()


def test_refused_undo_keeps_the_stack_consistent_and_the_other_status(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = single_document_store(tmp_path, "Antony Blinken met Nasser Bourita in Rabat.")
    window = make_window(store, "alice")
    qtbot.keyClick(window.article, Qt.Key.Key_Return, CTRL)  # alice accepts
    settle(qtbot, window)
    assert store.document(1).status is DocumentStatus.ACCEPTED
    Store.open(store.url).set_status(1, DocumentStatus.FLAGGED, "bob")  # bob flags it elsewhere
    qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL)  # alice's undo would overwrite bob's flag
    settle(qtbot, window)
    info = store.document(1)
    assert (info.status, info.status_by) == (DocumentStatus.FLAGGED, "bob")
    assert "changed by someone else" in window.statusBar().currentMessage()
    stack = window.editor.undo_stack
    assert stack.count() == 0 and not stack.canRedo()  # no step left that points at the old state
    qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL_SHIFT)  # redo: nothing to redo, no crash
    settle(qtbot, window)
    assert window.view.info.status is DocumentStatus.FLAGGED  # the window shows bob's flag


def test_undo_restores_who_set_the_status(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = single_document_store(tmp_path, "Antony Blinken met Nasser Bourita in Rabat.")
    store.set_status(1, DocumentStatus.FLAGGED, "bob")
    window = make_window(store, "alice")
    qtbot.keyClick(window.article, Qt.Key.Key_Return, CTRL)  # alice accepts bob's flagged article
    settle(qtbot, window)
    qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL)
    settle(qtbot, window)
    info = store.document(1)
    assert (info.status, info.status_by) == (DocumentStatus.FLAGGED, "bob")
    assert "flagged by bob" in window.editor.info.text()

"""Two people in two windows on one database: conflicts reload instead of losing an update; review
mode takes a version into gold; the annotator name is asked once and kept."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt

from annotator.core.span import GOLD
from annotator.gui.app import resolve_user
from annotator.store import Store
from tests.gui.conftest import settle, single_document_store

TEXT = "Yesterday Antony Blinken met Nasser Bourita in Rabat to talk about Daesh."


def test_stale_window_gets_a_conflict_and_the_other_edit_survives(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store_a = single_document_store(tmp_path, TEXT)
    store_b = Store.open(store_a.url)
    a, b = make_window(store_a, "alice"), make_window(store_b, "alice")
    a.article.select_range(10, 24)
    qtbot.keyClick(a.article, Qt.Key.Key_1)  # committed by A
    settle(qtbot, a)
    b.activateWindow()
    b.article.select_range(29, 43)  # B still shows the version before A's edit
    b.editor.on_command('label', "PERSON")
    settle(qtbot, b)
    assert "changed by someone else" in b.statusBar().currentMessage()
    assert [(s.start, s.end) for s in b.view.confirmed] == [(10, 24)]  # B reloaded: A's edit is there
    b.article.select_range(29, 43)
    b.editor.on_command('label', "PERSON")  # made again on the fresh version: accepted
    settle(qtbot, b)
    assert sorted((s.start, s.end) for s in store_a.view(1, "alice").confirmed) == [(10, 24), (29, 43)]


def test_review_mode_takes_a_version_into_gold(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = single_document_store(tmp_path, TEXT)
    store.add_span(1, 10, 24, "PERSON", "alice")
    store.add_span(1, 47, 52, "GPE", "alice")
    store.add_span(1, 10, 24, "PERSON", "bob")
    window = make_window(store, "alice")
    window.set_quiet()
    ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window.article, Qt.Key.Key_G, ctrl_shift)
    settle(qtbot, window)
    assert window.session.user == GOLD and window.versions.isVisible()
    assert set(window.versions.buttons) == {"alice", "bob"}
    table = window.versions.table
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())] == \
        ["entity", "alice", "bob", "gold"]
    rows = {table.item(r, 0).text(): [table.item(r, c).text() for c in (1, 2, 3)] for r in range(table.rowCount())}
    assert rows == {"Antony Blinken": ["PERSON", "PERSON", "—"], "Rabat": ["GPE", "—", "—"]}
    assert window.versions.disagreements() == 1  # only Rabat: alice and bob agree on Blinken
    window.versions.buttons["alice"].click()
    settle(qtbot, window)
    assert "same as gold" in window.versions.buttons["alice"].text()
    assert [(s.start, s.end, s.label) for s in store.view(1, GOLD).confirmed] == [(10, 24, "PERSON"), (47, 52, "GPE")]
    window.article.select_span(next(s for s in window.article.spans if s.label == "GPE"))
    qtbot.keyClick(window.article, Qt.Key.Key_Delete)  # the reviewer edits the gold version
    settle(qtbot, window)
    assert [(s.start, s.end) for s in store.view(1, GOLD).confirmed] == [(10, 24)]
    assert len(store.view(1, "alice").confirmed) == 2  # alice's own version untouched
    window.team.show_agreement()
    settle(qtbot, window)
    (pair,) = window.team.last_agreement
    assert (pair.a, pair.b) == ("alice", "bob") and 0 < pair.f < 1
    window.review_action.trigger()
    settle(qtbot, window)
    assert window.session.user == "alice" and not window.versions.isVisible()


def test_annotator_name_is_asked_once_and_kept(qapp) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []
    assert resolve_user("carol", lambda default, problem: "never") == "carol"
    assert resolve_user(None, lambda default, problem: asked.append(default) or "  Dana  Smith ") == "Dana Smith"
    assert QSettings().value("user/name") == "Dana Smith"
    assert resolve_user(None, lambda default, problem: asked.append(default) or "x") == "Dana Smith"
    assert len(asked) == 1 and asked[0]  # prefilled with the login name
    QSettings().remove("user/name")
    assert resolve_user(None, lambda default, problem: None) is None  # declined: the app does not start


def test_a_name_the_store_refuses_is_asked_again_saying_why(qapp) -> None:  # type: ignore[no-untyped-def]
    answers = iter(["ana\x1b[31m", "\u202eana", "@me", "Ana"])
    problems: list[str] = []
    assert resolve_user(None, lambda default, problem: problems.append(problem) or next(answers)) == "Ana"
    assert problems[0] == ""
    assert "invisible or control character (U+001B)" in problems[1]
    assert "(U+202E)" in problems[2] and "reserved" in problems[3]
    assert QSettings().value("user/name") == "Ana"
    QSettings().remove("user/name")

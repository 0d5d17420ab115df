"""The document list holds only the pages near what was shown (issue 13, a million articles): rows of
a dropped page are read again when they are shown, and choosing, moving on, the shown article's mark
and edits still find their rows (or ask the store)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.span import SpanData
from annotator.gui.document_list import ID_ROLE
from annotator.store import Store
from annotator.store.listing import PAGE, ListQuery, Sort
from tests.gui.conftest import settle

N = 4 * PAGE + 37


def _window(qtbot, make_window, tmp_path: Path):  # type: ignore[no-untyped-def]
    """A window over N articles (five pages), the list holding three pages (the fewest it will), scrolled
    to the end: page 0 (always held) and the last pages are held, pages 1 and 2 were dropped."""
    store = Store.open(str(tmp_path / "many.sqlite3"))
    ids = store.import_documents([(NewDocument(f"Dispatch {i} from Rabat.", f"d{i:04}.txt", "en"), [])
                                  for i in range(N)]).added
    window = make_window(store)
    model = window.documents.table_model
    model.pages.keep = 3
    while model.canFetchMore():
        window.documents.table.scrollToBottom()
        settle(qtbot, window)
        qtbot.waitUntil(lambda: not model.fetching)
    return store, ids, window, model


def _show_the_end(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """Show the first rows, then the last (the pages between them are dropped)."""
    table, model = window.documents.table, window.documents.table_model
    for row in (2 * PAGE + 100, 3 * PAGE + 100, N - 1):
        table.scrollTo(model.index(row, 0))
        settle(qtbot, window)
        qtbot.waitUntil(lambda row=row: model.id_at(row) is not None)


def test_scrolled_to_the_end_the_list_reads_a_dropped_page_again(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, ids, window, model = _window(qtbot, make_window, tmp_path)
    assert model.rowCount() == N  # every row is listed, its place kept...
    assert len(model.summaries()) <= 3 * PAGE  # ...but only three pages of rows are held
    assert model.row_of(ids[0]) == 0 and model.row_of(ids[-1]) == N - 1
    row = PAGE + 50
    assert model.row_of(ids[row]) is None and model.id_at(row) is None
    store.set_status(ids[row], DocumentStatus.FLAGGED, "alice")  # changed while dropped: read again as it is now
    assert model.index(row, 0).data() == "…" and model.index(row, 0).data(ID_ROLE) is None  # asks for it
    window.documents.table.scrollTo(model.index(row, 0))
    settle(qtbot, window)
    qtbot.waitUntil(lambda: model.index(row, 0).data() == f"Dispatch {row} from Rabat.")
    assert model.row_of(ids[row]) == row and model.index(row, 2).data() == "⚑ flagged"
    assert len(model.summaries()) <= 3 * PAGE  # one of the last pages made way


def test_choosing_a_row_of_a_dropped_page_opens_it_once_read(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _store, ids, window, model = _window(qtbot, make_window, tmp_path)
    row = 2 * PAGE + 3
    assert model.index(row, 0).data(ID_ROLE) is None
    window.documents.table.setCurrentIndex(model.index(row, 0))  # as a click on "…" does
    settle(qtbot, window)
    qtbot.waitUntil(lambda: window.view is not None and window.view.info.id == ids[row])
    assert window.documents.table.currentIndex().row() == row


def test_moving_on_into_a_dropped_page_asks_the_store(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _store, ids, window, model = _window(qtbot, make_window, tmp_path)
    window.open_document(ids[PAGE - 1])  # the last row of the first page (always held)
    settle(qtbot, window)
    _show_the_end(qtbot, window)
    assert model.row_of(ids[PAGE - 1]) == PAGE - 1 and model.id_at(PAGE) is None  # the next row: dropped
    qtbot.keyClick(window.article, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    settle(qtbot, window)
    assert window.view.info.id == ids[PAGE]
    window.open_document(ids[2 * PAGE])
    settle(qtbot, window)
    _show_the_end(qtbot, window)
    assert model.id_at(2 * PAGE - 1) is None and model.row_of(ids[2 * PAGE]) is None  # both dropped
    qtbot.keyClick(window.article, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    settle(qtbot, window)
    assert window.view.info.id == ids[2 * PAGE - 1]


def test_edits_replace_held_rows_and_the_shown_article_stays_marked(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, ids, window, model = _window(qtbot, make_window, tmp_path)
    last, dropped = N - 1, PAGE + 1
    window.open_document(ids[last])
    settle(qtbot, window)
    assert window.documents.table.currentIndex().row() == last
    for doc in (ids[last], ids[dropped]):  # as the editor reports the rows an edit changed
        store.set_status(doc, DocumentStatus.ACCEPTED, "alice")
    window.documents.update_rows(tuple(store.summaries([ids[last], ids[dropped]], "alice")))
    settle(qtbot, window)
    assert model.index(last, 2).data() == "● accepted" and model.row_of(ids[dropped]) is None
    assert window.documents.progress_label.text() == f"accepted 2 of {N}"
    for row in (dropped, 2 * PAGE + 1):  # the last page is dropped, then shown again
        window.documents.table.scrollTo(model.index(row, 0))
        settle(qtbot, window)
        qtbot.waitUntil(lambda row=row: model.id_at(row) == ids[row])
    assert model.index(dropped, 2).data() == "● accepted" and model.id_at(last) is None
    window.documents.table.scrollTo(model.index(last, 0))
    settle(qtbot, window)
    qtbot.waitUntil(lambda: model.id_at(last) == ids[last])
    assert model.index(last, 2).data() == "● accepted"
    assert window.documents.table.currentIndex().row() == last  # still the shown article's row


def test_a_dropped_page_of_a_count_order_is_read_again_in_that_order(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, ids, window, model = _window(qtbot, make_window, tmp_path)
    store.replace_suggestions({doc: [SpanData(2 * k, 2 * k + 1, "ORG") for k in range(i % 5)]
                               for i, doc in enumerate(ids) if i % 3 == 0}, "m@1")
    for i in range(0, N, 9):  # alice's entities hide some: her counts are below the maintained ones
        store.add_span(ids[i], 0, 3, "ORG", "alice")
    table = window.documents.table
    table.sortByColumn(4, Qt.SortOrder.DescendingOrder)  # Sugg., most first: the lazily ranked order
    settle(qtbot, window)
    while model.canFetchMore():
        table.scrollToBottom()
        settle(qtbot, window)
        qtbot.waitUntil(lambda: not model.fetching)
    expected = [r.id for r in store.list_page(ListQuery(user="alice", sort=Sort.SUGGESTIONS, descending=True),
                                              None, N).rows]
    assert model.rowCount() == N and expected != ids[::-1]
    row = PAGE + 7
    assert model.id_at(row) is None
    table.scrollTo(model.index(row, 0))
    settle(qtbot, window)
    qtbot.waitUntil(lambda: model.id_at(row) is not None)
    assert [model.id_at(r) for r in range(PAGE, 2 * PAGE)] == expected[PAGE:2 * PAGE]

"""The document list as the person sees it: read a page at a time, counts that are theirs (issue 10
#9), the label filter, and the text search marked in the article (issue 13)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from annotator.core.document import NewDocument
from annotator.core.labels import Label
from annotator.core.span import SpanData
from annotator.store import Store
from annotator.store.listing import PAGE
from tests.gui.conftest import settle

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _cells(window, document_id: int) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """What the list shows in the Entities and Sugg. columns of a document's row."""
    model = window.documents.table_model
    row = model.row_of(document_id)
    return model.index(row, 3).data(), model.index(row, 4).data()


def test_counts_are_the_annotators_own_and_suggestions_reach_zero(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    first = seeded_store.list_documents()[0].id
    seeded_store.add_span(first, 0, 7, "ORG", "bob")  # another annotator's entity: not alice's count
    seeded_store.add_span(first, 0, 7, "ORG", "@gold")
    window = make_window(seeded_store)
    assert window.view.info.id == first
    n = len(window.view.suggestions)
    assert n > 0 and _cells(window, first) == ("0", str(n))
    qtbot.keyClick(window.article, Qt.Key.Key_A, CTRL_SHIFT)  # accept every suggestion
    settle(qtbot, window)
    assert _cells(window, first) == (str(n), "0")  # none left to review: Sugg. says 0
    qtbot.keyClick(window.article, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, window)
    assert _cells(window, first) == ("0", str(n))
    qtbot.keyClick(window.article, Qt.Key.Key_Tab)
    qtbot.keyClick(window.article, Qt.Key.Key_Delete)  # dismiss one suggestion
    settle(qtbot, window)
    assert _cells(window, first) == ("0", str(n - 1))


def test_label_filter_offers_labels_added_later_and_filters_by_them(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(str(tmp_path / "l.sqlite3"))
    a, b = store.import_documents([(NewDocument(t, f"{k}.txt", "en"), []) for k, t in
                                   enumerate(["The ministry in Rabat said.", "Nothing here today."])]).added
    window = make_window(store)
    store.add_label(Label("MINISTRY", "#123456", None, ""))  # another client adds a label, then uses it
    store.add_span(a, 4, 12, "MINISTRY", "bob")
    window.documents.refresh()  # as after any background job
    settle(qtbot, window)
    combo = window.documents.label_filter
    assert combo.findData("MINISTRY") >= 0
    combo.setCurrentIndex(combo.findData("MINISTRY"))
    settle(qtbot, window)
    assert window.documents.visible_ids() == [a]
    combo.setCurrentIndex(0)
    settle(qtbot, window)
    assert window.documents.visible_ids() == [a, b]


def test_the_list_reads_a_page_at_a_time_and_scrolls_to_the_end(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(str(tmp_path / "many.sqlite3"))
    n = 2 * PAGE + 37
    ids = store.import_documents([(NewDocument(f"Dispatch {i} from Rabat.", f"d{i:04}.txt", "en"), [])
                                  for i in range(n)]).added
    window = make_window(store)
    model = window.documents.table_model
    assert model.rowCount() == PAGE  # opening reads one page, whatever the size of the corpus
    assert window.documents.progress_label.text() == f"accepted 0 of {n}"
    table = window.documents.table
    while model.canFetchMore():
        table.scrollToBottom()
        settle(qtbot, window)
        qtbot.waitUntil(lambda: not model.fetching)
    assert window.documents.visible_ids() == ids  # every row once, in import order
    # Sorting is the database's: a header click reads the list again in that order.
    table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    settle(qtbot, window)
    expected = sorted(store.list_documents(), key=lambda d: (d.title.lower(), d.id), reverse=True)
    shown = window.documents.visible_ids()
    assert len(shown) >= PAGE and shown == [d.id for d in expected[:len(shown)]]
    # Moving on from the last row read asks the database for the next one (not read yet).
    window.open_document(shown[-1])
    settle(qtbot, window)
    qtbot.keyClick(window.article, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    settle(qtbot, window)
    assert window.view.info.id == expected[len(shown)].id


def test_text_search_lists_matching_articles_and_marks_the_words(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)
    panel = window.documents
    holding = {d.id for d in seeded_store.list_documents() if "Daesh" in seeded_store.view(d.id, "x").text}
    panel.search.setText("daesh")
    settle(qtbot, window)
    assert len(panel.visible_ids()) == 1  # titles only, as before
    assert window.article.search_hits() == []
    panel.in_text.setChecked(True)
    settle(qtbot, window)
    assert set(panel.visible_ids()) == holding and len(holding) > 1
    window.open_document(min(holding))
    settle(qtbot, window)
    text = window.view.text
    hits = window.article.search_hits()
    assert hits and all(text[s:e].lower() == "daesh" for s, e in hits)
    assert len(window.article.extraSelections()) >= len(hits)
    panel.in_text.setChecked(False)
    settle(qtbot, window)
    assert window.article.search_hits() == []


def test_suggestions_arriving_from_a_model_update_the_counts(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(str(tmp_path / "m.sqlite3"))
    (doc,) = store.import_documents([(NewDocument("Blinken met Bourita in Rabat.", "a.txt", "en"), [])]).added
    window = make_window(store)
    assert _cells(window, doc) == ("0", "0")
    store.replace_suggestions({doc: [SpanData(0, 7, "PERSON"), SpanData(23, 28, "GPE")]}, "m@1")
    window.documents.refresh()
    settle(qtbot, window)
    assert _cells(window, doc) == ("0", "2")

"""Defects a new user met in a third QA pass of the real app under Xvfb (1400x900 and 1024x700)."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from annotator.core.document import NewDocument
from annotator.core.span import SpanData
from annotator.gui.article_view import ArticleView
from annotator.gui.learning_menu import status_text
from annotator.store import Store
from tests.gui.conftest import settle, single_document_store
from tests.gui.test_qa_pass2 import at_size


def test_an_article_starting_with_blank_lines_starts_at_the_top_with_the_cursor_on_its_text(  # type: ignore[no-untyped-def]
        qtbot, make_window, tmp_path: Path) -> None:
    # seed 004 starts with two line breaks: the view began with two empty lines and the cursor above them
    text = "\n \n\nMorocco hosts the meeting in Marrakech.\n\nBlinken will attend."
    window = make_window(single_document_store(tmp_path, text))
    article = window.article
    first = text.index("Morocco")
    assert article.textCursor().position() == first  # the cursor is on the first word, not above it
    line = article.cursorRect(article.textCursor()).height()
    assert article.cursorRect(article.textCursor()).top() < line  # drawn on the view's first line
    # the stored text and the offsets are untouched: a selection still means the same characters
    article.select_range(first, first + len("Morocco"))
    assert article.selection() == (first, first + len("Morocco"))
    assert window.view.text == text


def test_an_entity_starting_on_a_leading_blank_line_keeps_its_line_drawn(  # type: ignore[no-untyped-def]
        qtbot, make_window, tmp_path: Path) -> None:
    # a span may start in leading whitespace (an import keeps it as the file says): never hidden
    text = "\n  \nParis is here."
    store = Store.open(str(tmp_path / "one.sqlite3"))
    store.import_documents([(NewDocument(text, "one.txt", "en"), [SpanData(2, 9, "GPE")])], author="alice")
    window = make_window(store)
    document = window.article.document()
    assert [s.start for s in window.article.spans] == [2]
    assert not document.findBlockByNumber(0).isVisible()  # the empty first line before it is not drawn
    assert document.findBlockByNumber(1).isVisible() and document.findBlockByNumber(2).isVisible()
    assert window.article.textCursor().position() == 1


def test_the_model_in_the_status_bar_is_short_and_says_the_rest_in_its_tooltip(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store) -> None:
    window = make_window(seeded_store)
    at_size(qtbot, window, 1024, 700)
    label = window.learning_actions.model_label
    qtbot.waitUntil(lambda: bool(label.text()), timeout=10_000)
    assert label.text() == "en model: base"
    assert "not trained here" in label.toolTip()
    assert label.sizeHint().width() < 130  # "en model: base pipeline (not trained here)" took ~260 px
    assert status_text("en", None, "/models/en-ner-3/model-best")[0] == "en model: model-best"


def test_a_language_without_a_pipeline_says_no_model_not_base(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A Hebrew article said "he model: base" (and "base pipeline" in full): there is none to suggest.
    window = make_window(single_document_store(tmp_path, "שלום עולם: ראש הממשלה נפגש עם Joe Biden.", "he"))
    label = window.learning_actions.model_label
    qtbot.waitUntil(lambda: bool(label.text()), timeout=10_000)
    assert label.text() == "he: no model" and "annotate by hand" in label.toolTip()


def test_a_refused_import_shows_every_problem_whole_in_a_box(qtbot, make_window, seeded_store,  # type: ignore[no-untyped-def]
                                                              tmp_path: Path) -> None:
    # The refusal went only to the status bar: cut at "(any sc" behind the model label, gone after 8 s.
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "Paris is here.", "spans": [{"start": 0, "end": 5, "label": "<b>X</b>"}]})
                   + "\n", encoding="utf-8")
    window = make_window(seeded_store)
    at_size(qtbot, window, 1024, 700)
    before = len(seeded_store.list_documents())
    assert window.files.import_files([bad])
    qtbot.waitUntil(lambda: window.files.report_box is not None and window.files.report_box.isVisible(),
                    timeout=30_000)
    settle(qtbot, window)
    box = window.files.report_box
    assert box is not None and box.icon() == QMessageBox.Icon.Warning
    assert "bad.jsonl, line 1, field 'spans[0].label'" in box.text() and box.text().endswith("starting with a letter")
    assert "nothing was imported" in box.text() and len(seeded_store.list_documents()) == before
    box.close()


def test_the_next_article_after_one_with_hidden_blank_lines_is_drawn_whole(  # type: ignore[no-untyped-def]
        qtbot, make_window, tmp_path: Path) -> None:
    # Hidden lines belong to their article: the next one (same QTextDocument) shows every line.
    store = Store.open(str(tmp_path / "two.sqlite3"))
    store.import_documents([(NewDocument("\n\nMorocco hosts it.", "a.txt", "en"), []),
                            (NewDocument("Selon Oxford.\n\nDeux.\n\nTrois.", "b.txt", "fr"), [])])
    window = make_window(store)
    by_source = {d.source: d.id for d in store.list_documents()}
    for source in ("a.txt", "b.txt"):
        window.open_document(by_source[source])
        settle(qtbot, window)
    document = window.article.document()
    assert document.blockCount() == 5
    assert all(document.findBlockByNumber(i).isVisible() for i in range(5))
    assert document.documentLayout().documentSize().height() > 4 * window.article.fontMetrics().height()


def test_an_article_with_nothing_to_hide_is_laid_out_whole(qtbot, qapp) -> None:  # type: ignore[no-untyped-def]
    # The first version of the fix marked a zero-length range dirty whatever it hid: seed 003 was then
    # drawn blank, every label tag piled up in the top corner (its lines never laid out).
    text = next((Path(__file__).parents[2] / "seeds").glob("003_*.txt")).read_text(encoding="utf-8")
    article = ArticleView()
    qtbot.addWidget(article)
    article.resize(500, 400)
    article.show()
    for shown in (text, "\n\n" + text):  # nothing to hide, and two blank lines hidden
        article.show_document(shown, [])
        qapp.processEvents()  # what the window's event loop does next
        cursor = article.textCursor()
        cursor.setPosition(2000)
        assert article.cursorRect(cursor).top() > 20 * article.fontMetrics().height()


def test_undo_selects_the_entity_it_brings_back(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    # After Ctrl+Z nothing was selected: the analyst lost their place and had to find the entity again.
    from PySide6.QtCore import Qt

    from tests.gui.test_flow import open_seed_000

    window, _ = open_seed_000(qtbot, make_window, seeded_store)
    article, ctrl = window.article, Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(article, Qt.Key.Key_Tab)
    settle(qtbot, window)
    first = article.selected_span
    assert first is not None and first.layer.value == "model"
    qtbot.keyClick(article, Qt.Key.Key_Return)  # confirm: the next entity is selected
    settle(qtbot, window)
    assert article.selected_span is not None and article.selected_span.start > first.start
    qtbot.keyClick(article, Qt.Key.Key_Z, ctrl)
    settle(qtbot, window)
    assert article.selected_span == first  # the suggestion again, selected: Delete now dismisses it
    qtbot.keyClick(article, Qt.Key.Key_Delete)
    settle(qtbot, window)
    assert first.id not in {s.id for s in window.view.suggestions}
    qtbot.keyClick(article, Qt.Key.Key_Z, ctrl)  # undo the dismissal: selected again
    settle(qtbot, window)
    assert article.selected_span == first


def test_accepting_says_what_became_of_the_article_once_the_next_one_opens(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store) -> None:
    # Ctrl+Return jumped to the next article and said nothing: were the 16 unreviewed suggestions kept?
    from tests.gui.test_flow import open_seed_000

    window, first = open_seed_000(qtbot, make_window, seeded_store)
    window.set_quiet()  # no one to ask: unreviewed suggestions are confirmed
    unreviewed = len(window.view.suggestions)
    title = window.view.info.title
    window.actions_by_name["accept_document"].trigger()
    settle(qtbot, window)
    assert window.session.document_id != first
    assert window.statusBar().currentMessage() == (
        f"accepted '{title}'; {unreviewed} unreviewed suggestions confirmed — Ctrl+Z undoes")

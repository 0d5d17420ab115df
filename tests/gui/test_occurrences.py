"""Annotate all occurrences (in the article at once, across the corpus from a preview; one undo step;
token-aligned only; other annotators' work untouched) and the corpus consistency view."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from annotator.core.document import NewDocument
from annotator.core.span import SpanData
from annotator.store import Store
from tests.gui.conftest import settle

CTRL = Qt.KeyboardModifier.ControlModifier
ONE = "Daesh struck again. Officials said Daesh was weakened, but Daeshism is a word too. Daesh!"
TWO = "In Rabat, ministers discussed Daesh."
THREE = "Nothing about it here."


def corpus(tmp_path: Path) -> Store:
    store = Store.open(str(tmp_path / "occ.sqlite3"))
    store.import_documents([(NewDocument(t, f"{i}.txt", "en"), []) for i, t in enumerate((ONE, TWO, THREE))])
    store.replace_suggestions({2: [SpanData(TWO.index("Daesh"), TWO.index("Daesh") + 5, "GPE")]}, "m@1")
    return store


def places(store: Store, doc: int, user: str = "alice") -> list[tuple[int, str]]:
    return sorted((s.start, s.label) for s in store.view(doc, user).confirmed)


def test_equals_labels_every_occurrence_in_the_article_in_one_undo_step(qtbot, make_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = corpus(tmp_path)
    window = make_window(store)
    window.article.select_range(0, 5)
    qtbot.keyClick(window.article, Qt.Key.Key_2)  # ORG
    settle(qtbot, window)
    window.article.select_span(next(s for s in window.article.spans if s.start == 0))
    qtbot.keyClick(window.article, Qt.Key.Key_Equal)
    settle(qtbot, window)
    starts = [i for i in range(len(ONE)) if ONE.startswith("Daesh", i) and not ONE.startswith("Daeshism", i)]
    assert places(store, 1) == [(i, "ORG") for i in starts]  # "Daeshism" is one token: not an occurrence
    assert places(store, 2) == []  # only this article
    qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL)  # one step back: only the first one left
    settle(qtbot, window)
    assert places(store, 1) == [(0, "ORG")]


def test_corpus_wide_from_a_preview_leaves_other_annotators_alone(qtbot, make_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = corpus(tmp_path)
    i = TWO.index("Daesh")
    store.add_span(2, i, i + 5, "GPE", "bob")  # bob's confirmed work
    window = make_window(store)
    window.set_quiet()
    window.article.select_range(0, 5)
    qtbot.keyClick(window.article, Qt.Key.Key_2)
    settle(qtbot, window)
    window.article.select_span(next(s for s in window.article.spans if s.start == 0))
    window.occurrences.label_all_corpus()
    settle(qtbot, window)
    preview = window.occurrences.last_preview
    assert preview is not None and len(preview.found) == 4  # 3 in the first article, 1 in the second
    assert {o.document_id for o in preview.found} == {1, 2}
    assert [o.current for o in preview.found if o.document_id == 2] == ["GPE"]  # the suggestion shown
    assert places(store, 2) == [(i, "ORG")]
    assert places(store, 2, "bob") == [(i, "GPE")]  # bob's entity untouched
    assert window.editor.undo_stack.count() == 2
    window.activateWindow()
    qtbot.keyClick(window.article, Qt.Key.Key_Z, CTRL)
    settle(qtbot, window)
    assert places(store, 2) == [] and places(store, 1) == [(0, "ORG")]


def test_consistency_lists_strings_labelled_two_ways(qtbot, make_window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = corpus(tmp_path)
    store.add_span(1, 0, 5, "ORG", "alice")
    window = make_window(store)
    window.set_quiet()
    window.occurrences.show_consistency()
    settle(qtbot, window)
    (variant,) = window.occurrences.last_variants
    assert variant.text == "Daesh" and variant.labels == {"GPE": (2,), "ORG": (1,)}
    assert variant.disagreeing == 1
    window.occurrences._open_at(variant)
    settle(qtbot, window)
    assert window.view.info.id in (1, 2)
    assert window.article.selected_span is not None and window.article.selected_span.start in (0, TWO.index("Daesh"))

"""The app's own background work never turns the analyst's next edit into a conflict, and finishing
a job keeps the analyst's place in the article."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from annotator.core.document import NewDocument
from annotator.store import Store
from tests.gui.conftest import settle


def test_edit_after_background_suggestions_arrive_is_not_a_conflict(qtbot, make_window, tmp_path: Path,
                                                                    seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(str(tmp_path / "bg.sqlite3"))
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt")) if "Maroc" not in p.read_text()]
    store.import_documents([(NewDocument(f"Item {i}.\n{texts[i % 4]}", f"d{i}", "en"), []) for i in range(200)])
    window = make_window(store)
    first = window.view.info.id
    assert window.view.suggestions == ()
    assert window.models.start_preannotation()
    with qtbot.waitSignal(window.job.signals.progress, timeout=120_000, check_params_cb=lambda d, t, m: d > 0):
        pass  # the first batch, with the open article, is committed: its version moved
    settle(qtbot, window)
    assert window.view.suggestions  # shown without any action
    span = window.view.suggestions[0]
    window.article.select_span(span)
    qtbot.keyClick(window.article, Qt.Key.Key_Return)  # confirm it
    settle(qtbot, window)
    assert "changed by someone else" not in window.statusBar().currentMessage()
    assert [(s.start, s.end) for s in store.view(first, "alice").confirmed] == [(span.start, span.end)]
    window.jobs.cancel()
    qtbot.waitUntil(lambda: window.job is None, timeout=120_000)
    settle(qtbot, window)


def test_a_finished_job_keeps_the_selection_and_scroll(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)
    spans = window.article.spans
    window.article.select_span(spans[len(spans) // 2])
    bar = window.article.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    place = bar.value()
    selected = window.article.selected_span
    assert window.models.start_preannotation(rerun=True)
    qtbot.waitUntil(lambda: window.job is None, timeout=120_000)
    settle(qtbot, window)
    assert bar.value() == place
    assert window.article.selected_span is not None
    assert (window.article.selected_span.start, window.article.selected_span.label) == \
        (selected.start, selected.label)

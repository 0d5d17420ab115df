"""The 1 MB / 20,000-span article, and background work that never freezes the window."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt, QTimer

from annotator.core.document import NewDocument
from annotator.core.span import SpanData
from annotator.store import Store
from tests.gui.conftest import settle


def big_article() -> tuple[str, list[SpanData]]:
    unit = "Antony Blinken met Nasser Bourita in Rabat 👍 on Monday.\n"
    text = unit * (1_000_000 // len(unit) + 1)
    spans = []
    for k in range(0, len(text) // len(unit)):
        base = k * len(unit)
        spans.append(SpanData(base, base + 14, "PERSON"))
        spans.append(SpanData(base + 36, base + 41, "GPE"))
        if len(spans) >= 20_000:
            break
    return text, spans


def test_one_megabyte_article_with_20000_spans_opens_and_scrolls(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text, spans = big_article()
    assert len(text) >= 1_000_000 and len(spans) == 20_000
    store = Store.open(str(tmp_path / "big.sqlite3"))
    doc = store.import_documents([(NewDocument(text, "big.txt", "en"), [])]).added[0]
    store.replace_suggestions({doc: spans}, "m@1")
    window = make_window(store)
    assert len(window.article.spans) == 20_000
    bar = window.article.verticalScrollBar()
    for value in (bar.maximum() // 3, bar.maximum() // 2, bar.maximum()):
        bar.setValue(value)
        window.article.viewport().repaint()  # paints label tags for the visible region
    # an edit deep inside re-formats only what changed, and lands at the right offsets
    target = window.article.spans[-1]
    window.article.select_span(target)
    window.editor.on_command('confirm', '')
    settle(qtbot, window)
    assert store.view(doc, "alice").confirmed[0].start == target.start


def test_first_start_imports_seeds_and_suggests_in_the_background(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(str(tmp_path / "empty.sqlite3"))
    window = make_window(store)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    window.first_start()
    settle(qtbot, window)
    assert window.job is not None and window.jobs.cancel_button.isVisible()
    with qtbot.waitSignal(window.job.signals.finished, timeout=120_000):
        pass
    qtbot.waitUntil(lambda: window.job is not None and window.job.title == "suggesting entities")
    with qtbot.waitSignal(window.job.signals.finished, timeout=120_000):
        pass
    timer.stop()
    qtbot.waitUntil(lambda: window.job is None)
    settle(qtbot, window)
    assert len(ticks) > 3  # the event loop kept running while the job worked
    assert store.document_count() == 5
    assert window.documents.table_model.rowCount() == 5
    assert window.view is not None and window.view.suggestions  # highlighted suggestions on screen
    assert "done" in window.statusBar().currentMessage()


def test_first_start_opens_the_first_article_when_the_import_ends_not_after_the_suggestions(
        qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "empty.sqlite3"
    store = Store.open(str(path))
    window = make_window(store)
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    window.first_start()
    qtbot.waitUntil(lambda: window.job is not None)
    assert window.job.title == "importing the sample articles"
    # From the moment the import is in, hold the write lock: no suggestion can be written until the
    # first article is on screen, so the article cannot be waiting for them.
    window.job.signals.finished.connect(lambda _r: blocker.execute("BEGIN IMMEDIATE"),
                                        Qt.ConnectionType.DirectConnection)
    qtbot.waitUntil(lambda: window.view is not None, timeout=60_000)
    try:
        assert window.job is not None and window.job.title == "suggesting entities"
        assert not window.view.suggestions
        assert window.documents.table_model.rowCount() == 5
    finally:
        blocker.execute("ROLLBACK")
    with qtbot.waitSignal(window.job.signals.finished, timeout=120_000):
        pass
    qtbot.waitUntil(lambda: window.view is not None and bool(window.view.suggestions), timeout=30_000)
    blocker.close()


def test_preannotation_can_be_cancelled_and_keeps_whole_batches(qtbot, make_window, tmp_path: Path,
                                                                seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(str(tmp_path / "many.sqlite3"))
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt")) if "Maroc" not in p.read_text()]
    store.import_documents([(NewDocument(f"Item {i}.\n{texts[i % 4]}", f"d{i}", "en"), []) for i in range(400)])
    window = make_window(store)
    assert window.models.start_preannotation()
    job = window.job
    with qtbot.waitSignal(job.signals.progress, timeout=120_000, check_params_cb=lambda d, t, m: d > 0):
        pass
    with qtbot.waitSignal(job.signals.cancelled, timeout=120_000):
        window.jobs.cancel_button.click()
    qtbot.waitUntil(lambda: window.job is None)
    settle(qtbot, window)
    done = [d for d in store.list_documents() if d.model_count > 0]
    assert 0 < len(done) < 400 and len(done) % 64 == 0  # whole batches only
    assert "cancelled" in window.statusBar().currentMessage()


def test_file_menu_import_and_export_run_in_the_background(qtbot, make_window, tmp_path: Path,
                                                           seeds_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from annotator.core.document import DocumentStatus
    from annotator.io.exporter import ExportFormat

    store = Store.open(str(tmp_path / "s.sqlite3"))
    window = make_window(store)
    bad = tmp_path / "bad.txt"
    bad.write_bytes("Alg\u00e9rie".encode("latin-1"))
    assert window.files.import_files([str(seeds_dir), str(bad)])
    qtbot.waitUntil(lambda: window.job is None, timeout=60_000)
    settle(qtbot, window)
    assert "bad.txt, line 1: is not valid UTF-8" in window.statusBar().currentMessage()
    assert store.document_count() == 0  # all or nothing
    assert window.files.import_files([str(seeds_dir)])
    qtbot.waitUntil(lambda: window.job is None and store.document_count() == 5, timeout=60_000)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: window.job is None and not store.ids_needing_suggestions(), timeout=120_000)
    settle(qtbot, window)
    store.set_status(store.list_documents()[0].id, DocumentStatus.ACCEPTED, "alice")
    out = tmp_path / "out.jsonl"
    assert window.files.export_to(out, ExportFormat.DOCCANO)
    qtbot.waitUntil(lambda: window.job is None, timeout=60_000)
    settle(qtbot, window)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1
    assert "exported 1 document to" in window.statusBar().currentMessage()


def test_cancel_stops_the_gui_import_part_way_and_nothing_is_imported(qtbot, make_window,  # type: ignore[no-untyped-def]
                                                                       tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "imp.sqlite3"))
    window = make_window(store)
    corpus = tmp_path / "many.jsonl"  # long enough that Cancel lands between two of its batches
    corpus.write_text("".join(json.dumps({"text": f"Article {i}: Bourita met Blinken in Rabat on day {i}."}) + "\n"
                              for i in range(5_000)), encoding="utf-8")
    assert window.files.import_files([str(corpus)])
    window.jobs.cancel_button.click()
    qtbot.waitUntil(lambda: window.job is None, timeout=60_000)
    settle(qtbot, window)
    assert "cancelled" in window.statusBar().currentMessage()
    assert store.document_count() == 0  # the staged batches were removed, nothing was published
    assert window.files.import_files([str(corpus)])  # and the same import then runs to the end
    qtbot.waitUntil(lambda: window.job is None and store.document_count() == 5_000, timeout=120_000)
    settle(qtbot, window)
    window.jobs.cancel()  # the follow-up pre-annotation may run: stop it before importing again
    qtbot.waitUntil(lambda: window.job is None, timeout=120_000)
    settle(qtbot, window)
    layered = tmp_path / "layered.jsonl"  # a layer for a stored article, and a span kept as the file says
    layered.write_text(json.dumps({"text": "Article 0: Bourita met Blinken in Rabat on day 0.",
                                   "spans": [{"start": 11, "end": 18, "label": "PERSON"},
                                             {"start": 11, "end": 14, "label": "PERSON"}]}) + "\n", encoding="utf-8")
    assert window.files.import_files([str(layered)])
    qtbot.waitUntil(lambda: window.job is None, timeout=60_000)
    settle(qtbot, window)
    assert ("imported 0 new documents, 1 existing document gained a layer, 1 needs attention "
            "(2 overlapping spans, 1 span not on token boundaries: kept as the file says)"
            ) in window.statusBar().currentMessage()
    window.jobs.cancel()  # the follow-up pre-annotation may run: stop it before the test ends
    qtbot.waitUntil(lambda: window.job is None, timeout=120_000)
    settle(qtbot, window)

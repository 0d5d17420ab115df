"""Background learning as the app runs it: the real window (offscreen), its ``BackgroundLearning``.

Seed 000 corrected to the hand-made gold and accepted, seed 002 corrected and left open; ``copies``
unfinished articles besides 001 and 004 (their texts under another first line: re-suggested, never
scored). ``learning.every`` = 2. The analyst accepts 002 with Ctrl+Return (the K-th accept) and opens
001; training runs on the learning worker, then the unfinished articles are re-suggested, the open one
first, each batch written as a short op on the database worker.

Edits are the app's own path (``EditorPanel.run_edit``: an op on the database worker, then drawn):
draw "Morocco" as GPE, then delete it, one edit every 0.2 s, timed from the request to the result
drawn. Baseline, same run, same window: the same edits with nothing in the background. Reported:
K-th accept -> the open article shows the new model's suggestions, -> every unfinished article
re-suggested, and edit latency while learning / idle (median and p95)."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from annotator.core.document import DocumentStatus, NewDocument
from annotator.nlp.background import set_learning_every
from annotator.nlp.pipelines import Pipelines
from annotator.nlp.preannotate import preannotate
from annotator.nlp.train import TrainSettings
from annotator.store import Store
from tests.nlp.gold_seeds import correct_to_gold, gold_spans, seed_text, seeded_store


def p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


def background_learning_in_the_app(pipelines: Pipelines, folder: Path, copies: int, settings: TrainSettings) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from annotator.gui.main_window import MainWindow

    path = folder / "gui-learning.sqlite3"
    ids = seeded_store(path, ["000", "001", "002", "004"], pipelines)
    store = Store.open(str(path))
    texts = [seed_text(k) for k in ("001", "004")]
    store.import_documents([(NewDocument(f"Wire {i}.\n\n{texts[i % 2]}", f"wire-{i}", "en"), [])
                            for i in range(copies)])
    preannotate(store, pipelines)
    correct_to_gold(store, ids["000"], gold_spans("000"))
    correct_to_gold(store, ids["002"], gold_spans("002"))
    store.set_status(ids["002"], DocumentStatus.IN_PROGRESS, "alice")  # the analyst accepts it in the window
    set_learning_every(store, 2)

    app = QApplication.instance() or QApplication([])
    window = MainWindow(store, "alice", pipelines)
    window.set_quiet()
    window.learning.settings, window.learning.output = settings, folder / "gui-models"
    window.show()

    def spin_until(cond: Callable[[], bool], timeout: float = 900.0) -> None:
        end = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > end:
                raise TimeoutError("the window did not get there in time")
            QCoreApplication.processEvents()
            time.sleep(0.001)

    def pause(seconds: float) -> None:
        until = time.monotonic() + seconds
        spin_until(lambda: time.monotonic() >= until)

    def open_article(doc_id: int) -> None:
        window.open_document(doc_id)
        spin_until(lambda: window.ops.idle() and window.view is not None and window.view.info.id == doc_id)

    def edit_once(add: bool) -> float:
        landed: list[float] = []
        began = time.perf_counter()
        if add:
            start = window.view.text.index("Morocco")
            window.ops.step(lambda: window.editor.run_edit(window.session.add_entity(start, start + 7, "GPE"),
                                                           lambda: landed.append(time.perf_counter())))
        else:
            span = next(s for s in window.view.confirmed if s.label == "GPE" and
                        window.view.text[s.start : s.end] == "Morocco")
            window.ops.step(lambda: window.editor.run_edit(window.session.delete(span),
                                                           lambda: landed.append(time.perf_counter())))
        spin_until(lambda: bool(landed))
        return landed[0] - began

    def edits(stop: Callable[[], bool], count: int) -> list[float]:
        out: list[float] = []
        while len(out) < count and not stop():
            pause(0.2)
            out.append(edit_once(add=len(out) % 2 == 0))
        if len(out) % 2:
            out.append(edit_once(add=False))  # leave the article as it was
        return out

    spin_until(window.ops.idle)
    open_article(ids["001"])
    idle = edits(lambda: False, 40)
    base_author = window.view.info.suggested_by
    open_article(ids["002"])
    accepted_at = time.perf_counter()
    window.actions_by_name["accept_document"].trigger()  # the K-th accept
    spin_until(lambda: window.learning.running is not None)
    open_article(ids["001"])
    refreshed: list[float] = []
    window.learning.suggestionsRefreshed.connect(lambda _id: refreshed.append(time.perf_counter()))
    busy = edits(lambda: bool(refreshed), 10**9)
    spin_until(lambda: bool(refreshed))
    spin_until(window.learning.idle)
    everything = time.perf_counter() - accepted_at
    model = store.trained_models("en")[-1]
    unfinished = store.ids_needing_suggestions("en", rerun=True)
    by_model = sum(1 for d in unfinished if store.document(d).suggested_by == model.author)
    window.close()
    app.processEvents()
    store.close()
    print(f"\nbackground learning in the app (MainWindow, K = 2, training: {settings}):")
    print(f"  K-th accept (Ctrl+Return) -> open article shows {model.author}'s suggestions (was {base_author}): "
          f"{refreshed[0] - accepted_at:.1f} s; -> all {len(unfinished)} unfinished articles re-suggested: "
          f"{everything:.1f} s ({by_model} now by the new model)")
    print(f"  edit latency idle: median {statistics.median(idle) * 1000:.1f} ms, p95 {p95(idle) * 1000:.1f} ms "
          f"({len(idle)} edits)")
    print(f"  edit latency while learning: median {statistics.median(busy) * 1000:.1f} ms, "
          f"p95 {p95(busy) * 1000:.1f} ms ({len(busy)} edits); ratio to idle: median "
          f"{statistics.median(busy) / statistics.median(idle):.2f}, p95 {p95(busy) / p95(idle):.2f}")
    print(f"  every edit landed: {_edits_landed(path, ids['001'])}")


def _edits_landed(path: Path, document_id: int) -> bool:
    """Each add was followed by its delete: no human Morocco/GPE left, and the edit count matches."""
    store = Store.open(str(path))
    try:
        view = store.view(document_id, "alice")
        return not any(s.label == "GPE" and view.text[s.start : s.end] == "Morocco" for s in view.confirmed)
    finally:
        store.close()

"""Time to show an article with its spans, against raw ``QTextCursor.mergeCharFormat`` in the same run.

For each seed article (with its model suggestions) and for a synthetic 1 MB / 20,000-span article:
  raw:   QTextEdit.setPlainText + one mergeCharFormat per span in one edit block (undo off), then a
         forced layout and paint of the viewport;
  ours:  ``ArticleView.show_document`` (offset mapping, line spacing, formats by layer) + the same
         layout and paint (which also draws the visible label tags).
Prints milliseconds (best of N) and ours/raw. Goals: seed article < 50 ms; large article < 3x raw.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_open.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication, QTextEdit  # noqa: E402

from annotator.core.labels import DEFAULT_LABELS  # noqa: E402
from annotator.core.span import Layer, Span  # noqa: E402
from annotator.gui.article_view import ArticleView  # noqa: E402
from annotator.io.importer import import_paths  # noqa: E402
from annotator.nlp.pipelines import Pipelines  # noqa: E402
from annotator.nlp.preannotate import preannotate  # noqa: E402
from annotator.store import Store  # noqa: E402
from tests.gui.test_large_and_jobs import big_article  # noqa: E402

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
COLOURS = {label.name: label.colour for label in DEFAULT_LABELS}


def raw_show(widget: QTextEdit, text: str, spans: list[Span]) -> None:
    widget.setPlainText(text)
    cursor = QTextCursor(widget.document())
    cursor.beginEditBlock()
    for s in spans:  # Python offsets used directly: the raw figure skips the UTF-16 mapping
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(COLOURS.get(s.label, "#dddddd")))
        cursor.setPosition(s.start)
        cursor.setPosition(s.end, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(fmt)
    cursor.endEditBlock()


def timed(fn, widget, repeat: int) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        widget.viewport().repaint()
        QApplication.processEvents()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    app = QApplication.instance() or QApplication([])
    raw = QTextEdit()
    raw.setReadOnly(True)
    raw.document().setUndoRedoEnabled(False)
    ours = ArticleView()
    ours.set_labels(DEFAULT_LABELS)
    for w in (raw, ours):
        w.resize(900, 800)
        w.show()
    app.processEvents()

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(str(Path(tmp) / "bench.sqlite3"))
        import_paths(store, [SEEDS])
        preannotate(store, Pipelines())
        print(f"{'article':<34} {'spans':>6} {'raw ms':>8} {'ours ms':>8} {'ratio':>6}")
        for doc in store.list_documents():
            view = store.view(doc.id, "bench")
            spans = view.entities
            r = timed(lambda t=view.text, s=spans: raw_show(raw, t, s), raw, 20)
            o = timed(lambda t=view.text, s=spans: ours.show_document(t, s), ours, 20)
            print(f"{doc.source[-28:]:<34} {len(spans):>6} {r:8.1f} {o:8.1f} {o / r:6.2f}")
        store.close()

    text, data = big_article()
    spans = [Span(i, 1, s.start, s.end, s.label, Layer.MODEL, "m@1") for i, s in enumerate(data)]
    r = timed(lambda: raw_show(raw, text, spans), raw, 2)
    o = timed(lambda: ours.show_document(text, spans), ours, 2)
    print(f"{'1 MB synthetic (emoji on every line)':<34} {len(spans):>6} {r:8.1f} {o:8.1f} {o / r:6.2f}")
    print("goals: a seed article < 50 ms; the large article < 3x raw")


if __name__ == "__main__":
    main()

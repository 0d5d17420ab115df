"""Key press to repaint in the real window, against the raw store calls the same edit needs, in one run.

Store: 10,000 generated articles (sentences from the seed texts, names varied so every text differs;
~120 words each, ~12 suggested entities; 1,000 occurrences of "Daesh" across 500 of them).
For each decision the window is driven with real key presses (pytest-qt's QTest) and timed until the
database worker is idle and the article has repainted:
  confirm (Enter on a suggestion), relabel (a label key), delete (Delete), annotate-all (Ctrl+Shift+L
  on "Daesh", the preview accepted as it is: 1,000 occurrences in 500 documents).
Raw: the same store work called directly (edit + summary + view; for annotate-all: finding the
occurrences + Store.label_places). Prints medians (ms) and ours/raw.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_flow.py [--documents 10000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QCoreApplication, QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from annotator.core.document import NewDocument  # noqa: E402
from annotator.core.span import SpanData  # noqa: E402
from annotator.gui.main_window import MainWindow  # noqa: E402
from annotator.nlp.occurrences import find_occurrences  # noqa: E402
from annotator.store import Store  # noqa: E402

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
NAMES = ["Antony Blinken", "Nasser Bourita", "Karim Benali", "Sara Haddad", "Yusuf Amrani", "Lina Taleb"]
PLACES = ["Rabat", "Marrakech", "Tangier", "Casablanca", "Fez", "Agadir"]


def corpus(n: int, seed: int = 0) -> list[tuple[NewDocument, list[SpanData]]]:
    rng = random.Random(seed)
    sentences = [s.strip() + "." for p in sorted(SEEDS.glob("*.txt")) for s in p.read_text().split(".")
                 if 40 < len(s.strip()) < 300 and "\n" not in s.strip()]
    docs = []
    for i in range(n):
        spans: list[SpanData] = []
        text = ""
        for k in range(6):
            name, place = rng.choice(NAMES), rng.choice(PLACES)
            lead = f"{name} met officials in {place} on day {i}-{k}. "
            if i % 20 == 0 and k < 2:  # every 20th article, twice: 1,000 occurrences in 500 of 10,000
                lead += "Daesh was discussed. "
            for word, label in ((name, "PERSON"), (place, "GPE")):
                at = len(text) + lead.index(word)
                spans.append(SpanData(at, at + len(word), label))
            text += lead + rng.choice(sentences) + " "
        docs.append((NewDocument(text.strip(), f"gen/{i:05d}.txt", "en"), spans))
    return docs


def settle(app: QApplication, window: MainWindow) -> None:
    while not window.ops.idle():
        app.processEvents()
    window.article.viewport().repaint()


def timed(app: QApplication, window: MainWindow, act) -> float:  # type: ignore[no-untyped-def]
    began = time.perf_counter()
    act()
    settle(app, window)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as tmp:
        QCoreApplication.setOrganizationName("annotator-bench")
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
        store = Store.open(str(Path(tmp) / "flow.sqlite3"))
        began = time.perf_counter()
        items = corpus(args.documents)
        report = store.import_documents([(doc, []) for doc, _ in items])
        for i in range(0, len(report.added), 1000):
            ids = report.added[i:i + 1000]
            store.replace_suggestions({d: items[d - 1][1] for d in ids}, "bench@1")
        print(f"{args.documents} documents built in {time.perf_counter() - began:.1f} s")
        daesh = sum(doc.text.count("Daesh") for doc, _ in items)

        window = MainWindow(store, "alice")
        window.set_quiet()
        window.show()
        settle(app, window)
        ours: dict[str, list[float]] = {"confirm": [], "relabel": [], "delete": []}
        raw: dict[str, list[float]] = {"confirm": [], "relabel": [], "delete": []}
        keys = {"confirm": Qt.Key.Key_Return, "relabel": Qt.Key.Key_2, "delete": Qt.Key.Key_Delete}
        doc_ids = iter(range(2, args.documents, 2))
        for _ in range(args.repeats):
            doc_id = next(doc_ids)
            window.open_document(doc_id)
            settle(app, window)
            for what, key in keys.items():
                window.article.select_span(window.view.suggestions[0])
                ours[what].append(timed(app, window, lambda key=key: QTest.keyClick(window.article, key)))
            # raw: the same three edits on the next document, straight on the store
            other = next(doc_ids)
            for what in keys:
                view = store.view(other, "alice")
                began = time.perf_counter()
                span = view.suggestions[0]
                if what == "confirm":
                    store.confirm_suggestion(span.id, "alice")
                elif what == "relabel":
                    store.relabel_span(span.id, "ORG", "alice")
                else:
                    store.delete_span(span.id, "alice")
                store.summary(other)
                store.view(other, "alice")
                raw[what].append(time.perf_counter() - began)

        # annotate all: "Daesh" in the open article, 1,000 occurrences across the corpus
        first = next(d for d in range(1, 40) if "Daesh" in store.view(d, "alice").text)
        window.open_document(first)
        settle(app, window)
        text = window.view.text
        at = text.index("Daesh")
        window.article.select_range(at, at + 5)
        QTest.keyClick(window.article, Qt.Key.Key_7)  # EVENT, the decision to repeat
        settle(app, window)
        window.article.select_span(next(s for s in window.article.spans if s.start == at))
        window.activateWindow()
        all_ours = timed(app, window, window.occurrences.label_all_corpus)
        began = time.perf_counter()
        found = find_occurrences(store, "Daesh", "bob")
        places: dict[int, list[tuple[int, int]]] = {}
        for o in found:
            places.setdefault(o.document_id, []).append((o.start, o.end))
        store.label_places("bob", "EVENT", places)
        all_raw = time.perf_counter() - began
        window.close()

    print(f"\n{'decision':<14}{'ours ms':>10}{'raw ms':>10}{'ours/raw':>10}")
    for what in keys:
        o, r = statistics.median(ours[what]) * 1000, statistics.median(raw[what]) * 1000
        print(f"{what:<14}{o:>10.1f}{r:>10.1f}{o / r:>10.2f}")
    print(f"{'annotate-all':<14}{all_ours * 1000:>10.0f}{all_raw * 1000:>10.0f}{all_ours / all_raw:>10.2f}"
          f"   ({len(found)} occurrences of {daesh} in the texts, {len(places)} documents)")


if __name__ == "__main__":
    main()

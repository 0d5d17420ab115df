"""Store throughput, in one run on this machine:

1. Edits committed per second (``Store.add_span``: one transaction each, with overlap checks,
   version bump and Changes) against raw SQLAlchemy Core inserts of the same rows, also one
   transaction each, the two alternating in ten rounds (the median round's ratio is the figure that
   holds on a loaded machine) — on SQLite, and on PostgreSQL when its server binaries exist (a throwaway
   server on 127.0.0.1).
2. Opening a 100,000-document store and showing the first page of the document list (offscreen
   MainWindow), against a raw ``SELECT id, title ... LIMIT 50``.
3. ``annotator stats`` (``Store.stats``) on a store of ``--stats-documents`` documents with
   ``--stats-spans`` spans each (rows written with raw SQL), against the raw GROUP BY over every span
   that it used to run (``SELECT label, layer, count(*) FROM spans GROUP BY ...``).
4. An import of 100,000 realistic articles with entities (``benchmarks/import_scale.py``) beside an
   editor process calling ``Store.add_span`` every 100 ms, on SQLite and PostgreSQL: the longest write
   transaction the import held, and the editor's worst and median edit latency during the import
   (against its median with no import running), with the import's time against a raw bulk insert.

    python benchmarks/store.py [--edits 1000] [--documents 100000] [--stats-documents 100000]
                               [--stats-spans 75] [--import-documents 100000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text  # noqa: E402

from annotator.core.document import NewDocument  # noqa: E402
from annotator.store import Store  # noqa: E402
from annotator.store.listing import PAGE  # noqa: E402
from annotator.store.schema import SpanRow, utcnow  # noqa: E402

WORDS = 3000
TEXT = " ".join(f"w{i}" for i in range(WORDS))


def edits(url: str, n: int, rounds: int = 10) -> tuple[float, float, float, float]:
    """(raw inserts/s, edits/s, median of the per-round ratios, ratio of this process's CPU time): raw
    and ours alternate in ``rounds`` blocks of n/rounds each, so load from other processes falls on both
    alike; on SQLite all the work is this process's, so its CPU-time ratio does not depend on load."""
    store = Store.open(url)
    doc = store.import_documents([(NewDocument(TEXT + f" {url[-12:]}", "bench", "en"), [])]).added[0]
    starts = [0] + [i + 1 for i, c in enumerate(TEXT) if c == " "]
    rows = []
    for k in range(n):
        s = starts[k % WORDS]
        rows.append((s, TEXT.index(" ", s)))
    engine = store.engine
    raw_time = ours_time = raw_cpu = ours_cpu = 0.0
    ratios = []
    size = max(1, n // rounds)
    for first in range(0, n, size):
        block = rows[first:first + size]
        start, cpu = time.perf_counter(), time.process_time()
        for s, e in block:  # raw: the same rows, one transaction each, no checks
            with engine.begin() as conn:
                conn.execute(insert(SpanRow), [dict(document_id=doc, start=s, end=e, label="PERSON", layer="human",
                                                    author="raw", rejected=False, created_at=utcnow())])
        raw, raw_cpu = time.perf_counter() - start, raw_cpu + time.process_time() - cpu
        start, cpu = time.perf_counter(), time.process_time()
        for s, e in block:
            store.add_span(doc, s, e, "PERSON", "bench")
        ours, ours_cpu = time.perf_counter() - start, ours_cpu + time.process_time() - cpu
        raw_time, ours_time = raw_time + raw, ours_time + ours
        ratios.append(raw / ours)
    store.close()
    return n / raw_time, n / ours_time, statistics.median(ratios), raw_cpu / ours_cpu


def open_large(n_docs: int) -> tuple[float, float]:
    from PySide6.QtWidgets import QApplication

    from annotator.gui.main_window import MainWindow
    from annotator.nlp.pipelines import Pipelines

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "large.sqlite3"
        store = Store.open(str(path))
        for i in range(0, n_docs, 5000):
            store.import_documents([(NewDocument(f"Dispatch {j}: Rabat and Tanger.", f"d{j}", "en"), [])
                                    for j in range(i, min(n_docs, i + 5000))])
        store.close()
        start = time.perf_counter()
        store = Store.open(str(path))
        with store.engine.connect() as conn:
            conn.execute(text("SELECT id, title, language, status FROM documents ORDER BY id LIMIT 50")).all()
        raw = time.perf_counter() - start
        start = time.perf_counter()
        store2 = Store.open(str(path))
        window = MainWindow(store2, "bench", Pipelines())
        window.show()
        while not window.ops.idle():  # the list is read and the first article opened on the database worker
            app.processEvents()
        ours = time.perf_counter() - start
        assert window.documents.table_model.rowCount() == min(n_docs, PAGE)  # the list reads a page at a time
        window.close()
        store.close()
        store2.close()
    return raw, ours


def stats_large(path: str, n_docs: int, per_doc: int) -> tuple[float, float, int]:
    """Seconds of the raw GROUP BY over every span and of ``Store.stats``, on a store of ``n_docs``
    articles (about 3,000 characters each) with ``per_doc`` spans each (written with raw SQL, the span
    counts triggers counting them as any insert)."""
    labels = ("PERSON", "ORG", "GPE", "DATE", "CARDINAL", "NORP", "LOC", "MONEY")
    store = Store.open(path)
    body = " ".join(f"w{i}" for i in range(500))
    now = utcnow().isoformat(" ")
    with store.engine.begin() as conn:
        for first in range(1, n_docs + 1, 5000):
            ids = range(first, min(n_docs, first + 4999) + 1)
            conn.exec_driver_sql(
                "INSERT INTO documents (id, text, source, title, language, content_hash, status, had_bom, meta, "
                "created_at, updated_at, version) VALUES (?, ?, ?, ?, 'en', ?, 'in progress', 0, '{}', ?, ?, 1)",
                [(i, f"Dispatch {i}. {body}", f"d{i}", f"Dispatch {i}", f"h{i}", now, now) for i in ids])
            conn.exec_driver_sql(
                "INSERT INTO spans (document_id, start, \"end\", label, layer, author, rejected, created_at) "
                "VALUES (?, ?, ?, ?, ?, 'bench', ?, ?)",
                [(i, 20 + 10 * k, 25 + 10 * k, labels[k % len(labels)], "human" if k % 3 else "model", k % 11 == 0, now)
                 for i in ids for k in range(per_doc)])
    start = time.perf_counter()
    with store.engine.connect() as conn:
        conn.exec_driver_sql("SELECT label, layer, rejected, count(*) FROM spans GROUP BY label, layer, rejected").all()
    raw = time.perf_counter() - start
    start = time.perf_counter()
    stats = store.stats()
    ours = time.perf_counter() - start
    assert stats.documents == n_docs and sum(stats.spans.values()) + stats.rejections == n_docs * per_doc
    store.close()
    return raw, ours, n_docs * per_doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--documents", type=int, default=100_000, help="0: skip opening a large store")
    parser.add_argument("--stats-documents", type=int, default=100_000, help="0: skip timing stats")
    parser.add_argument("--stats-spans", type=int, default=75, help="spans per document for the stats store")
    parser.add_argument("--import-documents", type=int, default=100_000, help="0: skip the import beside an editor")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        raw, ours, ratio, cpu = edits(str(Path(tmp) / "edits.sqlite3"), args.edits)
        print(f"SQLite: raw Core insert {raw:8.0f}/s, Store.add_span {ours:8.0f} edits/s, ratio {ours / raw:.3f} "
              f"(median of 10 alternating rounds {ratio:.3f}; CPU time {cpu:.3f})")
    from tests.postgres import ThrowawayPostgres, pg_bin

    if pg_bin() is not None:
        server = ThrowawayPostgres(pg_bin()).start()  # type: ignore[arg-type]
        try:
            raw, ours, ratio, _ = edits(server.url(), args.edits)
            print(f"PostgreSQL: raw Core insert {raw:8.0f}/s, Store.add_span {ours:8.0f} edits/s, "
                  f"ratio {ours / raw:.3f} (median of 10 alternating rounds {ratio:.3f}; fsync off in the "
                  "throwaway server)")
        finally:
            server.stop()
    if args.documents:
        raw, ours = open_large(args.documents)
        print(f"open a {args.documents:,}-document store: raw first page {raw * 1000:.0f} ms, "
              f"app window with its list {ours * 1000:.0f} ms (ratio {ours / raw:.1f}x)")
    if args.stats_documents:
        with tempfile.TemporaryDirectory() as tmp:
            raw, ours, n_spans = stats_large(str(Path(tmp) / "stats.sqlite3"), args.stats_documents, args.stats_spans)
        print(f"stats of {args.stats_documents:,} documents, {n_spans:,} spans (SQLite): raw GROUP BY over the spans "
              f"{raw * 1000:.0f} ms, Store.stats {ours * 1000:.1f} ms (ratio {ours / raw:.4f})")
    if args.import_documents:
        import_beside_editor(args.import_documents)


def import_beside_editor(n_docs: int) -> None:
    """Issue 11 #5: the longest write-lock hold of a large import and what a concurrent editor feels."""
    from benchmarks.import_scale import measure, write_corpus
    from tests.postgres import ThrowawayPostgres, pg_bin

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        write_corpus(corpus, n_docs)
        counter = iter(range(1_000_000))
        runs = [("SQLite", lambda: str(Path(tmp) / f"import{next(counter)}.sqlite3"), None)]
        server = ThrowawayPostgres(pg_bin()).start() if pg_bin() is not None else None  # type: ignore[arg-type]
        if server is not None:
            runs.append(("PostgreSQL", lambda: str(server.create_database(f"import{next(counter)}")), server))
        try:
            for name, new_url, _ in runs:
                r = measure(name, n_docs, corpus, new_url)
                ours, raw = r["ours"], r["raw"]
                print(f"{name}: import of {n_docs:,} articles ({ours['spans']:,} entities) in {ours['seconds']:.0f} s "
                      f"(raw bulk insert {raw['seconds']:.0f} s, ratio {raw['seconds'] / ours['seconds']:.2f}); "
                      f"longest write transaction {ours['longest_write_s']:.2f} s of {ours['transactions']}; "
                      f"concurrent editor: {r['edits']} edits, {r['failed']} failed, median "
                      f"{r['edit_p50_s'] * 1000:.0f} ms (idle {r['idle_edit_s'] * 1000:.0f} ms), worst "
                      f"{r['edit_worst_s'] * 1000:.0f} ms")
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    main()

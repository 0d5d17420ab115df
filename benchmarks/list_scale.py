"""The document list and search at scale (issue 13 items 1-2), each against a raw baseline measured in
the same run:

1. time to the first article shown, opening the window (``MainWindow``, offscreen) on a store of N
   articles, against raw sqlite3 reading the first page of the list and the first article's text and
   spans; and the peak memory (RSS) of each, both in fresh processes;
2. scrolling the list to the end (every page ``fetchMore`` asks for, with the annotator's counts),
   against one raw ``SELECT`` of the same columns without counts, with the peak memory after it (the
   list holds a few pages, however far it is scrolled), then back to the middle row (its page dropped
   long ago, read again);
3. sorting: the first and the next page of the list sorted by each column (by "Sugg.": two walks of
   the counts the database keeps, per document and per person on the articles they touched; by
   "Entities": the person's reviewed articles ranked by their exact counts, the others by id), the
   count columns and Status both ways, also for a person who touched nothing, and Alt+Right in the
   count orders (``--sorts-only``: only this part, on the stores ``--keep`` holds or builds);
4. search latency: ``Store.search`` (titles and text, FTS5) and a page of the list filtered by it,
   against the raw FTS5 ``MATCH`` and against the substring scan the store did before (``LIKE``);
5. database bytes per document against the raw UTF-8 bytes of its text (and what the search index
   takes of it, from SQLite's ``dbstat``);
6. (once, ``--suggestion-writes``) the suggestions of N articles written as pre-annotation writes them,
   against raw inserts of the same rows without triggers: what keeping the counts costs the writes.

The corpus is generated (seeded, deterministic): articles of ~610 words drawn from a 3,000-word
synthetic vocabulary in sentences of 8-20 words, with 40 entities each (``--entities N``: N entities,
a sentence each, so shorter articles; names from 1,200 made-up people, places and organisations)
stored as model suggestions, and 1 article in 10 partly reviewed by the benchmark's annotator (a
confirmation, a dismissal, a drawn entity). Rows are written with raw sqlite3 into a store created by
``Store.open`` (the search triggers index them as they go in); ``--keep DIR`` builds the stores there
and reuses them in later runs.

    python benchmarks/list_scale.py [--documents 10000 100000] [--suggestion-writes 5000]
        [--entities 40] [--keep DIR] [--sorts-only]

Opening a kept store made by an older annotator upgrades its schema (and copies it first, beside it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

USER = "bench"  # has reviewed 1 article in 10
NEWCOMER = "newcomer"  # has touched no article
LABELS = ("PERSON", "GPE", "ORG", "LOC", "NORP", "DATE")
STAMP = "2026-12-01 10:00:00.000000"


def vocabulary(rng: random.Random) -> tuple[list[str], list[tuple[str, str]]]:
    syllables = ["ka", "ro", "mi", "ta", "ne", "la", "su", "bo", "ri", "da", "ve", "po", "zu", "fa", "gi", "ho"]
    words = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(1, 4))) for _ in range(4000)})[:3000]
    names = [(" ".join(w.capitalize() for w in rng.sample(words, rng.randint(1, 2))), rng.choice(LABELS))
             for _ in range(1200)]
    return words, names


Names = list[tuple[str, str]]


def article(rng: random.Random, words: list[str], names: Names, i: int,
            entities: int = 40) -> tuple[str, list[tuple[int, int, str]]]:
    """A sentence of 8-20 words per entity (~610 words with 40): (text, [(start, end, label)])."""
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    length = 0

    def put(piece: str) -> None:
        nonlocal length
        parts.append(piece)
        length += len(piece)

    title_name, title_label = rng.choice(names)
    put(f"Report {i}: ")
    spans.append((length, length + len(title_name), title_label))
    put(title_name)
    put(" " + " ".join(rng.choice(words) for _ in range(5)) + "\n\n")
    while len(spans) < entities:
        sentence = [rng.choice(words) for _ in range(rng.randint(8, 20))]
        sentence[0] = sentence[0].capitalize()
        put(" ".join(sentence[:3]) + " ")
        name, label = rng.choice(names)
        spans.append((length, length + len(name), label))
        put(name)
        put(" " + " ".join(sentence[3:]) + ". ")
    return "".join(parts).rstrip(), spans


def build(path: Path, n: int, entities: int = 40) -> tuple[int, int]:
    """A store of ``n`` generated articles; returns the raw UTF-8 bytes and the words of their texts."""
    from annotator.store import Store

    Store.open(str(path)).close()
    rng = random.Random(13)
    words, names = vocabulary(rng)
    raw_bytes = words_in = 0
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    for first in range(0, n, 2000):
        docs, spans = [], []
        for i in range(first, min(n, first + 2000)):
            text, found = article(rng, words, names, i, entities)
            raw_bytes += len(text.encode("utf-8"))
            words_in += len(text.split())
            doc_id = i + 1
            status = "in progress" if i % 10 == 0 else "pre-annotated"
            docs.append((doc_id, text, f"wire/{i:07}.txt", text.split("\n", 1)[0][:80], "en",
                         hashlib.sha256(text.encode()).hexdigest(), status, USER if i % 10 == 0 else None, 0, "{}",
                         "bench@1", STAMP, STAMP, 1))
            spans.extend((doc_id, s, e, label, "model", "bench@1", 0, STAMP) for s, e, label in found)
            if i % 10 == 0:
                (s0, e0, l0), (s1, e1, l1), (s2, e2, _) = found[1:4]
                spans += [(doc_id, s0, e0, l0, "human", USER, 0, STAMP), (doc_id, s1, e1, l1, "human", USER, 1, STAMP),
                          (doc_id, s2, e2, "ORG", "human", USER, 0, STAMP)]
        insert_rows(conn, docs, spans)
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return raw_bytes, words_in


def insert_rows(conn: sqlite3.Connection, docs: list[tuple[object, ...]], spans: list[tuple[object, ...]]) -> None:
    """Document rows (id, text, source, title, language, content_hash, status, status_by, had_bom, meta,
    suggested_by, created_at, updated_at, version) and span rows (document_id, start, end, label, layer,
    author, rejected, created_at) with raw sqlite3, committed."""
    conn.executemany("INSERT INTO documents (id, text, source, title, language, content_hash, status, status_by, "
                     "had_bom, meta, suggested_by, created_at, updated_at, version) "
                     "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", docs)
    conn.executemany('INSERT INTO spans (document_id, start, "end", label, layer, author, rejected, created_at) '
                     "VALUES (?,?,?,?,?,?,?,?)", spans)
    conn.commit()


# -- measured in child processes (peak memory is per process) ----------------------------------------

def child_raw_open(path: str) -> dict[str, float]:
    start = time.perf_counter()
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT id, title, source, language, status, updated_at FROM documents "
                        "ORDER BY id LIMIT 200").fetchall()
    conn.execute("SELECT text FROM documents WHERE id = ?", (rows[0][0],)).fetchone()
    conn.execute('SELECT id, start, "end", label, layer, author, rejected FROM spans WHERE document_id = ?',
                 (rows[0][0],)).fetchall()
    first = time.perf_counter() - start
    start = time.perf_counter()
    n = sum(1 for _ in conn.execute("SELECT id, title, source, language, status, updated_at FROM documents "
                                    "ORDER BY id"))
    scroll = time.perf_counter() - start
    return {"first_s": first, "scroll_s": scroll, "rows": n, "peak_mb": _peak_mb()}


def child_app_open(path: str) -> dict[str, float]:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from annotator.gui.document_list import ID_ROLE
    from annotator.gui.main_window import MainWindow
    from annotator.nlp.pipelines import Pipelines
    from annotator.store import Store

    start = time.perf_counter()
    store = Store.open(path)
    window = MainWindow(store, USER, Pipelines())
    window.show()
    while window.view is None or not window.ops.idle():
        app.processEvents()
    first = time.perf_counter() - start
    peak_open = _peak_mb()
    model = window.documents.table_model
    start = time.perf_counter()
    while model.canFetchMore() or model.fetching or not window.ops.idle():
        if model.canFetchMore():
            window.documents.table.scrollToBottom()
            model.fetchMore()
        app.processEvents()
    scroll = time.perf_counter() - start
    rows = model.rowCount()
    middle = model.index(rows // 2, 0)  # scrolled past long ago: its page is read again
    start = time.perf_counter()
    window.documents.table.scrollTo(middle)
    while middle.data(ID_ROLE) is None or not window.ops.idle():
        app.processEvents()
    back = time.perf_counter() - start
    window.close()
    store.close()
    return {"first_s": first, "peak_open_mb": peak_open, "scroll_s": scroll, "rows": rows, "peak_mb": _peak_mb(),
            "back_s": back}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(kind: str, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", kind, str(path)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def search_latency(path: Path) -> dict[str, float]:
    from annotator.store import Store
    from annotator.store.listing import ListQuery

    store = Store.open(str(path))
    conn = sqlite3.connect(path)
    word = conn.execute("SELECT substr(text, 1, 40) FROM documents WHERE id = 77").fetchone()[0].split()[2]
    rare = conn.execute("SELECT title FROM documents WHERE id = 4321 % (SELECT max(id) FROM documents)").fetchone()[0]
    queries = {"common": word, "a title": rare.split(":")[1].strip()}
    out: dict[str, float] = {}
    for name, q in queries.items():
        ours = _best(lambda q=q: store.search(q, in_text=True))
        listed = _best(lambda q=q: store.list_page(ListQuery(user=USER, search=q, in_text=True)))
        fts = " ".join(f'"{w}"' for w in q.split())
        raw = _best(lambda fts=fts: conn.execute("SELECT rowid FROM documents_text_fts WHERE documents_text_fts "
                                                 "MATCH ? ORDER BY rowid", (fts,)).fetchall())
        like = _best(lambda q=q: conn.execute("SELECT id FROM documents WHERE text LIKE ? ORDER BY id",
                                              (f"%{q}%",)).fetchall(), runs=1)
        hits = len(store.search(q, in_text=True))
        out[name] = {"query": q, "hits": hits, "search_ms": ours * 1000, "list_page_ms": listed * 1000,
                     "raw_fts_ms": raw * 1000, "like_scan_ms": like * 1000}  # type: ignore[assignment]
    store.close()
    conn.close()
    return out


def sort_latency(path: Path) -> dict[str, tuple[float, float]]:
    """A page of the list sorted by each column (descending), and the page after it, in ms (best of 2);
    the count columns and Status also ascending, the counts for a person who touched no article
    (``NEWCOMER``), and Alt+Right (``list_neighbour``, the next article) from the first page's second
    row in the count orders, "Sugg." both ways."""
    from annotator.store import Store
    from annotator.store.listing import ListQuery, Sort

    store = Store.open(str(path))
    out = {}
    cases = [(sort.value, ListQuery(user=USER, sort=sort, descending=True))
             for sort in (Sort.IMPORTED, Sort.TITLE, Sort.EDITED, Sort.STATUS, Sort.ENTITIES, Sort.SUGGESTIONS)]
    cases.append(("status ascending", ListQuery(user=USER, sort=Sort.STATUS)))
    for sort in (Sort.ENTITIES, Sort.SUGGESTIONS):
        cases += [(f"{sort.value} ascending", ListQuery(user=USER, sort=sort)),
                  (f"{sort.value} ({NEWCOMER})", ListQuery(user=NEWCOMER, sort=sort, descending=True))]
    for name, query in cases:
        first = store.list_page(query)
        out[name] = (_best(lambda q=query: store.list_page(q), runs=2) * 1000,
                     _best(lambda q=query, a=first.after: store.list_page(q, a), runs=2) * 1000)
    for name, query in (("entities", ListQuery(user=USER, sort=Sort.ENTITIES, descending=True)),
                        ("suggestions", ListQuery(user=USER, sort=Sort.SUGGESTIONS, descending=True)),
                        ("suggestions ascending", ListQuery(user=USER, sort=Sort.SUGGESTIONS))):
        current = store.list_page(query, None, 2).rows[1].id
        took = _best(lambda q=query, c=current: store.list_neighbour(q, c), runs=2) * 1000
        out[f"Alt+Right {name}"] = (took, took)
    store.close()
    return out


def _best(call, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def sizes(path: Path, n: int, raw_bytes: int) -> dict[str, float]:
    conn = sqlite3.connect(path)
    try:
        fts = conn.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'documents_%fts%'").fetchone()[0] or 0
    except sqlite3.OperationalError:  # SQLite built without dbstat
        fts = float("nan")
    conn.close()
    total = path.stat().st_size
    return {"db_bytes_per_doc": total / n, "text_bytes_per_doc": raw_bytes / n, "ratio": total / raw_bytes,
            "search_index_bytes_per_doc": fts / n}


def stored(keep: Path | None, tmp: str, n: int, entities: int) -> tuple[Path, dict[str, int], str]:
    """The store of ``n`` articles: built in ``tmp``, or in ``keep`` and reused from there by later runs
    (with the raw text bytes and words noted beside it). Returns (path, that note, how it came)."""
    folder = keep if keep is not None else Path(tmp)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"list{n}-e{entities}.sqlite3"
    note = path.with_suffix(".json")
    if keep is not None and path.exists() and note.exists():
        return path, json.loads(note.read_text()), f"reused {path}"
    path.unlink(missing_ok=True)
    start = time.perf_counter()
    raw_bytes, words = build(path, n, entities)
    note.write_text(json.dumps({"raw_bytes": raw_bytes, "words": words}))
    return path, {"raw_bytes": raw_bytes, "words": words}, f"built in {time.perf_counter() - start:.0f} s"


def run(n: int, entities: int = 40, keep: Path | None = None, sorts_only: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path, note, how = stored(keep, tmp, n, entities)
        raw_bytes = note["raw_bytes"]
        print(f"\n== {n:,} articles of {entities} entities, {note['words'] / n:.0f} words each on average ({how})")
        if sorts_only:
            pages = ", ".join(f"{name} {a:.0f}/{b:.0f} ms" for name, (a, b) in sort_latency(path).items())
            print(f"list sorted by (first page / next page): {pages}")
            return
        raw = _child("raw", path)
        app = _child("app", path)
        print(f"first article: app {app['first_s'] * 1000:.0f} ms, raw first page + article "
              f"{raw['first_s'] * 1000:.1f} ms (ratio {app['first_s'] / raw['first_s']:.0f}x)")
        print(f"peak memory on opening: app {app['peak_open_mb']:.0f} MB (Python + Qt + spaCy imports), "
              f"raw sqlite3 process {raw['peak_mb']:.0f} MB")
        print(f"scroll to the end ({app['rows']:,} rows): app {app['scroll_s']:.1f} s, raw SELECT of the same columns "
              f"without counts {raw['scroll_s']:.2f} s (ratio {app['scroll_s'] / raw['scroll_s']:.0f}x); "
              f"peak memory after {app['peak_mb']:.0f} MB; back to row {app['rows'] // 2:,} "
              f"{app['back_s'] * 1000:.0f} ms")
        for name, r in search_latency(path).items():
            print(f"search ({name}: {r['query']!r}, {r['hits']:,} hits): Store.search {r['search_ms']:.1f} ms, "
                  f"list page {r['list_page_ms']:.1f} ms, raw FTS5 MATCH {r['raw_fts_ms']:.1f} ms "
                  f"(ratio {r['search_ms'] / r['raw_fts_ms']:.1f}x), LIKE scan {r['like_scan_ms']:.0f} ms")
        pages = ", ".join(f"{name} {a:.0f}/{b:.0f} ms" for name, (a, b) in sort_latency(path).items())
        print(f"list sorted by (first page / next page): {pages}; raw first page {raw['first_s'] * 1000:.1f} ms")
        s = sizes(path, n, raw_bytes)
        print(f"database {s['db_bytes_per_doc']:.0f} bytes/document vs text {s['text_bytes_per_doc']:.0f} bytes "
              f"(ratio {s['ratio']:.1f}); search index {s['search_index_bytes_per_doc']:.0f} bytes/document")


def suggestion_writes(n: int, batch: int = 64) -> tuple[float, float]:
    """What keeping counts costs the writes (SQLite): ``Store.replace_suggestions`` of ``n`` articles'
    ~40 suggestions each, in batches of ``batch`` articles as pre-annotation writes them, against raw
    sqlite3 inserting the same rows, a transaction per batch, into a table with the spans' columns and
    indexes but no trigger. Seconds (raw, ours)."""
    from annotator.core.span import SpanData
    from annotator.store import Store

    rng = random.Random(7)
    words, names = vocabulary(rng)
    made = [article(rng, words, names, i) for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "writes.sqlite3"
        Store.open(str(path)).close()
        conn = sqlite3.connect(path)
        insert_rows(conn, [(i + 1, text, f"w/{i}", f"t{i}", "en", hashlib.sha256(text.encode()).hexdigest(), "new",
                            None, 0, "{}", None, STAMP, STAMP, 1) for i, (text, _) in enumerate(made)], [])
        conn.execute('CREATE TABLE raw_spans (id INTEGER PRIMARY KEY AUTOINCREMENT, document_id INTEGER NOT NULL, '
                     'start INTEGER NOT NULL, "end" INTEGER NOT NULL, label VARCHAR(64) NOT NULL, '
                     'layer VARCHAR(10) NOT NULL, author VARCHAR(200) NOT NULL, rejected BOOLEAN NOT NULL, '
                     'created_at DATETIME NOT NULL)')
        for columns in ("document_id, layer", "document_id, author, start", "label"):
            conn.execute(f"CREATE INDEX ix_raw_{columns.replace(', ', '_')} ON raw_spans ({columns})")
        conn.commit()
        start = time.perf_counter()
        for first in range(0, n, batch):
            with conn:
                conn.executemany('INSERT INTO raw_spans (document_id, start, "end", label, layer, author, rejected, '
                                 "created_at) VALUES (?,?,?,?,'model','m@1',0,?)",
                                 [(i + 1, a, b, label, STAMP) for i in range(first, min(n, first + batch))
                                  for a, b, label in made[i][1]])
        raw = time.perf_counter() - start
        conn.close()
        store = Store.open(str(path))
        start = time.perf_counter()
        for first in range(0, n, batch):
            store.replace_suggestions({i + 1: [SpanData(a, b, label) for a, b, label in made[i][1]]
                                       for i in range(first, min(n, first + batch))}, "m@1")
        ours = time.perf_counter() - start
        store.close()
    return raw, ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--suggestion-writes", type=int, default=5000, metavar="N",
                        help="articles whose suggestions are written to time the writes (0: skip)")
    parser.add_argument("--entities", type=int, default=40,
                        help="entities per generated article, a sentence of 8-20 words each (shorter articles)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="build the stores in DIR and reuse them from there in later runs")
    parser.add_argument("--sorts-only", action="store_true",
                        help="time only the list's sorts (part 3) on each store; no suggestion writes")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path = args.child
        print(json.dumps(child_raw_open(path) if kind == "raw" else child_app_open(path)))
        return
    if args.suggestion_writes and not args.sorts_only:
        raw, ours = suggestion_writes(args.suggestion_writes)
        print(f"suggestions written for {args.suggestion_writes:,} articles (~40 each, batches of 64, SQLite): "
              f"Store.replace_suggestions {ours:.2f} s, raw inserts without triggers {raw:.2f} s "
              f"(ratio {ours / raw:.2f})")
    for n in args.documents:
        run(n, args.entities, args.keep, args.sorts_only)


if __name__ == "__main__":
    main()

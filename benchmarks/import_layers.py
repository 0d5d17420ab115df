"""A second annotator's file over a stored corpus: ``Store.import_documents`` of texts already stored
(each document gains the author's layer, in the import's publish transaction) against a raw baseline
measured in the same run, on SQLite and (when its server binaries exist) a throwaway PostgreSQL on
127.0.0.1.

  corpus: ``--documents`` generated articles (benchmarks/list_scale.py's: ~400 words, ~40 entities),
          stored with alice's entities; the file: the same texts with bob's entities (every other one
          of alice's, and one more label), as an import hands them to the store;
  raw:    one transaction with SQLAlchemy Core: the document ids by content hash (IN lists of 500),
          bob's old spans deleted and the documents' version and status updated 500 documents to a
          statement, the new spans inserted with executemany on SQLite and 1,000 rows to a multi-row
          INSERT on PostgreSQL (there a row-by-row executemany fires the span-count trigger per row:
          898 s instead of seconds at 10,000)
          — no checks, no staging, no report;
  ours:   ``Store.import_documents(items, author="bob")``: hashing, staging, the all-or-nothing publish,
          layers applied a chunk at a time (``store/import_layers.py``), counts for the report.

    python benchmarks/import_layers.py [--documents 10000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import delete, insert, select, update  # noqa: E402

from annotator.core.document import NewDocument, content_hash  # noqa: E402
from annotator.core.span import SpanData  # noqa: E402
from annotator.store import Store  # noqa: E402
from annotator.store.schema import DocumentRow, SpanRow, utcnow  # noqa: E402
from benchmarks.list_scale import article, vocabulary  # noqa: E402 - the same generated articles

Corpus = list[tuple[NewDocument, list[SpanData]]]


def corpus(n: int) -> tuple[Corpus, Corpus]:
    """(alice's items, bob's items) over the same ``n`` texts."""
    rng = random.Random(23)
    words, names = vocabulary(rng)
    alice, bob = [], []
    for i in range(n):
        text, spans = article(rng, words, names, i)
        doc = NewDocument(text, f"wire/{i:06}.txt", "en")
        alice.append((doc, [SpanData(s, e, label) for s, e, label in spans]))
        bob.append((doc, [SpanData(s, e, "ORG" if k % 5 == 0 else label)
                          for k, (s, e, label) in enumerate(spans) if k % 2 == 0]))
    return alice, bob


def raw(store: Store, items: Corpus) -> float:
    start = time.perf_counter()
    now = utcnow()
    with store.engine.begin() as conn:
        ids: dict[str, int] = {}
        hashes = [content_hash(doc.text) for doc, _ in items]
        for i in range(0, len(hashes), 500):
            ids.update((h, d) for d, h in conn.execute(select(DocumentRow.id, DocumentRow.content_hash)
                                                      .where(DocumentRow.content_hash.in_(hashes[i:i + 500]))))
        doc_ids = [ids[h] for h in hashes]
        for i in range(0, len(doc_ids), 500):
            conn.execute(delete(SpanRow).where(SpanRow.layer == "human", SpanRow.author == "bob",
                                               SpanRow.document_id.in_(doc_ids[i:i + 500])))
        rows = [dict(document_id=d, start=sp.start, end=sp.end, label=sp.label, layer="human", author="bob",
                     rejected=False, created_at=now)
                for d, (_, spans) in zip(doc_ids, items, strict=True) for sp in spans]
        if conn.dialect.name == "sqlite":
            conn.execute(insert(SpanRow), rows)  # executemany: SQLite's fastest
        else:
            for i in range(0, len(rows), 1000):
                conn.execute(insert(SpanRow).values(rows[i:i + 1000]))
        for i in range(0, len(doc_ids), 500):
            conn.execute(update(DocumentRow).where(DocumentRow.id.in_(doc_ids[i:i + 500]))
                         .values(status="in progress", version=DocumentRow.version + 1, updated_at=now))
    return time.perf_counter() - start


def ours(store: Store, items: Corpus) -> float:
    start = time.perf_counter()
    report = store.import_documents(items, author="bob")
    assert not report.added and len(report.layered) == len(items), report
    return time.perf_counter() - start


def measure(url_of: list[str], name: str, n: int) -> None:
    alice, bob = corpus(n)
    times = {}
    for url, kind in zip(url_of, ("raw", "ours"), strict=True):
        store = Store.open(url)
        store.import_documents(alice, author="alice")
        times[kind] = raw(store, bob) if kind == "raw" else ours(store, bob)
        store.close()
    print(f"{name}, {n:,} stored articles, bob's layer ({sum(len(s) for _, s in bob):,} entities): "
          f"raw {times['raw']:.1f} s, Store.import_documents {times['ours']:.1f} s, "
          f"ratio {times['raw'] / times['ours']:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure([f"sqlite:///{tmp}/raw.sqlite3", f"sqlite:///{tmp}/ours.sqlite3"], "SQLite", args.documents)
    from tests.postgres import ThrowawayPostgres, pg_bin

    if pg_bin() is not None:
        server = ThrowawayPostgres(pg_bin()).start()  # type: ignore[arg-type]
        try:
            measure([server.create_database("raw"), server.create_database("ours")], "PostgreSQL", args.documents)
        finally:
            server.stop()


if __name__ == "__main__":
    main()

"""The spaCy export (``annotator export OUT --format spacy``) at scale: peak memory and time, against a raw
baseline measured in the same run, each in a fresh child process (peak RSS, ``ru_maxrss``, is per process).

  raw:   sqlite3 reads the same rows (documents in id pages of 1,000, their human spans), then
         ``spacy.blank("en")``'s tokenizer + ``doc.char_span(..., alignment_mode="expand")`` +
         ``doc.set_ents`` + ``DocBin.add``, written in shards of the same ``SHARD_LIMIT`` as ours
         (dev when the document's ``dev_score`` is below 0.2, as ours): the least a streaming DocBin
         export can do;
  ours:  ``annotator.io.exporter.export`` into a folder (the store read through SQLAlchemy, layers
         chosen, spans aligned and counted, split, shards written atomically, folder swapped in);
  ours with shards of N documents (``--shard-docs N``, no token limit), to choose
         ``docbin_shards.SHARD_LIMIT``; N >= the corpus is one DocBin per side (the export before shards).
  import only: a process that imports spaCy and the annotator and exports nothing (the floor).

The corpus is generated (seeded, deterministic), like benchmarks/list_scale.py's: articles of ~620
words from a 3,000-word synthetic vocabulary with ~75 entities each (1,200 made-up names), accepted by
one annotator whose spans are the human layer. Rows are written with raw sqlite3 into a store created
by ``Store.open``.

    python benchmarks/export.py [--documents 10000 100000] [--shard-docs 250 4000] [--entities 75]

At a million documents (``--documents 1000000 --entities 8``: ~70-word articles, which this 2-core
machine exports in tens of minutes rather than hours) the question is whether memory grows with the
number of documents; the 10k and 100k runs answer it for article length.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.list_scale import insert_rows, vocabulary  # noqa: E402 - the same vocabulary and rows

USER = "bench"
STAMP = "2026-12-01 10:00:00.000000"
ENTITIES = 75


def article(rng: random.Random, words: list[str], names: list[tuple[str, str]],
            i: int, entities: int = ENTITIES) -> tuple[str, list[tuple[int, int, str]]]:
    """~8 words per entity (75: ~620 words), an entity per sentence: (text, [(start, end, label)])."""
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    length = 0

    def put(piece: str) -> None:
        nonlocal length
        parts.append(piece)
        length += len(piece)

    put(f"Report {i}.\n\n")
    while len(spans) < entities:
        sentence = [rng.choice(words) for _ in range(rng.randint(4, 10))]
        sentence[0] = sentence[0].capitalize()
        put(" ".join(sentence[:2]) + " ")
        name, label = rng.choice(names)
        spans.append((length, length + len(name), label))
        put(name)
        put(" " + " ".join(sentence[2:]) + ". ")
    return "".join(parts).rstrip(), spans


def build(path: Path, n: int, entities: int = ENTITIES) -> tuple[int, int]:
    """A store of ``n`` accepted generated articles; returns (words, entities)."""
    from annotator.store import Store

    Store.open(str(path)).close()
    rng = random.Random(17)
    words, names = vocabulary(rng)
    n_words = n_spans = 0
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    for first in range(0, n, 2000):
        docs, spans = [], []
        for i in range(first, min(n, first + 2000)):
            text, found = article(rng, words, names, i, entities)
            n_words += len(text.split())
            n_spans += len(found)
            doc_id = i + 1
            docs.append((doc_id, text, f"wire/{i:07}.txt", f"Report {i}", "en",
                         hashlib.sha256(text.encode()).hexdigest(), "accepted", USER, 0, "{}", None, STAMP, STAMP, 1))
            spans.extend((doc_id, s, e, label, "human", USER, 0, STAMP) for s, e, label in found)
        insert_rows(conn, docs, spans)
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return n_words, n_spans


# -- measured in child processes ---------------------------------------------------------------------

def child_raw(db: str, out: str) -> dict[str, float]:
    import spacy
    from spacy.tokens import DocBin

    from annotator.io.docbin_shards import SHARD_LIMIT

    start = time.perf_counter()
    nlp = spacy.blank("en")
    conn = sqlite3.connect(db)
    folder = Path(out)
    bins = {"train": DocBin(store_user_data=True), "dev": DocBin(store_user_data=True)}
    shards = {"train": 0, "dev": 0}
    tokens = {"train": 0, "dev": 0}
    docs = 0

    def flush(side: str) -> None:
        (folder / f"{side}.spacy").mkdir(parents=True, exist_ok=True)
        (folder / f"{side}.spacy" / f"{shards[side]:04d}.spacy").write_bytes(bins[side].to_bytes())
        shards[side] += 1
        bins[side] = DocBin(store_user_data=True)
        tokens[side] = 0

    last = 0
    while True:
        rows = conn.execute("SELECT id, text, content_hash FROM documents WHERE status = 'accepted' AND id > ? "
                            "ORDER BY id LIMIT 1000", (last,)).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        spans: dict[int, list[tuple[int, int, str]]] = {r[0]: [] for r in rows}
        for doc_id, s, e, label in conn.execute(
                'SELECT document_id, start, "end", label FROM spans WHERE layer = \'human\' AND rejected = 0 '
                "AND document_id BETWEEN ? AND ? ORDER BY document_id, start", (rows[0][0], last)):
            spans[doc_id].append((s, e, label))
        for doc_id, text, content_hash in rows:
            doc = nlp.tokenizer(text)
            ents = [doc.char_span(s, e, label=label, alignment_mode="expand") for s, e, label in spans[doc_id]]
            doc.set_ents([x for x in ents if x is not None], default="outside")
            doc.user_data["annotator"] = {"id": doc_id}
            digest = hashlib.sha256(f"0:{content_hash}".encode()).digest()
            side = "dev" if int.from_bytes(digest[:8], "big") / 2**64 < 0.2 else "train"
            held = len(bins[side])
            if held and (held >= SHARD_LIMIT.documents or tokens[side] + len(doc) > SHARD_LIMIT.tokens):
                flush(side)
            bins[side].add(doc)
            tokens[side] += len(doc)
            docs += 1
    for side in ("train", "dev"):
        if len(bins[side]):
            flush(side)
    return {"seconds": time.perf_counter() - start, "documents": docs, "peak_mb": _peak_mb()}


def child_ours(db: str, out: str, shard_docs: str) -> dict[str, float]:
    from annotator.io.docbin_shards import SHARD_LIMIT, ShardLimit
    from annotator.io.exporter import ExportFormat, export
    from annotator.io.selection import ExportOptions
    from annotator.store import Store

    limit = ShardLimit(int(shard_docs), 10**12) if int(shard_docs) else SHARD_LIMIT  # given: documents only
    start = time.perf_counter()
    store = Store.open(db)
    report = export(store, Path(out), ExportFormat.SPACY, ExportOptions(), shard_limit=limit)
    store.close()
    shards = sum(w.shards or 1 for w in report.written)
    return {"seconds": time.perf_counter() - start, "documents": report.documents, "entities": report.entities,
            "files": shards, "peak_mb": _peak_mb()}


def child_imports() -> dict[str, float]:
    import spacy

    from annotator.io.exporter import export  # noqa: F401
    from annotator.store import Store  # noqa: F401

    spacy.blank("en")
    return {"peak_mb": _peak_mb()}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(*args: str) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def run(n: int, shard_docs: list[int], entities: int = ENTITIES) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / f"export{n}.sqlite3"
        start = time.perf_counter()
        n_words, n_spans = build(db, n, entities)
        print(f"\n== {n:,} accepted articles, {n_words / n:.0f} words and {n_spans / n:.0f} entities each "
              f"(store built in {time.perf_counter() - start:.0f} s)")
        floor = _child("imports")
        print(f"imports only (spaCy + annotator):  peak {floor['peak_mb']:6.0f} MB", flush=True)
        # Ours first: at a million documents its peak is the figure wanted, and a run cut short has it.
        ours_runs = []
        for docs in [0, *shard_docs]:
            out = Path(tmp) / f"ours{docs}"
            ours = _child("ours", str(db), str(out), str(docs))
            name = "annotator export (default shards)" if docs == 0 else f"annotator export, {docs:,}-doc shards"
            print(f"{name + ':':35s}peak {ours['peak_mb']:6.0f} MB  {ours['seconds']:7.1f} s  "
                  f"{_size_mb(out):.0f} MB in {ours['files']:.0f} files", flush=True)
            ours_runs.append((name, ours))
            shutil.rmtree(out)
        raw = _child("raw", str(db), str(Path(tmp) / "raw"))
        print(f"raw sqlite3 + DocBin, sharded:     peak {raw['peak_mb']:6.0f} MB  {raw['seconds']:7.1f} s  "
              f"{_size_mb(Path(tmp) / 'raw'):.0f} MB written")
        shutil.rmtree(Path(tmp) / "raw")
        for name, ours in ours_runs:
            assert ours["documents"] == raw["documents"] == n, (ours, raw)
            print(f"  {name} / raw: memory {ours['peak_mb'] / raw['peak_mb']:.2f}x, "
                  f"time {ours['seconds'] / raw['seconds']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--shard-docs", type=int, nargs="*", default=[],
                        help="also run ours with shards of this many documents (to choose the limit)")
    parser.add_argument("--entities", type=int, default=ENTITIES,
                        help="entities per article (~8 words each): fewer makes a million documents affordable")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = child_raw(*rest) if kind == "raw" else child_ours(*rest) if kind == "ours" else child_imports()
        print(json.dumps(result))
        return
    for n in args.documents:
        run(n, args.shard_docs, args.entities)


if __name__ == "__main__":
    main()

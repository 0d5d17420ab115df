"""DocBin export throughput against building the same DocBin directly, in the same run.

Builds N documents from the seeds with entity offsets (the English model's predictions on each seed,
confirmed by a person and the document accepted), stores them in a fresh SQLite file, then times:
  raw:   spacy.blank(lang).make_doc + doc.char_span + doc.set_ents + DocBin.add + to_bytes, from
         texts and offsets already in memory;
  ours:  ``annotator.io.exporter.export`` to a folder (read from the store, choose layers, split,
         write train/dev atomically).
Prints both and ours/raw throughput (goal >= 0.7).

    python benchmarks/export.py [--docs 10000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.span import Layer, SpanData
from annotator.io.exporter import ExportFormat, export
from annotator.io.selection import ExportOptions
from annotator.nlp.pipelines import Pipelines
from annotator.nlp.preannotate import entities_of

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=10_000)
    args = parser.parse_args()

    en = Pipelines().get("en")
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    seeds = [t for t in seeds if "Maroc" not in t[:200]]  # English seeds only: one language, one DocBin pair
    seed_spans = [entities_of(en.nlp(t), en) for t in seeds]
    docs: list[tuple[str, list[SpanData]]] = []
    for i in range(args.docs):
        prefix = f"Dispatch {i}.\n\n"
        k = i % len(seeds)
        docs.append((prefix + seeds[k], [SpanData(s.start + len(prefix), s.end + len(prefix), s.label)
                                         for s in seed_spans[k]]))
    n_spans = sum(len(s) for _, s in docs)

    with tempfile.TemporaryDirectory() as tmp:
        from annotator.store import Store

        store = Store.open(str(Path(tmp) / "bench.sqlite3"))
        for i in range(0, len(docs), 1000):
            store.import_documents(
                [(NewDocument(t, f"d{i + j}", "en", DocumentStatus.ACCEPTED), s) for j, (t, s) in
                 enumerate(docs[i : i + 1000])], layer=Layer.HUMAN, author="alice")
        # import_documents records the importing user as status_by only when spans exist: all do here.

        nlp = spacy.blank("en")
        start = time.perf_counter()
        train, dev = DocBin(store_user_data=True), DocBin(store_user_data=True)
        for n, (text, spans) in enumerate(docs):
            doc = nlp.make_doc(text)
            doc.set_ents([doc.char_span(s.start, s.end, label=s.label) for s in spans], default="outside")
            (dev if n % 5 == 0 else train).add(doc)
        (Path(tmp) / "raw").mkdir()
        (Path(tmp) / "raw" / "train.spacy").write_bytes(train.to_bytes())
        (Path(tmp) / "raw" / "dev.spacy").write_bytes(dev.to_bytes())
        raw_s = time.perf_counter() - start

        start = time.perf_counter()
        report = export(store, Path(tmp) / "ours", ExportFormat.SPACY, ExportOptions())
        ours_s = time.perf_counter() - start
        store.close()

    assert report.documents == len(docs) and report.entities == n_spans, report
    print(f"corpus: {len(docs)} accepted documents, {n_spans:,} entities")
    print(f"raw DocBin build:  {raw_s:7.2f} s  {len(docs) / raw_s:8,.0f} docs/s")
    print(f"annotator export:  {ours_s:7.2f} s  {len(docs) / ours_s:8,.0f} docs/s")
    print(f"throughput ratio ours/raw: {raw_s / ours_s:.3f}  (goal >= 0.7)")


if __name__ == "__main__":
    main()

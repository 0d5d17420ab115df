"""Pre-annotation throughput against raw ``nlp.pipe`` on the same texts, in the same run.

Builds a synthetic corpus from the seeds (each copy made unique by a numbered dateline, so duplicate
detection keeps them all), imports it into a fresh SQLite file, then times:
  raw:   the same pipelines' ``nlp.pipe`` over the same texts, entities read out, nothing stored;
  ours:  ``annotator.nlp.preannotate.preannotate`` (read texts from the store, pipe, write suggestions).
Prints both and ours/raw throughput (goal >= 0.85, i.e. store overhead <= 15%).

    python benchmarks/preannotate.py [--docs 2000] [--batch-size 64]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from annotator.core.document import NewDocument
from annotator.core.language import detect_language
from annotator.nlp.pipelines import Pipelines
from annotator.nlp.preannotate import preannotate
from annotator.store import Store

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def corpus(n: int) -> list[tuple[str, str]]:
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    langs = [detect_language(t) for t in seeds]
    return [(f"Dispatch {i}.\n\n{seeds[i % len(seeds)]}", langs[i % len(seeds)]) for i in range(n)]


def raw_pipe(pipelines: Pipelines, docs: list[tuple[str, str]], batch_size: int) -> tuple[float, int]:
    by_lang: dict[str, list[str]] = defaultdict(list)
    for text, lang in docs:
        by_lang[lang].append(text)
    start = time.perf_counter()
    ents = 0
    for lang, texts in by_lang.items():
        nlp = pipelines.get(lang).nlp
        for doc in nlp.pipe(texts, batch_size=batch_size):
            ents += sum(1 for _ in ((e.start_char, e.end_char, e.label_) for e in doc.ents))
    return time.perf_counter() - start, ents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    docs = corpus(args.docs)
    words = sum(len(t.split()) for t, _ in docs)
    pipelines = Pipelines()
    for lang in {lang for _, lang in docs}:
        nlp = pipelines.get(lang).nlp
        list(nlp.pipe([t for t, lg in docs[:20] if lg == lang]))  # warm-up: load weights, fill caches

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(str(Path(tmp) / "bench.sqlite3"))
        store.import_documents([(NewDocument(t, f"doc{i}", lang), []) for i, (t, lang) in enumerate(docs)])

        raw_s, raw_ents = raw_pipe(pipelines, docs, args.batch_size)
        start = time.perf_counter()
        report = preannotate(store, pipelines, batch_size=args.batch_size)
        ours_s = time.perf_counter() - start
        store.close()

    assert report.documents == len(docs), report
    print(f"corpus: {len(docs)} documents, {words:,} words (from {len(list(SEEDS.glob('*.txt')))} seeds)")
    print(f"raw nlp.pipe:        {raw_s:8.2f} s  {words / raw_s:10,.0f} words/s  ({raw_ents} entities)")
    print(f"annotator preannotate:{ours_s:7.2f} s  {words / ours_s:10,.0f} words/s  ({report.spans} entities stored)")
    print(f"throughput ratio ours/raw: {raw_s / ours_s:.3f}  (goal >= 0.85)")


if __name__ == "__main__":
    main()

"""``annotator import`` of a JSONL file with spans against a raw ``json.loads`` + bulk insert of the
same rows, in the same run on this machine (SQLite file), at two sizes to show memory stays flat.

The records are realistic articles, ``benchmarks/list_scale.py``'s generator (its ``vocabulary`` and
``article``, seeded): ~610 words and 40 entities each (1 in 100 with one more, nested), written as
Prodigy/doccano-style JSONL (``{"text", "spans": [{"start", "end", "label"}], "meta"}``), ~6.6 KB a line.

  raw:   read the file a line at a time, ``json.loads``, insert the same document and span rows with
         SQLAlchemy Core executemany in one transaction (no checks, no staging);
  ours:  ``annotator.io.importer.import_paths``: streaming, every field checked, spans judged
         against the tokenizer (kept and marked when off), staged batches published at once.

Each run is a subprocess of its own (``benchmarks/import_scale.py``'s workers), so its peak RSS
(VmHWM) is that run's alone. Prints throughput ratio ours/raw (goal >= 0.5) and peak memory per size
(goal: flat in the file size), and the CPU seconds of each process (ours: reader and writer threads
together) with their ratio: raw and ours run one after the other, so on a shared machine the load
can fall on one of them; the CPU ratio does not depend on it.

    .venv/bin/python benchmarks/import.py [--lines 10000 100000] [--entities 40] [--workdir DIR]

``--entities 24`` (about 370 words an article) makes a million articles affordable on a small machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.list_scale import article, vocabulary  # noqa: E402 - the same generated articles


def scale() -> Any:
    spec = importlib.util.spec_from_file_location("import_scale", HERE / "import_scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record(i: int, rng: random.Random, words: list[str], names: list[tuple[str, str]],
           entities: int = 40) -> dict[str, Any]:
    """One generated article (``list_scale.article``: hundreds of words, dozens of entities) as a
    Prodigy/doccano-style record; 1 in 100 also has a span nested in its first two-word entity (kept
    as the file says and marked "needs attention"). Fewer ``entities`` than 40: the article ends with
    the sentence of its last one (about 15 words an entity)."""
    text, found = article(rng, words, names, i)
    if entities < len(found):
        end = text.find(". ", found[entities - 1][1])
        text, found = (text if end < 0 else text[:end + 1]), found[:entities]
    spans = [{"start": s, "end": e, "label": label} for s, e, label in found]
    if i % 100 == 0:
        for s, e, label in found:
            if " " in text[s:e]:
                spans.append({"start": s, "end": text.index(" ", s), "label": label})
                break
    return {"text": text, "spans": spans, "meta": {"source": f"wire/{i}"}}


def write_corpus(path: Path, n: int, entities: int = 40) -> tuple[int, int]:
    """``n`` records as JSONL in ``path``; returns the (words, spans) totals."""
    rng = random.Random(n)
    words, names = vocabulary(rng)
    total_words = total_spans = 0
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            one = record(i, rng, words, names, entities)
            total_words += len(one["text"].split())
            total_spans += len(one["spans"])
            out.write(json.dumps(one) + "\n")
    return total_words, total_spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--entities", type=int, default=40,
                        help="entities per article, at most 40 (fewer: shorter articles, ~15 words an entity)")
    parser.add_argument("--workdir", type=Path, help="where corpora and SQLite files go (default: a temp folder)")
    args = parser.parse_args()
    workers = scale()
    rows = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        for n in args.lines:
            corpus = Path(tmp) / f"corpus-{n}.jsonl"
            words, spans = write_corpus(corpus, n, args.entities)
            raw = workers.run_worker("raw", str(Path(tmp) / f"raw-{n}.sqlite3"), str(corpus))
            ours = workers.run_worker("ours", str(Path(tmp) / f"ours-{n}.sqlite3"), str(corpus))
            assert ours["documents"] == raw["documents"] == n and ours["visible"] == n, (raw, ours)
            row = {"lines": n, "words_per_record": round(words / n), "spans_per_record": round(spans / n, 1),
                   "spans": spans, "megabytes": round(corpus.stat().st_size / 1e6, 1),
                   "raw_s": round(raw["seconds"], 2), "ours_s": round(ours["seconds"], 2),
                   "ratio": round(raw["seconds"] / ours["seconds"], 2),
                   "raw_cpu_s": round(raw["cpu_s"], 2), "ours_cpu_s": round(ours["cpu_s"], 2),
                   "cpu_ratio": round(raw["cpu_s"] / ours["cpu_s"], 2),
                   "raw_peak_mb": round(raw["peak_rss_mb"]), "ours_peak_mb": round(ours["peak_rss_mb"]),
                   "ours_rss_at_start_mb": round(ours["rss_at_start_mb"]),
                   "ours_longest_write_s": round(ours["longest_write_s"], 2)}
            rows.append(row)
            print(f"{n:>8,} lines ({row['megabytes']} MB, {row['words_per_record']} words and "
                  f"{row['spans_per_record']} spans per record, {spans:,} spans): raw {row['raw_s']} s, "
                  f"{row['raw_peak_mb']} MB peak | ours {row['ours_s']} s, {row['ours_peak_mb']} MB peak "
                  f"({row['ours_rss_at_start_mb']} MB before importing), longest write "
                  f"{row['ours_longest_write_s']} s | throughput ours/raw {row['ratio']} | CPU seconds raw "
                  f"{row['raw_cpu_s']}, ours {row['ours_cpu_s']} (both threads): ratio {row['cpu_ratio']}",
                  flush=True)
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    sys.exit(main())

"""Pre-annotation on every core against raw ``nlp.pipe(n_process=cores)`` on the same texts, in the same run.

Builds a corpus of realistic articles from the seeds (each a dateline, then 5-9 paragraphs drawn from
the seeds of its language with people, places and organisations swapped, so texts and entities vary:
hundreds of words each, 1 in 5 French like the seeds), imports it into a fresh SQLite file, then times:
  raw:   the same pipelines' ``nlp.pipe(texts, n_process=cores, batch_size=…)`` per language, entities
         read out, nothing stored;
  ours:  ``annotator.nlp.preannotate.preannotate(processes=cores)``: queue the documents, start the
         worker processes, read texts, NER, write every batch of suggestions.
Prints docs/s, words/s and CPU seconds of both and ours/raw throughput (goal >= 0.85); the two are
alternated for ``--rounds`` rounds so a busy neighbour on a shared machine slows both, not one.

``--long-mb 3`` also measures one article of that many megabytes, pre-annotated in pieces: time and peak
memory of the process doing it (a fresh interpreter), against the same interpreter suggesting one
ordinary article, and with ``--whole-mb 1`` against raw NER of a whole article of that size with
``nlp.max_length`` raised (what processing long documents without pieces would cost).

    python benchmarks/preannotate.py [--docs 1000] [--rounds 2] [--batch-size 64] [--processes N] [--long-mb 3]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
sys.path.insert(0, str(REPO))

PEOPLE = ["Antony Blinken", "Nasser Bourita", "Aziz Akhannouch", "Ursula von der Leyen", "Josep Borrell",
          "Olaf Scholz", "Emmanuel Macron", "Pedro Sánchez", "Giorgia Meloni", "Abdelmadjid Tebboune",
          "Moussa Faki", "Amina Mohammed", "Kamala Harris", "Rishi Sunak", "Mohammed bin Salman"]
PLACES = ["Rabat", "Washington", "Paris", "Madrid", "Algiers", "Brussels", "Dakhla", "Laayoune", "Tunis",
          "Cairo", "Nouakchott", "Dakar", "Lisbon", "Geneva", "New York"]
ORGS = ["the United Nations", "the African Union", "the European Union", "NATO", "the World Bank",
        "the State Department", "the Security Council", "the IMF", "MINURSO", "the Arab League"]


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if len(p.split()) >= 8]


def corpus(n: int, seed: int = 7) -> list[tuple[str, str]]:
    """``n`` (text, language) articles, all different, 1 in 5 French."""
    from annotator.io.language import detect_language

    by_lang: dict[str, list[str]] = defaultdict(list)
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        by_lang[detect_language(text)].extend(_paragraphs(text))
    rng = random.Random(seed)
    out = []
    for i in range(n):
        lang = "fr" if i % 5 == 4 and "fr" in by_lang else "en"
        pool = by_lang[lang]
        paragraphs = rng.sample(pool, min(len(pool), rng.randint(5, 9)))
        body = "\n\n".join(paragraphs)
        for names in (PEOPLE, PLACES, ORGS):
            a, b = rng.sample(names, 2)
            body = body.replace(a, b)
        dateline = f"{rng.choice(PLACES).upper()}, {rng.randint(1, 28)} March {rng.randint(2015, 2024)} (No. {i})"
        out.append((f"{dateline}\n\n{body}", lang))
    return out


def cpu_seconds() -> float:
    """CPU time of this process and of its children that ended (the workers of both contenders)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class Timing:
    seconds: float
    cpu: float
    entities: int
    processes: int = 0


def raw_pipe(docs: list[tuple[str, str]], processes: int, batch_size: int) -> Timing:
    from annotator.nlp.pipelines import Pipelines

    pipelines = Pipelines()
    by_lang: dict[str, list[str]] = defaultdict(list)
    for text, lang in docs:
        by_lang[lang].append(text)
    for lang in by_lang:
        pipelines.get(lang)  # loaded before the clock starts (ours: each worker loads its own, on the clock)
    cpu, start = cpu_seconds(), time.perf_counter()
    ents = 0
    for lang, texts in by_lang.items():
        nlp = pipelines.get(lang).nlp
        for doc in nlp.pipe(texts, batch_size=batch_size, n_process=processes):
            ents += len([(e.start_char, e.end_char, e.label_) for e in doc.ents])
    return Timing(time.perf_counter() - start, cpu_seconds() - cpu, ents, processes)


def ours(docs: list[tuple[str, str]], processes: int, batch_size: int, tmp: Path) -> Timing:
    from annotator.core.document import NewDocument
    from annotator.nlp.pipelines import Pipelines
    from annotator.nlp.preannotate import preannotate
    from annotator.store import Store

    store = Store.open(str(tmp / f"bench-{time.monotonic_ns()}.sqlite3"))
    for i in range(0, len(docs), 1000):
        store.import_documents([(NewDocument(t, f"doc{i + j}", lang), [])
                                for j, (t, lang) in enumerate(docs[i : i + 1000])])
    pipelines = Pipelines()
    for lang in {lang for _, lang in docs}:
        pipelines.get(lang)  # as raw: loaded before the clock (worker processes load their own, on the clock)
    cpu, start = cpu_seconds(), time.perf_counter()
    report = preannotate(store, pipelines, batch_size=batch_size, processes=processes)
    timing = Timing(time.perf_counter() - start, cpu_seconds() - cpu, report.spans, report.processes)
    store.close()
    assert report.documents == len(docs) and not report.failures, report
    return timing


# -- one long article ---------------------------------------------------------------------------

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {repo!r})
from annotator.core.document import NewDocument
from annotator.nlp.pipelines import Pipelines
from annotator.nlp.preannotate import preannotate
from annotator.store import Store
text = open({text!r}, encoding="utf-8").read()
store = Store.open({db!r})
store.import_documents([(NewDocument(text, "long.txt", "en"), [])])
pipelines = Pipelines()
pipelines.get("en")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
if {mode!r} == "ours":
    report = preannotate(store, pipelines, processes=1)
    found = report.spans
else:
    nlp = pipelines.get("en").nlp
    nlp.max_length = len(text) + 1
    found = len(nlp(text).ents)
elapsed = time.perf_counter() - start
print(json.dumps({{"seconds": elapsed, "entities": found, "loaded_mb": before / 1024,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def long_article(megabytes: float, seed: int = 11) -> str:
    paragraphs = [p for t, lang in corpus(400, seed) if lang == "en" for p in _paragraphs(t)]
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < megabytes * 1_000_000:
        p = rng.choice(paragraphs)
        parts.append(p)
        size += len(p) + 2
    return "\n\n".join(parts)


def measure_long(text: str, mode: str, tmp: Path) -> dict[str, float]:
    path = tmp / f"{mode}-{len(text)}.txt"
    path.write_text(text, encoding="utf-8")
    code = _CHILD.format(repo=str(REPO), text=str(path), db=str(tmp / f"{mode}-{len(text)}.sqlite3"), mode=mode)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def throughput(docs: list[tuple[str, str]], args: argparse.Namespace, tmp: Path) -> None:
    words = sum(len(t.split()) for t, _ in docs)
    print(f"corpus: {len(docs)} articles, {words:,} words ({words // len(docs)} per article, "
          f"{sum(lang == 'fr' for _, lang in docs)} French), {args.processes} core(s) of {os.cpu_count()}")
    ratios = []
    for round_no in range(1, args.rounds + 1):  # alternated: a busy neighbour slows both, not one
        raw = raw_pipe(docs, args.processes, args.batch_size)
        our = ours(docs, args.processes, args.batch_size, tmp)
        assert our.entities == raw.entities, (our.entities, raw.entities)
        ratios.append(raw.seconds / our.seconds)
        print(f"round {round_no}:")
        print(f"  raw nlp.pipe(n_process={raw.processes}):      {raw.seconds:7.2f} s  "
              f"{len(docs) / raw.seconds:6.1f} docs/s  {words / raw.seconds:8,.0f} words/s  CPU {raw.cpu:7.1f} s  "
              f"({raw.entities} entities)")
        print(f"  annotator preannotate ({our.processes} processes): {our.seconds:7.2f} s  "
              f"{len(docs) / our.seconds:6.1f} docs/s  {words / our.seconds:8,.0f} words/s  CPU {our.cpu:7.1f} s  "
              f"({our.entities} entities stored)")
        print(f"  ratio ours/raw: throughput {raw.seconds / our.seconds:.3f}, CPU {raw.cpu / our.cpu:.3f}")
    print(f"throughput ratio ours/raw (median of {len(ratios)}): {statistics.median(ratios):.3f}  (goal >= 0.85)")


def main() -> None:
    from annotator.nlp.workers import cpu_count

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--processes", type=int, default=cpu_count(), help="default: every core")
    parser.add_argument("--rounds", type=int, default=2, help="raw and ours, alternated, this many times")
    parser.add_argument("--long-mb", type=float, default=0.0, help="also measure one article of this size")
    parser.add_argument("--whole-mb", type=float, default=0.0,
                        help="and raw NER of a whole article of this size (max_length raised)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if args.docs:
            throughput(corpus(args.docs), args, tmp)
        if args.long_mb:
            base = measure_long(corpus(1)[0][0], "ours", tmp)
            text = long_article(args.long_mb)
            long = measure_long(text, "ours", tmp)
            print(f"one article of {len(text) / 1e6:.1f} MB ({len(text.split()):,} words), in pieces: "
                  f"{long['seconds']:.1f} s, {long['entities']:.0f} entities, peak {long['peak_mb']:,.0f} MB "
                  f"(pipeline loaded: {long['loaded_mb']:,.0f} MB; one ordinary article: peak "
                  f"{base['peak_mb']:,.0f} MB)")
        if args.whole_mb:
            text = long_article(args.whole_mb)
            whole = measure_long(text, "raw", tmp)
            print(f"raw NER of one whole {len(text) / 1e6:.1f} MB article (max_length raised): "
                  f"{whole['seconds']:.1f} s, peak {whole['peak_mb']:,.0f} MB")


if __name__ == "__main__":
    main()

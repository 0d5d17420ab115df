"""A desk of ten (issue 13 #6): N annotator processes edit one PostgreSQL store at human-plus speed
while pre-annotation workers fill the same store. Bounded and loopback only: a throwaway server on
127.0.0.1, removed at the end.

Each editor is its own process with its own ``Store`` (as each analyst's app is), working as the app
does: read the article (``Store.view``), make one edit bound to the version it read, read it again.
Editors move to a random article every 20 edits, so they sometimes meet each other and the
pre-annotation workers on the same article. Per edit it records the latency of the edit call and of
the edit plus the re-read (what the GUI does before it repaints), and the outcome:

- ``ok``; ``conflict`` (someone changed the article since it was read: the app says so and reloads);
  ``refused`` (an edit the rules refuse, e.g. overlapping the editor's own entity); ``error`` (anything
  else: a deadlock or a database error reaching the user — must be 0).
- lost updates: every editor keeps, per article, the entities it expects to own after its own edits;
  after each edit and again at the end (by the parent, after everything stopped) the store must hold
  exactly those. Any difference is a lost or foreign update — must be 0.

The raw baseline, in the same run and on the same server: a single-row INSERT + COMMIT through
SQLAlchemy Core, measured by each editor at the same pace before it starts editing.

Corpus: generated news-like articles (``--words`` words each, default 120, drawn from a fixed
vocabulary with capitalised names and places, so the model finds entities), imported through
``Store.import_documents`` (the product's staged import).

    python benchmarks/desk.py [--documents 100000] [--editors 10] [--rate 5] [--seconds 60] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LABELS = ("PERSON", "ORG", "GPE", "DATE")
NAMES = ("Nasser Bourita", "Antony Blinken", "Aziz Akhannouch", "Ursula von der Leyen", "Emmanuel Macron",
         "Olaf Scholz", "Pedro Sanchez", "Giorgia Meloni", "Recep Erdogan", "Abdelmadjid Tebboune")
PLACES = ("Rabat", "Washington", "Paris", "Berlin", "Madrid", "Algiers", "Tunis", "Cairo", "Brussels", "Geneva")
ORGS = ("the United Nations", "the European Union", "NATO", "the African Union", "the World Bank", "OCP Group")
WORDS = ("the minister said on Monday that talks would continue after a meeting with officials from "
         "several countries who discussed trade energy security and migration in a statement issued late "
         "in the evening while analysts expected further progress before the summit next month").split()


def article(i: int, words: int) -> str:
    rnd = random.Random(i)
    out: list[str] = [f"Dispatch {i}."]
    while len(out) < words:
        roll = rnd.random()
        if roll < 0.06:
            out.append(rnd.choice(NAMES))
        elif roll < 0.11:
            out.append(f"in {rnd.choice(PLACES)}")
        elif roll < 0.14:
            out.append(rnd.choice(ORGS))
        else:
            out.append(rnd.choice(WORDS))
        if rnd.random() < 0.07:
            out[-1] += "."
    return " ".join(out) + "."


# -- one editor (a child process) ------------------------------------------------------------------


def word_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], None
    for i, c in enumerate(text + " "):
        if c.isalnum() and start is None:
            start = i
        elif not c.isalnum() and start is not None:
            spans.append((start, i))
            start = None
    return spans


def owned(view: Any) -> set[tuple[int, int, str]]:
    return {(s.start, s.end, s.label) for s in view.confirmed}


def editor(url: str, name: str, seed: int, seconds: float, rate: float, documents: int, out: Path) -> None:
    from sqlalchemy import insert, text

    from annotator.core.document import DocumentStatus
    from annotator.core.errors import AnnotatorError, ConflictError
    from annotator.store import Store

    rnd = random.Random(seed)
    store = Store.open(url)
    period = 1.0 / rate
    # the raw baseline: a single-row insert + commit, at the same pace, on the same server
    with store.engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE IF NOT EXISTS raw_{name} (id serial PRIMARY KEY, n int, at float)"))
    raw: list[float] = []
    next_at = time.monotonic()
    for k in range(max(20, int(rate * 4))):
        next_at += period
        t0 = time.perf_counter()
        with store.engine.begin() as conn:
            conn.execute(text(f"INSERT INTO raw_{name} (n, at) VALUES (:n, :at)"), {"n": k, "at": time.time()})
        raw.append(time.perf_counter() - t0)
        time.sleep(max(0.0, next_at - time.monotonic()))
    del insert

    expected: dict[int, set[tuple[int, int, str]]] = {}
    records: list[dict[str, Any]] = []
    mismatches: list[dict[str, Any]] = []
    doc = rnd.randint(1, documents)
    view = store.view(doc, name)
    expected[doc] = owned(view)
    end = time.monotonic() + seconds
    next_at = time.monotonic()
    n = 0
    while time.monotonic() < end:
        next_at += period
        time.sleep(max(0.0, next_at - time.monotonic()))
        n += 1
        if n % 20 == 0:
            doc = rnd.randint(1, documents)
            view = store.view(doc, name)
            expected.setdefault(doc, owned(view))
        mine = sorted(view.confirmed, key=lambda s: s.start)
        roll = rnd.random()
        version = view.info.version
        want = set(expected[doc])
        t0 = time.perf_counter()
        kind = ""
        try:
            if roll < 0.3 and view.suggestions:
                kind = "confirm"
                s = rnd.choice(view.suggestions)
                store.confirm_suggestion(s.id, name, expected_version=version)
                want = {x for x in want if x[1] <= s.start or x[0] >= s.end} | {(s.start, s.end, s.label)}
            elif roll < 0.45 and mine:
                kind = "relabel"
                s = rnd.choice(mine)
                label = rnd.choice([x for x in LABELS if x != s.label])
                store.relabel_span(s.id, label, name, expected_version=version)
                want = (want - {(s.start, s.end, s.label)}) | {(s.start, s.end, label)}
            elif roll < 0.6 and mine:
                kind = "delete"
                s = rnd.choice(mine)
                store.delete_span(s.id, name, expected_version=version)
                want = want - {(s.start, s.end, s.label)}
            elif roll < 0.63:
                kind = "status"
                store.set_status(doc, rnd.choice([DocumentStatus.IN_PROGRESS, DocumentStatus.FLAGGED]), name,
                                 expected_version=version)
            else:
                kind = "add"
                free = [w for w in word_spans(view.text) if not any(a < w[1] and w[0] < b for a, b, _ in want)]
                a, b = rnd.choice(free)
                label = rnd.choice(LABELS)
                store.add_span(doc, a, b, label, name, expected_version=version)
                want = want | {(a, b, label)}
            edit_s = time.perf_counter() - t0
            view = store.view(doc, name)
            outcome = "ok"
            expected[doc] = want
            if owned(view) != want:
                mismatches.append({"doc": doc, "after": kind, "expected": sorted(want), "found": sorted(owned(view))})
                expected[doc] = owned(view)
        except ConflictError:
            edit_s = time.perf_counter() - t0
            view = store.view(doc, name)
            outcome = "conflict"
            if owned(view) != expected[doc]:  # nobody but this editor writes its layer
                mismatches.append({"doc": doc, "after": f"conflict on {kind}", "expected": sorted(expected[doc]),
                                   "found": sorted(owned(view))})
                expected[doc] = owned(view)
        except AnnotatorError as exc:
            edit_s = time.perf_counter() - t0
            view = store.view(doc, name)
            outcome = "refused" if "overlap" in str(exc) or "no longer" in str(exc) else "error"
            if outcome == "error":
                print(f"{name}: {kind}: {exc}", file=sys.stderr)
        except Exception as exc:  # noqa: BLE001 - counted: a raw error reaching the user
            edit_s = time.perf_counter() - t0
            outcome = "error"
            print(f"{name}: {kind}: {type(exc).__name__}: {exc}", file=sys.stderr)
            view = store.view(doc, name)
        records.append({"kind": kind, "outcome": outcome, "edit": edit_s, "round": time.perf_counter() - t0})
    store.close()
    out.write_text(json.dumps({"raw": raw, "records": records, "mismatches": mismatches,
                               "expected": {str(k): sorted(v) for k, v in expected.items()}}))


# -- the parent: server, corpus, workers, editors, verdict -------------------------------------------


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def build(url: str, documents: int, words: int) -> float:
    from annotator.core.document import NewDocument
    from annotator.store import Store

    store = Store.open(url)
    t0 = time.perf_counter()
    batch = 20_000
    for first in range(0, documents, batch):
        store.import_documents([(NewDocument(article(i, words), f"dispatch-{i}.txt", "en"), [])
                                for i in range(first, min(documents, first + batch))])
        print(f"  imported {min(documents, first + batch):,} / {documents:,}", flush=True)
    store.close()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=120)
    parser.add_argument("--editors", type=int, default=10)
    parser.add_argument("--rate", type=float, default=5.0, help="edits per second per editor")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2, help="pre-annotation processes beside the editors")
    parser.add_argument("--editor", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.editor:
        url, name, seed, seconds, documents, out = args.editor
        editor(url, name, int(seed), float(seconds), args.rate, int(documents), Path(out))
        return

    from annotator.store import Store
    from tests.postgres import ThrowawayPostgres, pg_bin

    folder = pg_bin()
    if folder is None:
        sys.exit("PostgreSQL server binaries not found (Debian: apt-get install postgresql)")
    server = ThrowawayPostgres(folder).start()
    try:
        url = str(server.create_database("desk"))
        print(f"building {args.documents:,} articles of {args.words} words (generated) ...", flush=True)
        built = build(url, args.documents, args.words)
        print(f"built in {built:.0f} s", flush=True)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        workers = [subprocess.Popen([sys.executable, "-m", "annotator", "--db", url, "--user", f"worker{w}",
                                     "preannotate", "--processes", "1", *(["--worker"] if w else [])],
                                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                   for w in range(args.workers)]
        time.sleep(5)  # the first worker queues the run; the others join it (not a synchronisation: a head start)
        with tempfile.TemporaryDirectory() as tmp:
            outs = [Path(tmp) / f"editor{e}.json" for e in range(args.editors)]
            editors = [subprocess.Popen([sys.executable, __file__, "--rate", str(args.rate), "--editor", url,
                                         f"analyst{e}", str(e), str(args.seconds), str(args.documents), str(outs[e])],
                                        env=env, stderr=subprocess.PIPE, text=True)
                       for e in range(args.editors)]
            errors = [p.communicate()[1] for p in editors]
            for w in workers:
                w.send_signal(signal.SIGINT)
            for w in workers:
                try:
                    w.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    w.kill()
            results = [json.loads(o.read_text()) for o in outs if o.exists()]
        report(url, args, results, errors, Store)
    finally:
        server.stop()


def report(url: str, args: argparse.Namespace, results: list[dict[str, Any]], errors: list[str],
           store_cls: Any) -> None:
    records = [r for res in results for r in res["records"]]
    raw = [x for res in results for x in res["raw"]]
    ok = [r for r in records if r["outcome"] == "ok"]
    counts = {k: sum(r["outcome"] == k for r in records) for k in ("ok", "conflict", "refused", "error")}
    mismatches = sum(len(res["mismatches"]) for res in results)
    # the end state, read after everything stopped: each editor's layer is exactly what it made
    store = store_cls.open(url)
    final_lost = 0
    for e, res in enumerate(results):
        for doc, spans in res["expected"].items():
            found = sorted([s.start, s.end, s.label] for s in store.view(int(doc), f"analyst{e}").confirmed)
            final_lost += found != [list(x) for x in spans]
    stats = store.stats()
    store.close()
    seconds = args.seconds
    print(f"\n{len(results)} of {args.editors} editors reported; {len(records):,} edits in {seconds:.0f} s "
          f"({len(records) / seconds:.1f}/s, asked {args.editors * args.rate:.0f}/s) on {args.documents:,} articles, "
          f"{args.workers} pre-annotation workers beside them")
    print(f"outcomes: {counts}")
    edit, both = [r["edit"] for r in ok], [r["round"] for r in ok]
    print(f"edit call: p50 {pct(edit, 50) * 1000:.1f} ms, p99 {pct(edit, 99) * 1000:.1f} ms; "
          f"edit + re-read: p50 {pct(both, 50) * 1000:.1f} ms, p99 {pct(both, 99) * 1000:.1f} ms")
    print(f"raw single-row insert + commit (same server, same pace): p50 {pct(raw, 50) * 1000:.1f} ms, "
          f"p99 {pct(raw, 99) * 1000:.1f} ms; ratio raw/edit p50 "
          f"{pct(raw, 50) / pct([r['edit'] for r in ok], 50):.2f}")
    for kind in ("add", "confirm", "relabel", "delete", "status"):
        lat = [r["edit"] for r in ok if r["kind"] == kind]
        if lat:
            print(f"  {kind:8} n={len(lat):5}  p50 {statistics.median(lat) * 1000:6.1f} ms  "
                  f"p99 {pct(lat, 99) * 1000:6.1f} ms")
    print(f"lost or foreign updates: {mismatches} seen by editors, {final_lost} in the end state")
    print(f"documents by status at the end: {stats.by_status}; model spans: "
          f"{sum(n for (_, layer), n in stats.spans.items() if layer == 'model'):,}")
    raw_errors = [line for text in errors for line in text.splitlines() if line.strip()]
    print(f"errors reaching an editor: {counts['error']} ({len(raw_errors)} stderr lines)")
    for line in raw_errors[:10]:
        print("   ", line)


if __name__ == "__main__":
    main()

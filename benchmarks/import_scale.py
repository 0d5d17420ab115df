"""Import at scale, against a raw bulk insert of the same rows, in one run on this machine.

Generates realistic articles as JSONL with spans: the English seed articles (hundreds of words each),
their entities as the English pipeline finds them, and every PERSON renamed and every digit inside
an entity redrawn per article (plus a numbered first line), so every article has its own content
hash. Then, per backend (SQLite file; PostgreSQL on a throwaway loopback server when its binaries
exist) and per corpus size, each in a fresh database and a subprocess of its own:

  raw:    read the file line by line, ``json.loads``, and insert the same document and span rows
          with SQLAlchemy Core ``insert()`` executemany, all in one transaction (no checks);
  ours:   ``annotator.io.importer.import_paths`` (streaming, checked, staged, all-or-nothing) while
          a separate editor process calls ``Store.add_span`` every 100 ms on another document.

Reports for each: wall time (and ours/raw throughput ratio, goal >= 0.5), peak RSS (VmHWM of the
subprocess), the longest write transaction of the importer (every ``Session`` write transaction
timed from the moment it holds the write lock (after SQLite's ``BEGIN IMMEDIATE``) to its commit),
and the editor's edits during the import: how many, how many failed, median and worst latency (and
its median when no import runs, for scale).

    python benchmarks/import_scale.py [--docs 10000 100000] [--backends sqlite postgresql]
                                      [--before /path/to/old/checkout]

``--before`` runs "ours" a second time with the ``annotator`` package found in that folder (e.g. a
``git archive`` of an older commit), for a before/after table from the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
EDIT_EVERY = 0.1  # seconds between two edits of the concurrent editor
EDITOR_WORDS = 20_000

FIRST = ("Amina Youssef Karim Leila Omar Sara Hassan Nadia Mehdi Salma John Mary Peter Laura David Anna Paul "
         "Julia Mark Emma Rachid Fatima Driss Khadija Antonio Sofia Lucas Ines Hugo Chloe").split()
LAST = ("Benali Alaoui Tazi Idrissi Berrada Fassi Smith Johnson Brown Miller Garcia Martin Dubois Moreau Rossi "
        "Bianchi Schmidt Weber Novak Kowalski Haddad Mansouri Chraibi Bennani Lahlou Ziani Okafor Mensah "
        "Tanaka Silva").split()


# -- corpus ---------------------------------------------------------------------------------------


def seed_articles() -> list[tuple[str, list[tuple[int, int, str]]]]:
    """The English seeds with the English pipeline's entities (character offsets)."""
    from annotator.nlp.pipelines import Pipelines
    from annotator.nlp.preannotate import entities_of

    en = Pipelines().get("en")
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if "Maroc" in text[:200]:  # the French seed
            continue
        out.append((text, [(s.start, s.end, s.label) for s in entities_of(en.nlp(text), en)]))
    return out


def articles(n: int, seeds: list[tuple[str, list[tuple[int, int, str]]]], rng: random.Random
             ) -> Iterator[dict[str, Any]]:
    for i in range(n):
        text, ents = seeds[i % len(seeds)]
        head = f"Dispatch {i}\n\n"
        parts = [head]
        spans = []
        pos, out_len = 0, len(head)
        for start, end, label in ents:
            parts.append(text[pos:start])
            out_len += start - pos
            original = text[start:end]
            if label == "PERSON":
                new = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            else:
                new = re.sub(r"\d", lambda _: str(rng.randrange(10)), original)
            parts.append(new)
            spans.append({"start": out_len, "end": out_len + len(new), "label": label})
            out_len += len(new)
            pos = end
        parts.append(text[pos:])
        yield {"text": "".join(parts), "spans": spans, "meta": {"source": f"wire/{i}"}}


def write_corpus(path: Path, n: int) -> tuple[int, int]:
    """Write ``n`` articles to ``path`` (JSONL); returns (words, spans) totals."""
    rng = random.Random(n)
    seeds = seed_articles()
    words = spans = 0
    with open(path, "w", encoding="utf-8") as out:
        for record in articles(n, seeds, rng):
            words += len(record["text"].split())
            spans += len(record["spans"])
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return words, spans


# -- workers (each in a subprocess, so VmHWM is the peak of that run alone) ---------------------


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def time_write_transactions() -> list[float]:
    """Durations of every write transaction of this process's Sessions, from holding the lock to
    commit or rollback (the write option marks a writer: ``engine.writer``)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    durations: list[float] = []
    started: dict[int, float] = {}

    @event.listens_for(Session, "after_begin")
    def _begun(session, transaction, connection) -> None:  # type: ignore[no-untyped-def]
        if connection.get_execution_options().get("annotator_write"):
            started[id(session)] = time.perf_counter()

    def _ended(session) -> None:  # type: ignore[no-untyped-def]
        t0 = started.pop(id(session), None)
        if t0 is not None:
            durations.append(time.perf_counter() - t0)

    event.listen(Session, "after_commit", _ended)
    event.listen(Session, "after_rollback", _ended)
    return durations


def worker_ours(url: str, corpus: str) -> dict[str, Any]:
    from annotator.io.importer import ImportOptions, import_paths
    from annotator.store import Store

    durations = time_write_transactions()
    store = Store.open(url)
    rss_before = peak_rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    report = import_paths(store, [corpus], ImportOptions(author="bench"))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    count = store.document_count()
    store.close()
    return {"seconds": seconds, "cpu_s": cpu, "documents": len(report.added), "visible": count, "spans": report.spans,
            "peak_rss_mb": peak_rss_mb(), "rss_at_start_mb": rss_before, "transactions": len(durations),
            "longest_write_s": max(durations, default=0.0)}


def worker_raw(url: str, corpus: str) -> dict[str, Any]:
    from sqlalchemy import insert

    from annotator.core.document import content_hash, title_of
    from annotator.store import Store
    from annotator.store.schema import DocumentRow, SpanRow, utcnow

    store = Store.open(url)
    engine = store.engine
    rss_before = peak_rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    now = utcnow()
    n_docs = n_spans = 0
    with engine.begin() as conn, open(corpus, encoding="utf-8") as lines:
        docs: list[dict[str, Any]] = []
        spans: list[dict[str, Any]] = []

        def flush() -> None:
            if not docs:
                return
            conn.execute(insert(DocumentRow), docs)
            if spans:
                conn.execute(insert(SpanRow), spans)
            docs.clear()
            spans.clear()

        for line in lines:
            obj = json.loads(line)
            n_docs += 1
            text = obj["text"]
            docs.append(dict(id=n_docs, text=text, source=obj["meta"]["source"], title=title_of(text)[:200],
                             language="en", content_hash=content_hash(text), status="in progress",
                             status_by="raw", had_bom=False, meta=obj["meta"], created_at=now, updated_at=now,
                             version=1))
            spans.extend(dict(document_id=n_docs, start=s["start"], end=s["end"], label=s["label"], layer="human",
                              author="raw", rejected=False, created_at=now) for s in obj["spans"])
            n_spans += len(obj["spans"])
            if len(docs) >= 500:
                flush()
        flush()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    store.close()
    return {"seconds": seconds, "cpu_s": cpu, "documents": n_docs, "spans": n_spans, "peak_rss_mb": peak_rss_mb(),
            "rss_at_start_mb": rss_before, "transactions": 1, "longest_write_s": seconds}


def worker_editor(url: str, doc_id: str, stop_file: str, user: str, log_file: str) -> dict[str, Any]:
    """``Store.add_span`` by ``user`` every 100 ms on successive words until ``stop_file`` exists; one
    JSON line per edit in ``log_file`` (not a pipe nobody reads yet, which would stall the editor):
    wall-clock start, latency, error (or null)."""
    from annotator.store import Store

    store = Store.open(url)
    doc = int(doc_id)
    text = store.view(doc, user).text
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == " "]
    print(json.dumps({"ready": True}), flush=True)
    n = 0
    next_at = time.perf_counter()
    with open(log_file, "w", encoding="utf-8") as log:
        while not os.path.exists(stop_file) and n < len(starts) - 1:
            begin_wall, t0 = time.time(), time.perf_counter()
            error = None
            try:
                store.add_span(doc, starts[n], starts[n + 1] - 1, "PERSON", user)
            except Exception as exc:  # every failure is a finding: report it, keep editing
                error = f"{type(exc).__name__}: {exc}"
            log.write(json.dumps({"at": begin_wall, "latency": time.perf_counter() - t0, "error": error}) + "\n")
            log.flush()
            n += 1
            next_at += EDIT_EVERY
            time.sleep(max(0.0, next_at - time.perf_counter()))  # pacing, as a person's edits would be
    store.close()
    return {"edits": n}


def run_worker(kind: str, *args: str, code: Path | None = None) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(code or REPO)}
    done = subprocess.run([sys.executable, __file__, "--worker", kind, *args], capture_output=True, text=True,
                          env=env, cwd=str(code or REPO))
    if done.returncode != 0:
        raise RuntimeError(f"{kind} worker failed:\n{done.stderr[-4000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# -- one import beside an editor ----------------------------------------------------------------


def prepared_store(url: str, code: Path | None) -> int:
    """A store holding the editor's document; returns its id (through the code under test)."""
    script = ("import sys; from annotator.store import Store; from annotator.core.document import NewDocument; "
              f"s = Store.open({url!r}); text = ' '.join(f'w{{i}}' for i in range({EDITOR_WORDS})); "
              "print(s.import_documents([(NewDocument(text, 'editor.txt', 'en'), [])]).added[0]); s.close()")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(code or REPO)}, cwd=str(code or REPO))
    return int(done.stdout.strip().splitlines()[-1])


def editor_latencies(url: str, doc: int, code: Path | None, during: Any, user: str
                     ) -> tuple[list[dict[str, Any]], Any]:
    """Start the editor, run ``during()`` once it is editing, stop it; (its edits, what during returned)."""
    with tempfile.TemporaryDirectory() as tmp:
        stop, log = Path(tmp) / "stop", Path(tmp) / "edits.jsonl"
        editor = subprocess.Popen([sys.executable, __file__, "--worker", "editor", url, str(doc), str(stop), user,
                                   str(log)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env={**os.environ, "PYTHONPATH": str(code or REPO)}, cwd=str(code or REPO))
        assert editor.stdout is not None
        first = editor.stdout.readline()
        if '"ready"' not in first:
            editor.kill()
            raise RuntimeError(f"editor did not start: {first}{editor.stderr.read() if editor.stderr else ''}")
        t0 = time.time()
        result = during()
        t1 = time.time()
        stop.touch()
        _, err = editor.communicate(timeout=120)
        if editor.returncode != 0:
            raise RuntimeError(f"editor failed: {err[-3000:]}")
        edits = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return [e for e in edits if t0 <= e["at"] <= t1], result


def idle_latency(url: str, doc: int, code: Path | None) -> float:
    edits, _ = editor_latencies(url, doc, code, lambda: time.sleep(3.0), "idle-editor")
    return statistics.median(e["latency"] for e in edits)


def measure(backend: str, n: int, corpus: Path, new_url: Any, code: Path | None = None) -> dict[str, Any]:
    raw = run_worker("raw", new_url(), str(corpus), code=None)
    url = new_url()
    doc = prepared_store(url, code)
    idle = idle_latency(url, doc, code)
    edits, ours = editor_latencies(url, doc, code, lambda: run_worker("ours", url, str(corpus), code=code), "editor")
    latencies = sorted(e["latency"] for e in edits)
    failures = [e["error"] for e in edits if e["error"]]
    return {
        "backend": backend, "documents": n, "raw": raw, "ours": ours, "idle_edit_s": idle,
        "edits": len(edits), "failed": len(failures), "first_failure": failures[0] if failures else None,
        "edit_p50_s": statistics.median(latencies) if latencies else float("nan"),
        "edit_worst_s": latencies[-1] if latencies else float("nan"),
    }


def print_row(r: dict[str, Any], label: str = "") -> None:
    raw, ours = r["raw"], r["ours"]
    print(f"{r['backend']:<10} {r['documents']:>7,} {label:<7} "
          f"raw {raw['seconds']:7.1f} s {raw['peak_rss_mb']:6.0f} MB | "
          f"ours {ours['seconds']:7.1f} s {ours['peak_rss_mb']:6.0f} MB ratio {raw['seconds'] / ours['seconds']:.2f} | "
          f"longest write {ours['longest_write_s']:6.2f} s ({ours['transactions']} tx) | editor {r['edits']} edits, "
          f"{r['failed']} failed, p50 {r['edit_p50_s'] * 1000:.0f} ms (idle {r['idle_edit_s'] * 1000:.0f} ms), "
          f"worst {r['edit_worst_s'] * 1000:.0f} ms", flush=True)
    if r["first_failure"]:
        print(f"           first failed edit: {r['first_failure']}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[10_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--before", type=Path, help="a folder holding an older annotator package to compare")
    parser.add_argument("--workdir", type=Path, help="where corpora and SQLite files go (default: a temp folder)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        sys.path.insert(0, os.environ.get("PYTHONPATH", str(REPO)))
        result = {"ours": worker_ours, "raw": worker_raw, "editor": worker_editor}[kind](*rest)
        print(json.dumps(result), flush=True)
        return
    sys.path.insert(0, str(REPO))
    results = run_all(args)
    print(json.dumps(results, indent=1))


def run_all(args: argparse.Namespace) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        folder = Path(tmp)
        corpora = {}
        for n in args.docs:
            corpora[n] = folder / f"corpus-{n}.jsonl"
            t0 = time.perf_counter()
            words, spans = write_corpus(corpora[n], n)
            print(f"corpus {n:,}: {words / n:.0f} words and {spans / n:.0f} entities per article, "
                  f"{corpora[n].stat().st_size / 1e6:.0f} MB of JSONL (generated in {time.perf_counter() - t0:.0f} s)",
                  flush=True)
        counter = iter(range(1_000_000))
        for backend in args.backends:
            server = None
            if backend == "postgresql":
                from tests.postgres import ThrowawayPostgres, pg_bin

                bin_dir = pg_bin()
                if bin_dir is None:
                    print("PostgreSQL: no server binaries, skipped")
                    continue
                server = ThrowawayPostgres(bin_dir).start()

            def new_url(server: Any = server) -> str:
                if server is not None:
                    return str(server.create_database(f"bench{next(counter)}"))
                return str(folder / f"bench{next(counter)}.sqlite3")

            try:
                for n in args.docs:
                    r = measure(backend, n, corpora[n], new_url)
                    print_row(r, "after")
                    results.append(r)
                    if args.before is not None:
                        r = measure(backend, n, corpora[n], new_url, code=args.before)
                        r["code"] = "before"
                        print_row(r, "before")
                        results.append(r)
            finally:
                if server is not None:
                    server.stop()
    return results


if __name__ == "__main__":
    main()

"""An import of thousands of articles beside a person editing, killed at random points, cancelled,
and run twice at once. Real processes, real SQLite files and a real PostgreSQL server.

- Editors keep working: the import holds the write lock one short batch at a time, so no edit fails
  and none waits long (a generous bound: it proves the lock is not held for the whole import).
- All-or-nothing for everyone, whatever happens: after a SIGKILL at any point a reader sees none or
  all of that import, the file is intact, and the next open (or import) removes the leftovers.
- Cancel leaves nothing; two imports of the same file leave one copy of each article.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from annotator.core.document import NewDocument
from annotator.core.progress import Cancelled, CancelToken
from annotator.io.importer import BatchLimits, import_paths
from annotator.store import Store

REPO = Path(__file__).resolve().parents[2]
SENTENCE = "Minister {a} met {b} in {c} on day {k}. "
NAMES = ["Bourita", "Blinken", "Amina Benali", "Karim Tazi", "Leila Alaoui", "Omar Fassi"]
CITIES = ["Rabat", "Tanger", "Paris", "Madrid"]

# The importing process: the real import_paths on a store of its own, small batches so a kill can
# land between many of them.
CHILD = """
import sys
from annotator.io.importer import BatchLimits, ImportOptions, import_paths
from annotator.store import Store
store = Store.open(sys.argv[1])
report = import_paths(store, [sys.argv[2]], ImportOptions(author=sys.argv[3]),
                      limits=BatchLimits(documents=int(sys.argv[4])))
print("imported", len(report.added), "duplicates", len(report.duplicates), "layered", len(report.layered), flush=True)
"""


def write_corpus(path: Path, tag: str, n: int, sentences: int = 8) -> Path:
    """``n`` articles (their texts unique to ``tag``) with a PERSON, PERSON, GPE per sentence."""
    rng = random.Random(tag)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(n):
            body = f"Report {tag} number {i}.\n"
            spans = []
            for k in range(sentences):
                a, b, c = rng.choice(NAMES), rng.choice(NAMES), rng.choice(CITIES)
                start = len(body) + len("Minister ")
                spans.append({"start": start, "end": start + len(a), "label": "PERSON"})
                start += len(a) + len(" met ")
                spans.append({"start": start, "end": start + len(b), "label": "PERSON"})
                start += len(b) + len(" in ")
                spans.append({"start": start, "end": start + len(c), "label": "GPE"})
                body += SENTENCE.format(a=a, b=b, c=c, k=k)
            out.write(json.dumps({"text": body, "spans": spans}) + "\n")
    return path


def start_import(url: str, corpus: Path, author: str, batch: int = 500) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CHILD, url, str(corpus), author, str(batch)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})


def wait_for(condition: Callable[[], bool], deadline_s: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail after ``deadline_s`` seconds."""
    deadline = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.005)


def import_state(store: Store, author: str) -> tuple[str, int] | None:
    """(state, documents written) of ``author``'s import run, read straight from the table."""
    with store.engine.connect() as conn:
        row = conn.execute(text("SELECT state, documents FROM imports WHERE author = :a ORDER BY id DESC"),
                           {"a": author}).first()
    return None if row is None else (str(row[0]), int(row[1]))


def raw_count(store: Store, sql: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


LEFTOVERS = ("SELECT count(*) FROM documents d JOIN imports i ON i.id = d.import_id "
             "WHERE i.state NOT IN ('running', 'done')")


_databases = iter(range(1, 1_000_000))


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "store.sqlite3")
    return str(request.getfixturevalue("postgres").create_database(f"imp{next(_databases)}_{os.getpid()}"))


def test_an_import_of_thousands_never_stops_an_editor(url: str, tmp_path: Path) -> None:
    store = Store.open(url)
    words = " ".join(f"w{i}" for i in range(5000))
    doc = store.import_documents([(NewDocument(words, "editor.txt", "en"), [])]).added[0]
    starts = [0] + [i + 1 for i, c in enumerate(words) if c == " "]
    corpus = write_corpus(tmp_path / "big.jsonl", "big", 3000)
    child = start_import(url, corpus, "importer")
    latencies: list[float] = []
    while_writing = 0
    deadline = time.monotonic() + 600
    while child.poll() is None:
        assert time.monotonic() < deadline, "the import did not finish"
        state = import_state(store, "importer")
        n = len(latencies)
        t0 = time.perf_counter()
        store.add_span(doc, starts[n], starts[n + 1] - 1, "PERSON", "alice")  # any failure fails the test
        latencies.append(time.perf_counter() - t0)
        if state is not None and state[0] == "running" and state[1] > 0:
            while_writing += 1  # the import had written batches and not published them yet
        time.sleep(0.05)  # a fast person: an edit every 50 ms
    out, err = child.communicate()
    assert child.returncode == 0, err[-3000:]
    assert "imported 3000" in out
    assert while_writing >= 5, f"only {while_writing} edits overlapped the import's batches"
    assert max(latencies) < 2.0, f"an edit waited {max(latencies):.2f} s"
    assert store.document_count() == 3001
    assert len(store.view(doc, "alice").confirmed) == len(latencies)
    store.close()


def test_sigkill_at_random_points_leaves_none_or_all_and_the_next_open_cleans(url: str, tmp_path: Path) -> None:
    store = Store.open(url)
    rng = random.Random(11)
    n, batch = 300, 20
    kills = published = 0
    for round_no in range(24):
        if kills >= 10:
            break
        tag = f"round{round_no}"
        corpus = write_corpus(tmp_path / f"{tag}.jsonl", tag, n, sentences=4)
        child = start_import(url, corpus, tag, batch)
        # at once, once it recorded itself, after some batches, once all are written, or once published
        moment = rng.choice(["spawned", "early", "batches", "batches", "batches", "written", "published"])
        target = {"spawned": -1, "early": 0, "batches": rng.randint(1, n - 1), "written": n, "published": n}[moment]

        def reached(tag: str = tag, target: int = target, child: Any = child, moment: str = moment) -> bool:
            state = import_state(store, tag)
            if child.poll() is not None:
                return True
            if moment == "published":
                return state is not None and state[0] == "done"
            return target < 0 or (state is not None and state[1] >= target)

        wait_for(reached, 300, f"{tag} to write {target} documents")
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        killed = child.returncode == -signal.SIGKILL
        kills += killed
        if not killed:
            assert child.returncode == 0, child.stderr.read() if child.stderr else ""
        # what a reader sees right after the kill, before anyone cleans up: none or all of it
        shown = sum(1 for d in store.list_documents() if d.source.startswith(f"{tag}.jsonl:"))
        assert shown in (0, n), f"{tag} killed ({moment}): {shown} of {n} documents visible"
        if shown:
            published += 1
            assert store.stats().spans[("GPE", "human")] == published * n * 4
        if url.endswith(".sqlite3"):
            with sqlite3.connect(url) as raw:
                assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        # the next open judges the dead import and removes what it left
        reopened = Store.open(url)
        if killed and not url.endswith(".sqlite3"):
            # PostgreSQL frees the advisory lock once the server has seen the client's socket close
            # (milliseconds); until then the import rightly counts as alive. Sweep again until it is seen.
            def judged(tag: str = tag, store: Store = reopened) -> bool:
                state = import_state(store, tag)
                return state is None or state[0] != "running" or bool(store.sweep_imports(budget=5).abandoned)

            wait_for(judged, 60, f"{tag}'s lock to be freed")
        state = import_state(reopened, tag)
        assert state is None or state[0] in ("done", "abandoned"), state
        assert raw_count(reopened, LEFTOVERS) == 0
        assert raw_count(reopened, "SELECT count(*) FROM imports WHERE state = 'running'") == 0
        reopened.close()
    assert kills >= 10 and published >= 1
    # whatever an open left (it spends about two seconds at most), the next import removes
    final = Store.open(url)
    import_paths(final, [write_corpus(tmp_path / "last.jsonl", "last", 3, sentences=4)])
    assert raw_count(final, LEFTOVERS) == 0
    assert raw_count(final, "SELECT count(*) FROM imports WHERE state = 'running'") == 0
    assert raw_count(final, "SELECT count(*) FROM documents") == published * n + 3
    assert raw_count(final, "SELECT count(*) FROM spans") == (published * n + 3) * 12
    if url.endswith(".sqlite3"):
        assert not list(Path(url).parent.glob("*-import-*.lock"))
    final.close()
    store.close()


def test_a_cancelled_import_leaves_nothing(url: str, tmp_path: Path) -> None:
    store = Store.open(url)
    corpus = write_corpus(tmp_path / "c.jsonl", "cancel", 200, sentences=2)
    cancel = CancelToken()
    batches: list[str] = []

    def progress(done: int, total: int, message: str) -> None:
        if message.startswith("importing"):
            batches.append(message)
            if len(batches) == 3:  # three batches are written: the person presses Cancel
                cancel.cancel()

    with pytest.raises(Cancelled):
        import_paths(store, [corpus], progress=progress, cancel=cancel, limits=BatchLimits(documents=20))
    assert len(batches) == 3
    assert store.document_count() == 0 and store.list_documents() == []
    assert raw_count(store, "SELECT count(*) FROM documents") == 0
    assert raw_count(store, "SELECT count(*) FROM spans") == 0
    assert import_state(store, "import") == ("cancelled", 60)
    report = import_paths(store, [corpus])  # and it can simply be imported again
    assert len(report.added) == 200 and report.duplicates == []
    store.close()


def test_two_imports_of_the_same_file_at_once_keep_one_copy_of_each(url: str, tmp_path: Path) -> None:
    store = Store.open(url)
    corpus = write_corpus(tmp_path / "same.jsonl", "same", 600, sentences=3)
    children = [start_import(url, corpus, f"twin{k}", 50) for k in range(2)]
    outs = [c.communicate(timeout=600) for c in children]
    for c, (_, err) in zip(children, outs, strict=True):
        assert c.returncode == 0, err[-3000:]
    added = [int(out.split()[1]) for out, _ in outs]
    duplicates = [int(out.split()[3]) for out, _ in outs]
    layered = [int(out.split()[5]) for out, _ in outs]  # published by the twin first: its layer joins them
    assert sum(added) == 600 and [sum(n) for n in zip(added, duplicates, layered, strict=True)] == [600, 600]
    assert store.document_count() == 600
    assert raw_count(store, "SELECT count(DISTINCT content_hash) FROM documents") == 600
    assert raw_count(store, "SELECT count(*) FROM spans") == 600 * 9 + sum(layered) * 9
    store.close()

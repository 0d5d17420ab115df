"""Kill a writing client at random points; race two clients on one document. Nothing committed may
be lost, nothing half-written may remain, and "database is locked" never reaches anyone."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.core.document import NewDocument
from annotator.store import Store

REPO = Path(__file__).resolve().parents[2]
TEXT = " ".join(f"w{i}" for i in range(4000))


def child(url: str, doc: int, user: str, first: int, step: int, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.edit_child", url, str(doc), user, str(first), str(step), str(count)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def reported(lines: list[str]) -> tuple[set[int], set[int]]:
    added = {int(line.split()[1]) for line in lines if line.startswith("added ")}
    reverted = {int(line.split()[1]) for line in lines if line.startswith("reverted ")}
    return added, reverted


def human_ids(store: Store, doc: int, user: str) -> set[int]:
    return {s.id for s in store.view(doc, user).confirmed}


def test_sigkill_at_random_points_loses_no_committed_edit(tmp_path: Path) -> None:
    db = tmp_path / "crash.sqlite3"
    store = Store.open(str(db))
    doc = store.import_documents([(NewDocument(TEXT, "w.txt", "en"), [])]).added[0]
    rng = random.Random(7)
    added: set[int] = set()
    reverted: set[int] = set()
    kills = 0
    for round_no in range(25):  # words 0..3749 of the 4,000
        # 150 edits (about 210 lines) a round, killed after at most 60 lines read: the child is nearly
        # always mid-work when it dies (on a loaded machine it may outrun the reader: that round counts
        # as not killed, not as a failure).
        proc = child(str(db), doc, "alice", round_no * 150, 1, 150)
        lines: list[str] = []
        stop_after = rng.randint(1, 60)
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.strip())
            if len(lines) >= stop_after:
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        # What the child reported before it died counts too, also lines not read before the kill
        # (an undo committed and reported just after the line that triggered the kill).
        lines += [line.strip() for line in proc.stdout.read().splitlines()]
        kills += proc.returncode == -signal.SIGKILL and "done" not in lines
        a, r = reported(lines)
        added |= a
        reverted |= r
    assert kills >= 15, kills  # most rounds really died mid-work
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    survivors = human_ids(Store.open(str(db)), doc, "alice")
    assert added - reverted <= survivors  # every edit reported committed is there
    assert not (reverted & survivors)  # and every reported undo too
    # nothing half-written: no span without its document, no overlap in one person's layer
    spans = sorted(store.view(doc, "alice").confirmed, key=lambda s: s.start)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_clients_racing_on_one_document_lose_nothing(backend: str, tmp_path: Path, request) -> None:  # type: ignore[no-untyped-def]
    if backend == "sqlite":
        url = str(tmp_path / "race.sqlite3")
    else:
        url = request.getfixturevalue("postgres").create_database(f"race_{os.getpid()}")
    store = Store.open(url)
    doc = store.import_documents([(NewDocument(TEXT, "w.txt", "en"), [])]).added[0]
    # Same user, same words: every edit of one client collides with an edit of the other.
    procs = [child(url, doc, "alice", 0, 1, 150), child(url, doc, "alice", 0, 1, 150)]
    outputs = [p.communicate(timeout=600) for p in procs]
    for p, (out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err[-3000:]
        assert "locked" not in err and "Traceback" not in err
        assert out.strip().endswith("done")
    lines = [line for out, _ in outputs for line in out.splitlines()]
    added, reverted = reported(lines)
    survivors = human_ids(store, doc, "alice")
    assert added - reverted == survivors  # no lost update, no phantom
    spans = sorted(store.view(doc, "alice").confirmed, key=lambda s: s.start)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:], strict=False))  # no overlap slipped in
    assert any(line.startswith("conflict") for line in lines)  # the race really happened
    store.close()

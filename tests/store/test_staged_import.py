"""Staged imports on a real SQLite file and on PostgreSQL: batches stay invisible to every read until
the import publishes, an aborted import leaves nothing, content hashes stay unique between imports
running side by side, and an import whose process died is found and removed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.errors import NotFound
from annotator.core.span import Layer, SpanData
from annotator.store import Store, migrate
from annotator.store.bulk import ImportInterrupted
from annotator.store.engine import make_engine
from annotator.store.schema import DocumentRow, ImportRow

TEXT = "Bourita met Blinken in Rabat on {n} May."


def item(n: int, status: DocumentStatus = DocumentStatus.IN_PROGRESS) -> tuple[NewDocument, list[SpanData]]:
    return (NewDocument(TEXT.format(n=n), f"d{n}", "en", status),
            [SpanData(0, 7, "PERSON"), SpanData(12, 19, "PERSON"), SpanData(23, 28, "GPE")])


@pytest.fixture
def store(any_store: Store) -> Store:
    return any_store


def everything_a_reader_sees(store: Store, user: str = "alice") -> dict[str, object]:
    """Every read of the Store API that lists, counts or aggregates documents."""
    stats = store.stats()
    return {
        "list": [d.id for d in store.list_documents()],
        "count": store.document_count(),
        "count_in_progress": store.document_count([DocumentStatus.IN_PROGRESS], "en"),
        "bundles": [b.info.id for batch in store.bundles() for b in batch],
        "needing": store.ids_needing_suggestions(rerun=True),
        "stats": (stats.documents, stats.by_status, stats.by_language, stats.spans, stats.rejections),
        "with_label": store.documents_with_label("GPE"),
    }


def test_batches_are_invisible_until_published(store: Store) -> None:
    visible = store.import_documents([item(0)], author="alice").added[0]
    before = everything_a_reader_sees(store)
    staged = store.begin_import(author="alice")
    staged.add([item(1), item(2)])
    staged.add([item(3)])
    pending = staged.report.added
    assert len(pending) == 3
    assert everything_a_reader_sees(store) == before
    assert store.texts(pending) == {}
    for doc_id in pending:
        with pytest.raises(NotFound):
            store.view(doc_id, "alice")
        with pytest.raises(NotFound):
            store.summary(doc_id)
        with pytest.raises(NotFound):
            store.add_span(doc_id, 0, 7, "PERSON", "bob")  # nobody edits what nobody can see
        with pytest.raises(NotFound):
            store.set_status(doc_id, DocumentStatus.ACCEPTED, "bob")
    report = staged.publish()
    assert report.added == pending and report.spans == 9
    seen = everything_a_reader_sees(store)
    assert seen["list"] == [visible, *pending] and seen["count"] == 4
    assert seen["with_label"] == {visible, *pending}
    assert store.stats().spans[("GPE", "human")] == 4
    assert [s.label for s in store.view(pending[0], "alice").confirmed] == ["PERSON", "PERSON", "GPE"]


def test_an_aborted_import_leaves_nothing(store: Store) -> None:
    store.import_documents([item(0)])
    before = everything_a_reader_sees(store)
    with store.engine.connect() as conn:
        rows_before = conn.execute(select(func.count()).select_from(DocumentRow)).scalar()
    with pytest.raises(RuntimeError), store.begin_import() as staged:
        staged.add([item(1), item(2)])
        raise RuntimeError("disk on fire")
    assert everything_a_reader_sees(store) == before
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(DocumentRow)).scalar() == rows_before
        assert conn.execute(text("SELECT count(*) FROM spans s LEFT JOIN documents d ON d.id = s.document_id "
                                 "WHERE d.id IS NULL")).scalar() == 0
        assert conn.execute(select(ImportRow.state).order_by(ImportRow.id.desc())).first() == ("failed",)


def test_two_imports_of_the_same_texts_side_by_side_keep_one_copy(store: Store) -> None:
    first, second = store.begin_import(author="a"), store.begin_import(author="b")
    first.add([item(1), item(2)])
    second.add([item(2), item(3)])  # 2 is pending in the first import: a duplicate of that document
    second.add([item(1), item(3)])  # 3 is second's own (an earlier batch): merged into that document
    first.add([item(3)])  # pending in the second import by now
    a, b = first.publish(), second.publish()
    assert len(a.added) == 2 and len(b.added) == 1
    assert b.duplicates == [("d2", a.added[1]), ("d1", a.added[0])] and b.merged == 1
    assert a.duplicates == [("d3", b.added[0])]
    texts = [store.view(d.id, "x").text for d in store.list_documents()]
    assert sorted(texts) == sorted(TEXT.format(n=n) for n in (1, 2, 3))


def test_a_stopped_imports_leftovers_make_way_for_the_same_texts(store: Store) -> None:
    dead = store.begin_import()
    dead.add([item(1), item(2)])
    dead._lock.release()  # its process died
    swept = store.sweep_imports(budget=0)  # judged dead, but no time left to remove its rows
    assert swept.abandoned == [dead.id] and swept.removed == 0 and not swept.complete
    again = store.begin_import()
    again.add([item(1), item(2), item(3)])  # the leftovers of 1 and 2 are replaced, not duplicates
    report = again.publish()
    assert len(report.added) == 3 and report.duplicates == []
    assert store.document_count() == 3
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(DocumentRow)).scalar() == 3


def test_a_dead_import_is_swept_and_cannot_publish_afterwards(store: Store) -> None:
    staged = store.begin_import(author="ghost")
    staged.add([item(1), item(2)])
    staged._lock.release()  # what the OS or the server does when the importing process dies
    report = store.sweep_imports()
    assert report.abandoned == [staged.id] and report.removed == 2 and report.complete
    with pytest.raises(ImportInterrupted):
        staged.add([item(3)])
    with pytest.raises(ImportInterrupted):
        staged.publish()
    assert store.document_count() == 0
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(DocumentRow)).scalar() == 0


def test_a_live_import_is_left_alone_by_a_sweep(store: Store) -> None:
    staged = store.begin_import()
    staged.add([item(1)])
    other = Store.open(store.url if "postgresql" in store.url else str(store.engine.url.database))
    try:
        assert other.sweep_imports().running == [staged.id]  # opening it swept too: nothing touched
    finally:
        other.close()
    assert staged.publish().added and store.document_count() == 1


def test_model_predictions_are_imported_as_suggestions(store: Store) -> None:
    report = store.import_documents([item(1, DocumentStatus.PREANNOTATED)], layer=Layer.MODEL, author="ext@1")
    view = store.view(report.added[0], "alice")
    assert view.confirmed == () and [s.author for s in view.suggestions] == ["ext@1"] * 3
    assert store.document(report.added[0]).suggested_by == "ext@1"


def test_new_labels_join_the_scheme_only_when_the_import_is_published(store: Store) -> None:
    staged = store.begin_import()
    staged.add([(NewDocument("Kamaz trucks", "k", "en"), [SpanData(0, 5, "BRAND")])])
    assert "BRAND" not in {lb.name for lb in store.labels()}
    assert staged.publish().new_labels == ["BRAND"]
    assert "BRAND" in {lb.name for lb in store.labels()}


def test_a_0002_store_upgrades_with_its_documents_visible(db_path: Path) -> None:
    engine = make_engine(f"sqlite:///{db_path}")
    migrate.upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO documents (id, text, source, title, language, content_hash, status, had_bom, meta, "
            "created_at, updated_at, version) VALUES (1, 'Rabat.', 'r.txt', 'Rabat.', 'en', 'h', 'new', 0, "
            "'{}', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)")
    engine.dispose()
    store = Store.open(str(db_path))
    assert [d.id for d in store.list_documents()] == [1]
    assert store.import_documents([item(1)]).added == [2]
    store.close()
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []


def test_the_visibility_rule_uses_the_primary_key_of_imports(db_path: Path) -> None:
    """On SQLite the rule is a lookup per document by primary key, not a scan of imports per
    document (PostgreSQL plans an anti-join)."""
    from annotator.store.queries import document_filter

    store = Store.open(str(db_path))
    query = select(DocumentRow.id).where(*document_filter())
    with store.engine.connect() as conn:
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        plan = " ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
    store.close()
    assert "imports USING INTEGER PRIMARY KEY" in plan, plan


def test_the_migration_goes_down_and_up_again(store: Store) -> None:
    from alembic import command

    store.import_documents([item(1)])
    command.downgrade(migrate.alembic_config(store.engine), "0002")
    assert migrate.current_revision(store.engine) == "0002"
    migrate.upgrade(store.engine)
    assert migrate.current_revision(store.engine) == migrate.head_revision(store.engine)
    assert store.document_count() == 1 and store.import_documents([item(2)]).added

"""What one human edit sends to the database, now that its statements run precompiled on the driver
(``store/precompiled.py``): the same few statements, values stored as the ORM stores them, the version
check still a conflict that writes nothing, and reads that search the user's own spans by place — on
SQLite files and PostgreSQL databases."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.dialects import sqlite

from annotator.core.document import NewDocument
from annotator.core.errors import ConflictError
from annotator.core.span import SpanData
from annotator.store import Store
from annotator.store.edit_reads import _BY_DOCUMENT, _BY_SPAN
from annotator.store.precompiled import Precompiled, fixed
from annotator.store.schema import DocumentRow, SpanRow

TEXT = "Blinken met Bourita in Rabat and Tanger, then flew to Marrakech."


@pytest.fixture
def doc(any_store: Store) -> int:
    (doc_id,) = any_store.import_documents([(NewDocument(TEXT, "a.txt", "en"), [])]).added
    any_store.replace_suggestions({doc_id: [SpanData(0, 7, "PERSON"), SpanData(23, 28, "GPE")]}, "m@1")
    return doc_id


@pytest.fixture
def statements(any_store: Store) -> Iterator[list[str]]:
    """Every statement the store's connections send, as its first word (two for BEGIN), in order."""
    seen: list[str] = []

    def record(conn, cursor, statement, *rest) -> None:  # type: ignore[no-untyped-def]
        words = statement.split()
        seen.append(" ".join(words[:2] if words[0].upper() == "BEGIN" else words[:1]).upper())

    event.listen(any_store.engine, "before_cursor_execute", record)
    yield seen
    event.remove(any_store.engine, "before_cursor_execute", record)


def test_an_edit_is_one_read_one_insert_and_one_version_bump(any_store: Store, doc: int,
                                                             statements: list[str]) -> None:
    any_store.add_span(doc, 54, 63, "GPE", "alice")
    sent = [s for s in statements if not s.startswith("BEGIN")]
    assert sent == ["SELECT", "INSERT", "UPDATE"], statements
    if any_store.engine.dialect.name == "sqlite":
        assert statements[0] == "BEGIN IMMEDIATE"  # a writer from the start: two editors queue, not fail
    suggestion = next(sp for sp in any_store.view(doc, "alice").suggestions if sp.start == 23)
    statements.clear()
    any_store.delete_span(suggestion.id, "alice")  # a dismissal: the same three
    assert [s for s in statements if not s.startswith("BEGIN")] == ["SELECT", "INSERT", "UPDATE"]


def test_a_document_changed_between_the_read_and_the_write_is_a_conflict_and_nothing_is_saved(
        any_store: Store, doc: int) -> None:
    """The version check is in the UPDATE itself: another writer that committed after this edit read
    the document makes it a ``ConflictError`` and the edit's entity is rolled back with it. On
    PostgreSQL that writer is a second client committing an edit at that moment; SQLite's
    ``BEGIN IMMEDIATE`` lets no other writer in, so there the version moves inside the transaction."""
    store = any_store
    before = store.document(doc).version
    other = Store.open(store.engine.url.render_as_string(hide_password=False)) \
        if store.engine.dialect.name == "postgresql" else None
    fired: list[str] = []

    def meanwhile(conn, cursor, statement, *rest) -> None:  # type: ignore[no-untyped-def]
        if not statement.startswith("UPDATE documents") or fired:
            return
        fired.append(statement)
        if other is not None:
            other.add_span(doc, 54, 63, "GPE", "bob")
        else:
            conn.exec_driver_sql("UPDATE documents SET version = version + 1")

    event.listen(store.engine, "before_cursor_execute", meanwhile)
    try:
        with pytest.raises(ConflictError) as refused:
            store.add_span(doc, 0, 7, "PERSON", "alice", expected_version=before)
    finally:
        event.remove(store.engine, "before_cursor_execute", meanwhile)
        if other is not None:
            other.close()
    assert str(refused.value) == f"'{TEXT}' was changed by someone else meanwhile; nothing was saved"
    assert fired
    assert store.view(doc, "alice").confirmed == ()
    assert store.document(doc).version == before + (1 if other is not None else 0)  # bob's edit, or nothing


def test_what_an_edit_writes_reads_back_as_the_orm_wrote_it(any_store: Store, doc: int) -> None:
    """Values go to the driver converted by their column types: times stored in the same form as the
    ORM's (read back as aware datetimes, and on SQLite the same text), booleans as booleans."""
    store = any_store
    start = datetime.now(UTC) - timedelta(seconds=1)
    added = store.add_span(doc, 54, 63, "GPE", "alice").added[0]
    suggestion = next(sp for sp in store.view(doc, "alice").suggestions if sp.start == 23)
    rejection = store.delete_span(suggestion.id, "alice").added[0]
    with store.engine.connect() as conn:
        spans = {r.id: r for r in conn.execute(select(SpanRow.id, SpanRow.created_at, SpanRow.rejected))}
        updated = conn.scalar(select(DocumentRow.updated_at).where(DocumentRow.id == doc))
        model_id = next(i for i in spans if i not in (added.id, rejection.id))
        assert spans[added.id].rejected is False and spans[rejection.id].rejected is True
        for when in (spans[added.id].created_at, spans[rejection.id].created_at, updated):
            assert when is not None and start <= when.replace(tzinfo=when.tzinfo or UTC)
        if conn.dialect.name == "sqlite":
            raw = dict(conn.exec_driver_sql("SELECT id, created_at FROM spans").all())
            form = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
            assert all(form.fullmatch(raw[i]) for i in (added.id, rejection.id, model_id)), raw


def test_edit_reads_search_the_users_own_spans_by_place(store: Store) -> None:
    """The model's spans and the user's are two searches of their own indexes: with one ``layer =
    'model' OR author = :user`` SQLite read every span of the article, every annotator's; and the
    layer is written into the SQL, never bound (SQLite plans a statement again on every call when a
    bound value meets the partial index on ``layer = 'human'``)."""
    (doc,) = store.import_documents([(NewDocument(TEXT, "a.txt", "en"), [])]).added
    values = {"document_id": doc, "window_start": 0, "window_end": 7, "span_id": 1, "label": "GPE", "user": "alice"}
    with store.engine.connect() as conn:
        for precompiled in (_BY_DOCUMENT, _BY_SPAN):
            form = precompiled.form(conn.dialect)
            assert not re.search(r"layer (=|!=) \?", form.sql), form.sql
            plan = "\n".join(r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {form.sql}",
                                                                  form.parameters(values)))
            assert "ix_spans_document_author (document_id=? AND author=? AND start<?)" in plan, plan
            assert "ix_spans_document_layer (document_id=? AND layer=?)" in plan, plan
            assert "SCAN spans" not in plan and "SCAN documents" not in plan, plan


def test_fixed_takes_only_a_plain_word() -> None:
    assert str(fixed("model")) == "'model'"
    with pytest.raises(ValueError, match="plain word"):
        fixed("x' OR '1'='1")


def test_a_statement_with_an_in_list_is_refused_not_run_wrong() -> None:
    statement = Precompiled(select(SpanRow.id).where(SpanRow.id.in_([1, 2])))
    with pytest.raises(TypeError, match="cannot be precompiled"):
        statement.form(sqlite.dialect())

"""The database itself: SQLite settings, Alembic migrations matching the models, the default location."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from annotator.store import Store, migrate
from annotator.store.engine import resolve_url
from annotator.store.schema import Base
from annotator.store.search import is_search_object


def test_sqlite_runs_in_wal_with_foreign_keys(store: Store, db_path) -> None:  # type: ignore[no-untyped-def]
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_build_exactly_the_orm_schema(any_store: Store) -> None:
    """On SQLite and PostgreSQL alike, the Alembic scripts and the ORM models describe one schema."""
    store = any_store
    assert migrate.current_revision(store.engine) == migrate.head_revision(store.engine)
    with store.engine.connect() as conn:
        # The search indexes are not ORM objects (FTS5 tables, GIN expression indexes): migration 0006's.
        context = MigrationContext.configure(conn, opts={"include_name": lambda name, *_: not is_search_object(name)})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_reopening_is_idempotent_and_keeps_data(db_path) -> None:  # type: ignore[no-untyped-def]
    from annotator.core.document import NewDocument

    first = Store.open(str(db_path))
    first.import_documents([(NewDocument("Rabat.", "r.txt", "en"), [])])
    first.close()
    second = Store.open(str(db_path))
    assert second.document_count() == 1
    assert len(second.labels()) > 10
    second.close()


def test_default_location_comes_from_the_environment(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "env.sqlite3"))
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'env.sqlite3'}"
    assert resolve_url("postgresql+psycopg://u@localhost/db") == "postgresql+psycopg://u@localhost/db"
    monkeypatch.delenv("ANNOTATOR_DB")
    assert resolve_url(None).endswith("annotator.sqlite3")


def test_foreign_keys_are_back_on_after_migrating(db_path) -> None:  # type: ignore[no-untyped-def]
    """env.py switches them off for batch rebuilds; every pooled connection must get them back."""
    store = Store.open(str(db_path))
    conns = [store.engine.connect() for _ in range(3)]
    try:
        assert [c.exec_driver_sql("PRAGMA foreign_keys").scalar() for c in conns] == [1, 1, 1]
    finally:
        for c in conns:
            c.close()
        store.close()


def test_span_ids_are_never_reused(store: Store) -> None:
    from annotator.core.document import NewDocument

    doc = store.import_documents([(NewDocument("Rabat and Tanger.", "r.txt", "en"), [])]).added[0]
    c = store.add_span(doc, 0, 5, "GPE", "alice")
    store.delete_span(c.added[0].id, "alice")
    c2 = store.add_span(doc, 10, 16, "GPE", "alice")
    assert c2.added[0].id > c.added[0].id


def test_a_first_schema_store_with_data_upgrades_and_keeps_it(db_path) -> None:  # type: ignore[no-untyped-def]
    from annotator.store.engine import make_engine

    engine = make_engine(f"sqlite:///{db_path}")
    migrate.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO documents (id, text, source, title, language, content_hash, status, had_bom, meta, "
            "created_at, updated_at, version) VALUES (1, 'Rabat.', 'r.txt', 'Rabat.', 'en', 'h', 'accepted', 0, "
            "'{}', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)")
        conn.exec_driver_sql(
            "INSERT INTO spans (document_id, start, \"end\", label, layer, author, rejected, created_at) "
            "VALUES (1, 0, 5, 'GPE', 'human', 'alice', 0, '2026-01-01 00:00:00')")
    engine.dispose()
    store = Store.open(str(db_path))
    assert migrate.current_revision(store.engine) == migrate.head_revision(store.engine) != "0001"
    assert [(s.start, s.end, s.label) for s in store.view(1, "alice").confirmed] == [(0, 5, "GPE")]
    # the old file was copied first, whole and still at the old revision
    assert store.backup is not None and ".backup-0001-" in store.backup
    with sqlite3.connect(store.backup) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert old.execute("SELECT label FROM spans").fetchall() == [("GPE",)]
    assert Store.open(str(db_path)).backup is None  # at head: no more copies
    assert store.trained_models() == [] and store.suggestion_models() == {}
    store.close()


def test_postgresql_upgrade_keeps_a_copy_of_every_table(postgres) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    url = postgres.create_database("upgrade_from_0001")
    engine = create_engine(url)
    migrate.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO documents (text, source, title, language, content_hash, status, had_bom, meta, "
            "created_at, updated_at, version) VALUES ('Rabat.', 'r.txt', 'Rabat.', 'en', 'h', 'new', false, "
            "'{}', now(), now(), 1)")
    engine.dispose()
    store = Store.open(url)
    assert store.backup is not None and store.backup.startswith("schema backup_0001_")
    schema = store.backup.removeprefix("schema ")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql(f'SELECT text FROM "{schema}".documents').scalars().all() == ["Rabat."]
        assert conn.exec_driver_sql(f'SELECT version_num FROM "{schema}".alembic_version').scalar() == "0001"
    assert store.document_count() == 1
    store.close()


def test_a_store_from_a_newer_schema_is_refused_without_a_backup(db_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from annotator.core.errors import SchemaUnknown

    Store.open(str(db_path)).close()
    with sqlite3.connect(db_path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '0099'")
    raw.close()
    for _ in range(2):
        with pytest.raises(SchemaUnknown, match=r"made by a newer annotator \(schema revision 0099\); upgrade "
                                                r"annotator to open it\. Nothing was changed$"):
            Store.open(str(db_path))
    assert sorted(p.name for p in db_path.parent.iterdir() if ".backup-" in p.name) == []


def test_partial_backups_of_killed_upgrades_are_removed_and_never_named_as_backups(db_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    from annotator.store.engine import make_engine

    engine = make_engine(f"sqlite:///{db_path}")
    migrate.upgrade(engine, "0001")
    engine.dispose()
    dead = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True).stdout)
    partial = db_path.with_name(f".{db_path.name}.backup-0001-20260101-000000.tmp-{dead}")
    partial.write_bytes(b"SQLite format 3\x00 half a copy")
    partial.with_name(partial.name + "-journal").write_bytes(b"")
    store = Store.open(str(db_path))
    store.close()
    assert store.backup is not None
    names = sorted(p.name for p in db_path.parent.iterdir() if "backup" in p.name)
    assert names == [Path(store.backup).name]  # only the complete copy, under its final name
    with sqlite3.connect(store.backup) as copy:
        assert copy.execute("PRAGMA quick_check").fetchone() == ("ok",)


def test_postgresql_backup_quotes_every_name(postgres) -> None:  # type: ignore[no-untyped-def]
    """Table names come from the database too: a hostile one is copied as a name, never run as SQL."""
    from sqlalchemy import create_engine, inspect

    url = postgres.create_database("quoting")
    engine = create_engine(url)
    migrate.upgrade(engine, "0001")
    hostile = 'odd"; CREATE TABLE pwned(); --'
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE TABLE "{hostile.replace(chr(34), chr(34) * 2)}" (x int)')
    engine.dispose()
    store = Store.open(url)
    assert store.backup is not None
    schema = store.backup.removeprefix("schema ")
    with store.engine.connect() as conn:
        assert hostile in inspect(conn).get_table_names(schema=schema)
        assert "pwned" not in inspect(conn).get_table_names() + inspect(conn).get_table_names(schema=schema)
    store.close()

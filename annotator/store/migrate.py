"""Schema creation and upgrades through Alembic, run on the application's own connection.

Every database, new or old, goes through the same migration scripts (batch mode on SQLite), so the
path an existing user's file takes is the one the tests exercise.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (a no-op when it is already there)."""
    command.upgrade(alembic_config(engine), revision)


def backup_before_upgrade(engine: Engine) -> str | None:
    """Copy an existing store that is about to be upgraded; returns where the copy went.

    SQLite: a consistent copy of the file next to it, through SQLite's online backup API (safe with
    WAL and other readers). Other backends: every table copied into a schema named after the old
    revision. A new, empty database or one already at head needs no copy.
    """
    current = current_revision(engine)
    if current is None or current == head_revision(engine):
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    if engine.dialect.name == "sqlite":
        source = Path(engine.url.database or "")
        target = source.with_name(f"{source.name}.backup-{current}-{stamp}")
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
        return str(target)
    schema = f"backup_{current}_{stamp.replace('-', '_')}"
    with engine.begin() as conn:
        tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"] + ["alembic_version"]
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        for table in tables:
            conn.exec_driver_sql(f'CREATE TABLE "{schema}"."{table}" AS TABLE "{table}"')
    return f"schema {schema}"

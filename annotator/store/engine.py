"""Engine creation: where the default database lives, and SQLite made safe for an editor.

SQLite gets WAL (readers never block the writer), foreign keys, a busy timeout, and real
transactions: Python's sqlite3 driver otherwise sends no BEGIN before reads, so a read-then-write edit
would not be isolated from another process (see SQLAlchemy's "Serializable isolation" recipe).
Writes begin with ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of failing.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

ENV_DB = "ANNOTATOR_DB"
WRITE_OPTION = "annotator_write"


def default_database_path() -> Path:
    return user_data_path("annotator", appauthor=False) / "annotator.sqlite3"


def resolve_url(url_or_path: str | os.PathLike[str] | None) -> str:
    """``--db`` value, else ``$ANNOTATOR_DB``, else the per-user SQLite file. A plain path means SQLite."""
    value = os.fspath(url_or_path) if url_or_path is not None else os.environ.get(ENV_DB)
    if not value:
        path = default_database_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if "://" in value:
        return value
    path = Path(value).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def make_engine(url: str) -> Engine:
    sa_url = make_url(url)
    if sa_url.get_backend_name() != "sqlite":
        return create_engine(sa_url, pool_pre_ping=True)
    engine = create_engine(sa_url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        if sa_url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def writer(engine: Engine) -> Engine:
    """The same pool, but transactions start as writers (SQLite ``BEGIN IMMEDIATE``)."""
    return engine.execution_options(**{WRITE_OPTION: True})

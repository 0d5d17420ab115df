"""Alembic environment: always online, on the engine handed over in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from annotator.store.schema import Base

config = context.config
engine = config.attributes["engine"]


def _sqlite_pragma(connection, sql: str) -> None:  # type: ignore[no-untyped-def]
    """Run a PRAGMA on the raw driver connection, outside any transaction: ``foreign_keys`` is a
    no-op inside one, and SQLAlchemy would otherwise open one (our "begin" hook) first."""
    connection.connection.driver_connection.execute(sql)


with engine.connect() as connection:
    is_sqlite = connection.dialect.name == "sqlite"
    if is_sqlite:
        # Batch mode rebuilds tables (copy, drop, rename); foreign keys must not fire half-way.
        _sqlite_pragma(connection, "PRAGMA foreign_keys=OFF")
    try:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=is_sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()
    finally:
        if is_sqlite:
            _sqlite_pragma(connection, "PRAGMA foreign_keys=ON")

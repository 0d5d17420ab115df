"""Schema creation and upgrades through Alembic, run on the application's own connection.

Every database, new or old, goes through the same migration scripts (batch mode on SQLite), so the
path an existing user's file takes is the one the tests exercise.

The revision read from ``alembic_version`` is data, not code: it is checked against the revisions
these scripts know before anything else happens (a newer store is refused without writing a backup
each time), and only a known revision ever becomes part of a name (the PostgreSQL backup schema),
always quoted by the dialect.
"""

from __future__ import annotations

import os
import re
import sqlite3
from contextlib import closing, suppress
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from annotator.core.errors import AnnotatorError, SchemaUnknown
from annotator.store.engine import is_read_only
from annotator.store.integrity import describe, sqlite_path

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
REVISION_ID = re.compile(r"[A-Za-z0-9_]{1,32}")  # what an Alembic revision id looks like
OUR_TABLES = ("documents", "spans", "labels")


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def _scripts() -> ScriptDirectory:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg)


def known_revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}


def current_revisions(engine: Engine) -> tuple[str, ...]:
    """Every row of ``alembic_version`` (one for a store this code made; none for a new database)."""
    with engine.connect() as conn:
        return tuple(MigrationContext.configure(conn).get_current_heads())


def current_revision(engine: Engine) -> str | None:
    heads = current_revisions(engine)
    return heads[0] if heads else None


def head_revision(engine: Engine | None = None) -> str | None:
    return _scripts().get_current_head()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (a no-op when it is already there)."""
    command.upgrade(alembic_config(engine), revision)


def _shown(value: str) -> str:
    """A revision read from the database, safe to print on one line."""
    text = value if len(value) <= 40 else value[:40] + "…"
    return repr(text)


def checked_revision(engine: Engine) -> str | None:
    """The store's schema revision, refused unless these scripts know it (``SchemaUnknown``: made by a
    newer annotator, or not a revision id at all), and ``None`` only for a database with none of our
    tables (a new store). Reads only; writes nothing."""
    heads = current_revisions(engine)
    where = describe(engine)
    if len(heads) > 1:
        raise SchemaUnknown(f"the database {where} records {len(heads)} schema revisions "
                            f"({', '.join(_shown(h) for h in heads[:3])}); annotator makes one. It was changed by "
                            "another program; nothing was changed")
    if not heads:
        tables = set(inspect(engine).get_table_names())
        ours = [t for t in OUR_TABLES if t in tables]
        if ours:
            raise SchemaUnknown(f"the database {where} has annotator tables ({', '.join(ours)}) but no schema "
                                "revision (its alembic_version table is missing or empty); nothing was changed. "
                                "Restore it from a backup")
        if engine.dialect.name == "sqlite" and tables:
            raise SchemaUnknown(f"the database file {where} is not an annotator store (it holds other tables: "
                                f"{', '.join(sorted(tables)[:5])}); nothing was changed. Give another file")
        return None
    current = heads[0]
    if current in known_revisions():
        return current
    if REVISION_ID.fullmatch(current):
        raise SchemaUnknown(f"the database {where} was made by a newer annotator (schema revision {current}); "
                            "upgrade annotator to open it. Nothing was changed")
    raise SchemaUnknown(f"the database {where} has a schema revision that is not a revision id "
                        f"({_shown(current)}): it was not made by annotator, or its alembic_version table was "
                        "tampered with. Nothing was changed")


def prepare(engine: Engine) -> str | None:
    """Check the revision, copy an older store, upgrade it; returns where the copy went (or None).

    A newer or unknown revision is refused before anything is written. A store opened read-only
    (its folder is not writable) must already be current."""
    current = checked_revision(engine)
    head = head_revision()
    if is_read_only(engine):
        if current != head:
            raise AnnotatorError(f"the database {describe(engine)} needs a schema upgrade ({current} to {head}) but "
                                 "its folder is not writable; open it once where the folder is writable")
        return None
    backup = backup_before_upgrade(engine, current)
    upgrade(engine)
    return backup


def backup_before_upgrade(engine: Engine, current: str | None = None) -> str | None:
    """Copy an existing store that is about to be upgraded; returns where the copy went.

    SQLite: a consistent copy of the file next to it, through SQLite's online backup API (safe with
    WAL and other readers), written under a temporary name and renamed only once complete, so a crash
    never leaves a partial file named as a backup (the next upgrade removes such leftovers). Other
    backends: every table copied into a schema named after the old revision, in one transaction.
    A new, empty database or one already at head needs no copy.
    """
    current = current if current is not None else checked_revision(engine)
    if current is None or current == head_revision():
        return None
    if current not in known_revisions() or not REVISION_ID.fullmatch(current):  # never a name from raw data
        raise SchemaUnknown(f"refusing to back up {describe(engine)}: unknown schema revision {_shown(current)}")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    source = sqlite_path(engine.url)
    if engine.dialect.name == "sqlite" and source is not None:
        return str(_backup_sqlite(source, f"{source.name}.backup-{current}-{stamp}"))
    return _backup_schema(engine, f"backup_{current}_{stamp.replace('-', '_')}")


def _backup_sqlite(source: Path, name: str) -> Path:
    _remove_dead_partial_backups(source)
    target = source.with_name(name)
    n = 1
    while target.exists():
        n += 1
        target = source.with_name(f"{name}-{n}")
    partial = source.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
            dst.execute("PRAGMA journal_mode=OFF")  # a temporary file: no -journal beside it
            src.backup(dst)
        with open(partial, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, target)
    except BaseException:
        with suppress(OSError):
            partial.unlink()
        raise
    return target


def _remove_dead_partial_backups(source: Path) -> None:
    """Partial backups left by a killed process (its pid is in the name and no longer runs)."""
    prefix = f".{source.name}.backup-"
    for leftover in source.parent.iterdir():
        if not leftover.name.startswith(prefix) or ".tmp-" not in leftover.name:
            continue
        pid = re.match(r"\d+", leftover.name.rsplit(".tmp-", 1)[1])  # "<pid>", or "<pid>-journal"
        if pid is not None and not _alive(int(pid.group())):
            with suppress(OSError):
                leftover.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _backup_schema(engine: Engine, name: str) -> str:
    quote = engine.dialect.identifier_preparer.quote_identifier
    with engine.begin() as conn:
        existing = set(inspect(conn).get_schema_names())
        schema, n = name, 1
        while schema in existing:
            n += 1
            schema = f"{name}_{n}"
        tables = [t for t in inspect(conn).get_table_names() if t != "alembic_version"] + ["alembic_version"]
        conn.exec_driver_sql(f"CREATE SCHEMA {quote(schema)}")
        for table in tables:
            conn.exec_driver_sql(f"CREATE TABLE {quote(schema)}.{quote(table)} AS TABLE {quote(table)}")
    return f"schema {schema}"

"""Engine creation: where the default database lives, and SQLite made safe for an editor.

SQLite gets WAL (readers never block the writer), foreign keys, a busy timeout, and real
transactions: Python's sqlite3 driver otherwise sends no BEGIN before reads, so a read-then-write edit
would not be isolated from another process (see SQLAlchemy's "Serializable isolation" recipe).
Writes begin with ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of failing.

A file in a folder this process cannot write is opened read-only (WAL would need to create its ``-shm``
and ``-wal`` files there), so read commands still work; writes then fail with a message saying why.
Errors SQLite reports about the file itself (damaged, read-only, disk full, unreadable) become one
message naming the file, wherever they happen, e.g. in the middle of an export.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

from platformdirs import user_data_path
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from annotator.core.errors import AnnotatorError
from annotator.store.integrity import damaged, preflight, sqlite_path

ENV_DB = "ANNOTATOR_DB"
BACKENDS = ("sqlite", "postgresql")
DB_TAKES = "an SQLite file (a path, or sqlite:////absolute/path) or postgresql://user@host/database"
WRITE_OPTION = "annotator_write"
READ_ONLY_OPTION = "annotator_read_only"

# SQLite primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF) that are about the file itself.
SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 8, 10, 11, 13, 14, 26


def default_database_path() -> Path:
    return user_data_path("annotator", appauthor=False) / "annotator.sqlite3"


def resolve_url(url_or_path: str | os.PathLike[str] | None) -> str:
    """``--db`` value, else ``$ANNOTATOR_DB``, else the per-user SQLite file. A plain path means SQLite."""
    value = _given(url_or_path)
    if not value:
        path = default_database_path()
        _ensure_folder(path)
        return f"sqlite:///{path}"
    if "://" in value:
        return _checked_url(value, "--db" if url_or_path is not None else f"${ENV_DB}")
    path = Path(value).expanduser().resolve()
    _ensure_folder(path)
    return f"sqlite:///{path}"


def missing_file(url_or_path: str | os.PathLike[str] | None) -> Path | None:
    """The SQLite file ``resolve_url`` would open when it does not exist yet (None: it exists, or the
    store is not an SQLite file), without creating anything: commands that only read or change a
    store refuse a path that names none (a typo in ``--db`` must not answer "0 documents")."""
    value = _given(url_or_path)
    if not value:
        path: Path | None = default_database_path()
    elif "://" in value:
        try:
            path = sqlite_path(make_url(value))
        except ArgumentError:
            return None  # resolve_url says what is wrong with it
        path = path.expanduser().resolve() if path is not None else None
    else:
        path = Path(value).expanduser().resolve()
    return path if path is not None and not path.exists() else None


def discard_new_file(path: Path) -> None:
    """Remove the SQLite file a command made (``missing_file`` before it ran) and then failed in: a
    refused first import leaves no empty store behind, which later commands would take for a real one."""
    for one in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm", "-journal"))):
        one.unlink(missing_ok=True)


def _given(url_or_path: str | os.PathLike[str] | None) -> str | None:
    """The ``--db`` value, else ``$ANNOTATOR_DB`` (None: neither). An empty ``--db`` is refused (a shell
    variable empty by mistake must not write to the per-user database)."""
    if url_or_path is None:
        return os.environ.get(ENV_DB)
    value = os.fspath(url_or_path)
    if not value.strip():
        raise AnnotatorError(f"--db is empty; give {DB_TAKES}, or leave --db out for the per-user database")
    return value


def _checked_url(value: str, given_as: str) -> str:
    """``value`` when it names a lasting store this project can open; else one message saying why,
    before anything is done (not a traceback, and not an in-memory database whose "imported" vanishes
    with the process)."""
    def refuse(why: str) -> AnnotatorError:
        shown = re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", value)  # never a password in a message
        return AnnotatorError(f"{given_as} {shown}: {why}; give {DB_TAKES}")

    try:
        url = make_url(value)
    except ArgumentError:
        raise refuse("is not a database URL") from None
    backend = url.get_backend_name()
    if backend not in BACKENDS:
        raise refuse(f"'{backend}' databases are not supported")
    try:
        url.get_dialect().import_dbapi()
    except (NoSuchModuleError, ImportError):
        raise refuse(f"the driver '{url.get_driver_name()}' is not available") from None
    database = url.database or ""
    if backend == "sqlite" and (database in ("", ":memory:") or "mode=memory" in database
                                or url.query.get("mode") == "memory"):
        raise refuse("an SQLite database in memory keeps nothing after the command ends")
    return value


def _ensure_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = "a file is in the way" if isinstance(exc, (FileExistsError, NotADirectoryError)) else exc.strerror
        raise AnnotatorError(f"cannot create the folder {path.parent} for the database {path}: {why or exc}") from None


def make_engine(url: str) -> Engine:
    """An engine for ``url``; an SQLite file is checked first (``integrity.preflight``) and opened
    read-only when its folder is not writable."""
    sa_url = make_url(url)
    if sa_url.get_backend_name() != "sqlite":
        return create_engine(sa_url, pool_pre_ping=True)
    path = sqlite_path(sa_url)
    read_only = False
    if path is not None:
        preflight(path)
        read_only = path.exists() and not os.access(path.parent, os.W_OK | os.X_OK)
    if read_only and path is not None:
        uri = _read_only_uri(path)
        engine = create_engine(sa_url, creator=lambda: sqlite3.connect(uri, uri=True, timeout=30,
                                                                       check_same_thread=False))
    else:
        engine = create_engine(sa_url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        if path is not None and not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    if path is not None:
        @event.listens_for(engine, "handle_error")
        def _on_error(context: ExceptionContext) -> None:
            file_error(context.original_exception, path, read_only)

    return engine.execution_options(**{READ_ONLY_OPTION: True}) if read_only else engine


def is_read_only(engine: Engine) -> bool:
    """Whether ``make_engine`` opened this SQLite file read-only (its folder is not writable)."""
    return bool(engine.get_execution_options().get(READ_ONLY_OPTION, False))


def _read_only_uri(path: Path) -> str:
    """Read-only SQLite URI. Without write access to the folder, WAL can read only when its ``-wal``
    and ``-shm`` files already exist, or as ``immutable`` when there is no log to read (nobody can
    write the file meanwhile: a writer would have to create the log in that same folder)."""
    wal, shm = (path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))
    base = f"file:{quote(str(path))}?mode=ro"
    if wal.exists() and wal.stat().st_size > 0:
        if not shm.exists():
            raise AnnotatorError(f"the database {path} has changes in {wal.name} not yet written into it, and its "
                                 f"folder {path.parent} is not writable; open it once where the folder is writable")
        return base
    return base + "&immutable=1"


def file_error(exc: BaseException, path: Path, read_only: bool = False) -> None:
    """Raise the message for an SQLite error about the file itself; return for any other error."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return
    code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    reason = str(exc).strip() or type(exc).__name__
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB) or (not code and "malformed" in reason):
        raise damaged(path, f"SQLite: {reason}") from exc
    if code == SQLITE_READONLY:
        why = f"its folder {path.parent} is not writable" if read_only else "the file or its folder is not writable"
        raise AnnotatorError(f"the database {path} is read-only ({why}); nothing was saved") from exc
    if code == SQLITE_FULL:
        raise AnnotatorError(f"the disk holding the database {path} is full; nothing was saved. Free some space "
                             "and try again") from exc
    if code == SQLITE_IOERR:
        raise AnnotatorError(f"cannot read or write the database file {path} ({reason}); nothing was saved. "
                             "Check the disk; if it persists, run 'annotator check'") from exc
    if code == SQLITE_CANTOPEN:
        raise AnnotatorError(f"cannot open the database file {path} ({reason})") from exc


def writer(engine: Engine) -> Engine:
    """The same pool, but transactions start as writers (SQLite ``BEGIN IMMEDIATE``)."""
    return engine.execution_options(**{WRITE_OPTION: True})

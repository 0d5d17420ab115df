"""Liveness of running imports and cleaning up after stopped and dead ones (see ``staged_import``).

While it runs, an import holds a *liveness lock* that the operating system or the server frees when
its process dies, however it dies: an ``flock`` on a lock file next to an SQLite database
(``<db>-import-<token>.lock``), a session advisory lock on PostgreSQL
(``pg_advisory_lock(IMPORT_LOCK_SPACE, id)``, freed when the connection closes). ``sweep_imports``
(at every ``Store.open`` and before every import) probes the lock of each ``running`` import: a free
lock means a dead import, marked ``abandoned`` (conditionally, so a run that published in the meantime
is never touched) and its rows removed.
"""

from __future__ import annotations

import glob
import logging
import os
import sys
import time
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, CursorResult, Engine, delete, insert, select, text, update
from sqlalchemy.orm import Session

from annotator.core.errors import AnnotatorError
from annotator.core.progress import ProgressSink, no_progress
from annotator.store import span_counts
from annotator.store.records import SweepReport
from annotator.store.schema import DocumentRow, ImportRow, ImportState, SpanRow, utcnow
from annotator.store.session import writing

log = logging.getLogger(__name__)

# First key of PostgreSQL advisory locks held by running imports (the second is the import's id).
IMPORT_LOCK_SPACE = 0x616E6E6F  # "anno"
# Documents removed per transaction when a stopped import is cleaned up (their spans go with them).
REMOVE_BATCH = 200
STOPPED = [s.value for s in ImportState if s not in (ImportState.RUNNING, ImportState.DONE)]


def _lock_path(engine: Engine, token: str) -> Path | None:
    """The lock file of the import ``token`` next to an SQLite database (None: no file to sit next to)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:") or str(database).startswith("file:"):
        return None
    path = Path(str(database))
    return path.with_name(f"{path.name}-import-{token}.lock")


def updated_rows(result: Any) -> int:
    """Rows an UPDATE matched (``Session.execute`` is typed as returning a plain ``Result``)."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def _try_lock(handle: IO[bytes]) -> bool:
    """An exclusive, non-blocking lock on an open file, freed by the OS when the process dies."""
    try:
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class Liveness:
    """Held by a running import for its whole life; gone when its process is, however it ends."""

    def __init__(self, engine: Engine, writer: Engine, token: str) -> None:
        self.engine, self.writer, self.token = engine, writer, token
        self._file: IO[bytes] | None = None
        self._path = _lock_path(engine, token)
        self._conn: Connection | None = None

    def before_record(self) -> None:
        """SQLite: create and lock the file *before* the import row exists, so a prober that sees the
        row and finds no locked file knows the run is dead."""
        if self._path is None:
            return
        for _ in range(100):
            handle = open(self._path, "a+b")  # noqa: SIM115 - held open for the import's life
            if _try_lock(handle):
                try:  # the file we locked is still the one under that name (a sweep may have
                    same = os.fstat(handle.fileno()).st_ino == os.stat(self._path).st_ino  # removed it)
                except FileNotFoundError:
                    same = False
                if same:
                    self._file = handle
                    return
            handle.close()  # a sweep was probing it at that very moment: try again
            time.sleep(0.01)
        raise AnnotatorError(f"cannot lock {self._path} for the import")

    def record(self, row: dict[str, Any]) -> int:
        """Insert the ``imports`` row; on PostgreSQL take the advisory lock in the same transaction,
        on a connection kept for the import's life, so the row is never seen without its lock."""
        if self.engine.dialect.name == "postgresql":
            self._conn = self.engine.connect()
            try:
                import_id = int(self._conn.execute(insert(ImportRow).returning(ImportRow.id), row).scalar_one())
                self._conn.execute(text("SELECT pg_advisory_lock(:space, :id)"),
                                   {"space": IMPORT_LOCK_SPACE, "id": import_id})
                self._conn.commit()
            except BaseException:
                self._conn.close()
                self._conn = None
                raise
            return import_id
        with writing(self.writer) as s:
            return int(s.execute(insert(ImportRow).returning(ImportRow.id), row).scalar_one())

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()  # the advisory lock is a session lock: it goes with the session
            except Exception:  # the server may be gone, which frees the lock as well
                log.debug("closing the import lock connection failed", exc_info=True)
            self._conn = None
        if self._file is not None:
            if self._path is not None:
                self._path.unlink(missing_ok=True)  # still locked: no prober can mistake it for dead
            self._file.close()
            self._file = None


def _alive(engine: Engine, import_id: int, token: str) -> bool:
    """Whether the running import's process still holds its liveness lock. Backends with neither a
    lock file nor advisory locks never judge an import dead."""
    if engine.dialect.name == "postgresql":
        key = {"space": IMPORT_LOCK_SPACE, "id": import_id}
        with engine.connect() as conn:
            free = conn.execute(text("SELECT pg_try_advisory_lock(:space, :id)"), key).scalar()
            if free:
                conn.execute(text("SELECT pg_advisory_unlock(:space, :id)"), key)
            conn.commit()
        return not free
    path = _lock_path(engine, token)
    if path is None:
        return engine.dialect.name != "sqlite"  # an in-memory SQLite database dies with its process
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return False  # the owner creates its file before its row and removes it after it finished
    with handle:
        return not _try_lock(handle)  # closing the handle drops a lock we took



# -- cleaning up after stopped and dead imports ---------------------------------------------------


def remove_documents(writer: Engine, import_id: int, deadline: float | None = None) -> tuple[int, bool]:
    """Delete the documents (and spans) of a stopped import, ``REMOVE_BATCH`` per transaction;
    (documents removed, whether all are gone). Stops early past ``deadline`` (``time.monotonic()``).
    Only ever touches an import in a stopped state: a published or running one is left alone."""
    removed = 0
    while True:
        if deadline is not None and time.monotonic() > deadline:
            return removed, False
        with writing(writer) as s:
            ids = list(s.scalars(
                select(DocumentRow.id).join(ImportRow, ImportRow.id == DocumentRow.import_id)
                .where(DocumentRow.import_id == import_id, ImportRow.state.in_(STOPPED)).limit(REMOVE_BATCH)
            ))
            if not ids:
                return removed, True
            s.execute(delete(SpanRow).where(SpanRow.document_id.in_(ids)))
            s.execute(delete(DocumentRow).where(DocumentRow.id.in_(ids)))
        removed += len(ids)


def sweep_imports(engine: Engine, writer: Engine, budget: float | None = None,
                  progress: ProgressSink = no_progress) -> SweepReport:
    """Find dead imports (``running`` but their liveness lock is free) and mark them ``abandoned``;
    remove the rows of every stopped import. With ``budget`` (seconds), stop removing after about that
    long: what is left stays invisible and is removed by the next sweep."""
    deadline = None if budget is None else time.monotonic() + budget
    report = SweepReport()
    with Session(engine) as s:
        running = s.execute(select(ImportRow.id, ImportRow.token)
                            .where(ImportRow.state == ImportState.RUNNING.value)).all()
    for import_id, token in running:
        if _alive(engine, import_id, token):
            report.running.append(import_id)
            continue
        with writing(writer) as s:
            marked = updated_rows(s.execute(
                update(ImportRow).where(ImportRow.id == import_id, ImportRow.state == ImportState.RUNNING.value)
                .values(state=ImportState.ABANDONED.value, finished_at=utcnow())
            ))
        if marked:
            report.abandoned.append(import_id)
            log.warning("import %s was interrupted (its process is gone); removing its documents", import_id)
        path = _lock_path(engine, token)
        if path is not None:
            path.unlink(missing_ok=True)
    _remove_stray_lock_files(engine)
    with Session(engine) as s:
        stopped = list(s.scalars(
            select(DocumentRow.import_id).join(ImportRow, ImportRow.id == DocumentRow.import_id)
            .where(ImportRow.state.in_(STOPPED)).distinct()
        ))
    for import_id in (i for i in stopped if i is not None):
        progress(0, 0, f"removing the documents of interrupted import {import_id}")
        removed, complete = remove_documents(writer, import_id, deadline)
        report.removed += removed
        if not complete:
            report.complete = False
            break
    span_counts.fold(writer)  # PostgreSQL: the counts rows of backends that have ended, into one
    return report


STRAY_LOCK_AGE = 600.0  # seconds: a lock file with no import row this old was never going to get one


def _remove_stray_lock_files(engine: Engine) -> None:
    """Lock files nobody holds whose import finished, or that never got an import row (killed between
    creating the file and recording the run, or between finishing and removing it)."""
    probe = _lock_path(engine, "")
    if probe is None:
        return
    for path in probe.parent.glob(glob.escape(probe.name.removesuffix(".lock")) + "*.lock"):
        token = path.name.rsplit("-import-", 1)[-1].removesuffix(".lock")
        with Session(engine) as s:
            state = s.scalar(select(ImportRow.state).where(ImportRow.token == token))
        try:
            if state == ImportState.RUNNING.value or (state is None and
                                                      time.time() - path.stat().st_mtime < STRAY_LOCK_AGE):
                continue  # its owner, or the sweep that judges it, deals with it
            handle = open(path, "rb")  # noqa: SIM115 - closed below
        except OSError:
            continue
        with handle:
            if _try_lock(handle):
                path.unlink(missing_ok=True)


"""Bulk writes: imports (staged, published whole) and model predictions (the caller's session).

An import of any size never holds the write lock for long and is still all-or-nothing for every
reader, even if its process is killed:

- ``StagedImport`` records the run in ``imports`` (state ``running``) and writes its documents and
  spans in short batches, each its own transaction, every document tagged with the run's id.
  ``queries.visible()`` hides documents whose import is not ``done``, so nobody sees a batch.
- ``publish()`` flips the run to ``done`` in one single-row transaction: every document appears at
  once. ``abort()`` (cancel, refused input, error) marks it ``cancelled``/``refused``/``failed`` and
  removes its rows in short batches.
- While it runs, the import holds a *liveness lock* that the operating system or the server frees
  when its process dies, however it dies: an ``flock`` on a lock file next to an SQLite database
  (``<db>-import-<token>.lock``), a session advisory lock on PostgreSQL
  (``pg_advisory_lock(IMPORT_LOCK_SPACE, id)``, freed when the connection closes). ``sweep_imports``
  (at every ``Store.open`` and before every import) probes the lock of each ``running`` import: a
  free lock means a dead import, marked ``abandoned`` (conditionally, so a run that published in the
  meantime is never touched) and its rows removed. A timestamp heartbeat was not used: a paused laptop
  or a slow batch would look dead, and a dead process could look alive for the whole timeout.
- Every batch and the publish check the run is still ``running`` in their own transaction (on
  PostgreSQL with ``FOR SHARE``, which a sweep's ``UPDATE`` waits for), so a run judged dead can never
  add rows after the sweep removed its others, nor publish half of them.
- Content hashes stay unique across concurrent imports: a document already stored is a duplicate,
  whether visible or still pending in another running import (reported with that document's id); a
  leftover of a stopped import is removed and replaced; a concurrent insert of the same text is
  skipped by ``ON CONFLICT DO NOTHING`` and reported as a duplicate.
"""

from __future__ import annotations

import glob
import logging
import os
import socket
import sys
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from sqlalchemy import Connection, CursorResult, Engine, delete, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from annotator.core.document import DocumentStatus, NewDocument, title_of
from annotator.core.errors import AnnotatorError, InputRefused
from annotator.core.progress import Cancelled, ProgressSink, no_progress
from annotator.core.span import Layer, SpanData
from annotator.store.records import ImportReport, SweepReport
from annotator.store.schema import DocumentRow, ImportRow, ImportState, LabelRow, SpanRow, utcnow
from annotator.store.session import CHUNK, writing

log = logging.getLogger(__name__)

# Colours handed to labels that arrive from an import or a model without one.
_EXTRA_COLOURS = ("#a0c4ff", "#ffc6ff", "#caffbf", "#fdffb6", "#ffadad", "#9bf6ff", "#bdb2ff", "#ffd6a5")

# First key of PostgreSQL advisory locks held by running imports (the second is the import's id).
IMPORT_LOCK_SPACE = 0x616E6E6F  # "anno"
# Documents removed per transaction when a stopped import is cleaned up (their spans go with them).
REMOVE_BATCH = 200
_STOPPED = [s.value for s in ImportState if s not in (ImportState.RUNNING, ImportState.DONE)]


DEADLOCK_RETRIES = 3


def _deadlock(exc: BaseException) -> bool:
    cause = getattr(exc.__cause__, "orig", None)
    return getattr(cause, "sqlstate", None) == "40P01"  # PostgreSQL deadlock_detected


class ImportInterrupted(AnnotatorError):
    """The import was judged dead and cleaned up by another process (its liveness lock was lost,
    e.g. the database server restarted). Nothing of it was imported."""


# -- liveness locks ------------------------------------------------------------------------------


def _lock_path(engine: Engine, token: str) -> Path | None:
    """The lock file of the import ``token`` next to an SQLite database (None: no file to sit next to)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:") or str(database).startswith("file:"):
        return None
    path = Path(str(database))
    return path.with_name(f"{path.name}-import-{token}.lock")


def _count(result: Any) -> int:
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


class _Liveness:
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


# -- staged import ------------------------------------------------------------------------------


@dataclass
class _Tally:
    report: ImportReport = field(default_factory=ImportReport)
    labels: set[str] = field(default_factory=set)


class StagedImport:
    """One import run: ``add`` batches (each one short transaction, invisible to everyone), then
    ``publish`` (one single-row transaction) or ``abort``. As a context manager it aborts on any
    exception, choosing the state from it (``Cancelled``, ``InputRefused``, anything else)."""

    def __init__(self, engine: Engine, writer: Engine, layer: Layer, author: str) -> None:
        self.engine, self.writer, self.layer, self.author = engine, writer, layer, author
        self.token = uuid.uuid4().hex
        self._lock = _Liveness(engine, writer, self.token)
        self._tally = _Tally()
        self.id: int | None = None
        self.finished = False

    def __enter__(self) -> StagedImport:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc is None:
            if not self.finished:
                self.abort(ImportState.CANCELLED)
            return
        if isinstance(exc, Cancelled | KeyboardInterrupt):
            self.abort(ImportState.CANCELLED)
        elif isinstance(exc, InputRefused):
            self.abort(ImportState.REFUSED)
        else:
            self.abort(ImportState.FAILED)

    @property
    def report(self) -> ImportReport:
        return self._tally.report

    def _start(self) -> int:
        if self.id is None:
            self._lock.before_record()
            try:
                self.id = self._lock.record(dict(
                    token=self.token, state=ImportState.RUNNING.value, author=self.author[:200],
                    host=socket.gethostname()[:255], pid=os.getpid(), documents=0, spans=0, started_at=utcnow()))
            except BaseException:
                self._lock.release()
                raise
        return self.id

    def add(self, items: Sequence[tuple[NewDocument, Sequence[SpanData]]]) -> None:
        """Write one batch (documents and their spans) in one transaction, hidden until ``publish``."""
        if self.finished:
            raise AnnotatorError("this import has already finished")
        if not items:
            return
        import_id = self._start()
        for attempt in range(1, DEADLOCK_RETRIES + 1):
            try:
                with writing(self.writer) as s:
                    _check_running(s, import_id)
                    batch = _insert_batch(s, import_id, items, self.layer, self.author)
                    s.execute(update(ImportRow).where(ImportRow.id == import_id).values(
                        documents=ImportRow.documents + len(batch.added), spans=ImportRow.spans + batch.spans))
                break
            except AnnotatorError as exc:
                # PostgreSQL: two imports inserting the same texts in different orders can deadlock on
                # the unique index; the server aborts one transaction, which simply runs again.
                if attempt == DEADLOCK_RETRIES or not _deadlock(exc):
                    raise
        report = self._tally.report
        report.added += batch.added
        report.duplicates += batch.duplicates
        report.spans += batch.spans
        self._tally.labels |= batch.labels

    def publish(self) -> ImportReport:
        """Make every document of the import visible at once; returns what was imported."""
        report = self._tally.report
        if self.id is None:  # nothing was written (empty input, or only duplicates)
            self.finished = True
            return report
        try:
            with writing(self.writer) as s:
                done = _count(s.execute(
                    update(ImportRow).where(ImportRow.id == self.id, ImportRow.state == ImportState.RUNNING.value)
                    .values(state=ImportState.DONE.value, finished_at=utcnow())
                ))
                if done != 1:
                    raise ImportInterrupted("the import was stopped from elsewhere (its process was taken for "
                                            "dead); nothing was imported — import again")
                report.new_labels = ensure_labels(s, self._tally.labels)
        except BaseException:
            self.abort(ImportState.FAILED)
            raise
        self.finished = True
        self._lock.release()
        return report

    def abort(self, state: ImportState = ImportState.CANCELLED) -> None:
        """Stop the import: mark it ``state`` and remove every row it wrote. Safe to call twice."""
        if self.finished:
            return
        self.finished = True
        try:
            if self.id is not None:
                with writing(self.writer) as s:
                    s.execute(update(ImportRow)
                              .where(ImportRow.id == self.id, ImportRow.state == ImportState.RUNNING.value)
                              .values(state=state.value, finished_at=utcnow()))
                _remove_documents(self.writer, self.id)
        except Exception:  # the next sweep finds the run dead (lock released below) and removes it
            log.warning("could not remove the rows of the stopped import %s; the next start of an import or "
                        "of the app will", self.id, exc_info=True)
        finally:
            self._lock.release()


def _check_running(s: Session, import_id: int) -> None:
    """Inside a batch's transaction: the import is still ``running``. ``FOR SHARE`` on PostgreSQL
    makes a concurrent sweep's ``UPDATE`` wait for this batch (SQLite serialises writers anyway)."""
    state = s.scalar(select(ImportRow.state).where(ImportRow.id == import_id).with_for_update(read=True))
    if state != ImportState.RUNNING.value:
        raise ImportInterrupted("the import was stopped from elsewhere (its process was taken for dead); "
                                "nothing was imported — import again")


def _insert_documents(s: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert document rows, skipping any whose content hash exists by now; ``{hash: new id}``.
    Core statements on the session's connection: the ORM's bulk path costs more than the insert."""
    conn = s.connection()
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        make = sqlite.insert if dialect == "sqlite" else postgresql.insert
        stmt = make(DocumentRow).on_conflict_do_nothing(index_elements=["content_hash"]).returning(
            DocumentRow.id, DocumentRow.content_hash)
        return {digest: doc_id for doc_id, digest in conn.execute(stmt, rows)}
    out: dict[str, int] = {}
    for row in rows:  # other backends: one statement each (no portable "on conflict" with executemany)
        out[row["content_hash"]] = int(conn.execute(insert(DocumentRow).returning(DocumentRow.id), row).scalar_one())
    return out


_SPAN_COLUMNS = ("document_id", "start", "end", "label", "layer", "author", "rejected", "created_at")


def _processed(conn: Connection, **values: Any) -> tuple[Any, ...]:
    """``values`` (the span columns after ``label``) as the driver takes them, converted once."""
    out = []
    for name, value in values.items():
        process = SpanRow.__table__.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        out.append(process(value) if process is not None else value)
    return tuple(out)


def _insert_spans(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Span rows (``_SPAN_COLUMNS`` order, values as the driver takes them) in one executemany on the
    driver: an import writes tens of thousands per batch, and SQLAlchemy's per-row parameter
    processing would cost more than the insert itself -- inside the write transaction."""
    # inline(): no RETURNING of the new ids (PostgreSQL would add one); bind names are the columns'
    compiled = insert(SpanRow).inline().compile(dialect=conn.dialect, column_keys=list(_SPAN_COLUMNS))
    params: list[Any]
    if compiled.positiontup is not None:  # positional paramstyle (SQLite's "?")
        order = [_SPAN_COLUMNS.index(name) for name in compiled.positiontup]
        params = rows if order == list(range(len(_SPAN_COLUMNS))) else [tuple(r[i] for i in order) for r in rows]
    else:
        params = [dict(zip(_SPAN_COLUMNS, row, strict=True)) for row in rows]
    conn.exec_driver_sql(str(compiled), params)


def _stored(s: Session, hashes: Sequence[str]) -> dict[str, tuple[int, int | None, str | None]]:
    """``{hash: (document id, its import id, that import's state)}`` for hashes already stored."""
    found: dict[str, tuple[int, int | None, str | None]] = {}
    for i in range(0, len(hashes), CHUNK):
        query = (select(DocumentRow.content_hash, DocumentRow.id, DocumentRow.import_id, ImportRow.state)
                 .outerjoin(ImportRow, ImportRow.id == DocumentRow.import_id)
                 .where(DocumentRow.content_hash.in_(hashes[i : i + CHUNK])))
        found.update((digest, (doc_id, imp, state)) for digest, doc_id, imp, state in s.execute(query))
    return found


@dataclass
class _Batch:
    """What one batch wrote, merged into the import's report once its transaction committed."""

    added: list[int] = field(default_factory=list)
    duplicates: list[tuple[str, int | None]] = field(default_factory=list)
    spans: int = 0
    labels: set[str] = field(default_factory=set)


def _insert_batch(s: Session, import_id: int, items: Sequence[tuple[NewDocument, Sequence[SpanData]]],
                  layer: Layer, author: str) -> _Batch:
    """One batch of an import, in the caller's transaction. Ids follow the order of ``items`` (the
    document list shows import order)."""
    out = _Batch()
    by_hash: dict[str, tuple[NewDocument, Sequence[SpanData]]] = {}
    for doc, spans in items:
        digest = doc.content_hash
        if digest in by_hash:
            out.duplicates.append((doc.source, None))  # twice in this import
        else:
            by_hash[digest] = (doc, spans)
    stored = _stored(s, list(by_hash))
    leftovers = [doc_id for doc_id, imp, state in stored.values() if imp is not None and state in _STOPPED]
    if leftovers:  # a stopped import's rows not swept yet: they make way for this import's documents
        s.execute(delete(SpanRow).where(SpanRow.document_id.in_(leftovers)))
        s.execute(delete(DocumentRow).where(DocumentRow.id.in_(leftovers)))
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for digest, (doc, spans) in by_hash.items():
        hit = stored.get(digest)
        if hit is not None and not (hit[1] is not None and hit[2] in _STOPPED):
            out.duplicates.append((doc.source, None if hit[1] == import_id else hit[0]))
            continue
        rows.append(dict(
            text=doc.text, source=doc.source, title=title_of(doc.text)[:200], language=doc.language,
            content_hash=digest, status=doc.status.value, status_by=author if spans else None,
            had_bom=doc.had_bom, meta=doc.meta, suggested_by=author if spans and layer is Layer.MODEL else None,
            created_at=now, updated_at=now, version=1, import_id=import_id,
        ))
    ids = _insert_documents(s, rows) if rows else {}
    lost = [r["content_hash"] for r in rows if r["content_hash"] not in ids]
    if lost:  # another import committed the same text between our check and our insert
        again = _stored(s, lost)
        for digest in lost:
            out.duplicates.append((by_hash[digest][0].source, again[digest][0] if digest in again else None))
    conn = s.connection()
    fixed = _processed(conn, layer=layer.value, author=author, rejected=False, created_at=now)
    span_rows: list[tuple[Any, ...]] = []
    for row in rows:
        doc_id = ids.get(row["content_hash"])
        if doc_id is None:
            continue
        out.added.append(doc_id)
        for span in by_hash[row["content_hash"]][1]:
            out.labels.add(span.label)
            span_rows.append((doc_id, span.start, span.end, span.label, *fixed))
    if span_rows:
        _insert_spans(conn, span_rows)
    out.spans = len(span_rows)
    return out


def import_documents(engine: Engine, writer: Engine, items: Iterable[tuple[NewDocument, Sequence[SpanData]]],
                     layer: Layer, author: str, batch_size: int = 250, batch_spans: int = 5_000) -> ImportReport:
    """Every item, staged in batches (``batch_size`` documents or ``batch_spans`` spans, whichever
    comes first: one short write transaction each) and published at once (all-or-nothing)."""
    with StagedImport(engine, writer, layer, author) as staged:
        batch: list[tuple[NewDocument, Sequence[SpanData]]] = []
        spans = 0
        for item in items:
            batch.append(item)
            spans += len(item[1])
            if len(batch) >= batch_size or spans >= batch_spans:
                staged.add(batch)
                batch, spans = [], 0
        staged.add(batch)
        return staged.publish()


# -- cleaning up after stopped and dead imports ---------------------------------------------------


def _remove_documents(writer: Engine, import_id: int, deadline: float | None = None) -> tuple[int, bool]:
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
                .where(DocumentRow.import_id == import_id, ImportRow.state.in_(_STOPPED)).limit(REMOVE_BATCH)
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
            marked = _count(s.execute(
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
            .where(ImportRow.state.in_(_STOPPED)).distinct()
        ))
    for import_id in (i for i in stopped if i is not None):
        progress(0, 0, f"removing the documents of interrupted import {import_id}")
        removed, complete = _remove_documents(writer, import_id, deadline)
        report.removed += removed
        if not complete:
            report.complete = False
            break
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


# -- model predictions and labels ---------------------------------------------------------------


def replace_suggestions(s: Session, batch: Mapping[int, Sequence[SpanData]], author: str) -> int:
    ids = list(batch)
    now = utcnow()
    rows: list[dict[str, Any]] = [
        dict(document_id=doc_id, start=sp.start, end=sp.end, label=sp.label, layer=Layer.MODEL.value,
             author=author, rejected=False, created_at=now)
        for doc_id, spans in batch.items()
        for sp in spans
    ]
    s.execute(delete(SpanRow).where(SpanRow.document_id.in_(ids), SpanRow.layer == Layer.MODEL.value))
    if rows:
        s.execute(insert(SpanRow), rows)
    s.execute(
        update(DocumentRow)
        .where(DocumentRow.id.in_(ids))
        .values(suggested_by=author, version=DocumentRow.version + 1)
    )
    s.execute(
        update(DocumentRow)
        .where(DocumentRow.id.in_(ids), DocumentRow.status == DocumentStatus.NEW.value)
        .values(status=DocumentStatus.PREANNOTATED.value)
    )
    ensure_labels(s, {sp.label for spans in batch.values() for sp in spans})
    return len(rows)


def ensure_labels(s: Session, names: set[str]) -> list[str]:
    """Labels met in imports or predictions join the scheme (with a colour, no key); returns the new ones."""
    known = set(s.scalars(select(LabelRow.name)))
    missing = sorted(names - known)
    position = (s.scalar(select(func.max(LabelRow.position))) or 0) + 1
    for i, name in enumerate(missing):
        s.add(LabelRow(name=name, colour=_EXTRA_COLOURS[i % len(_EXTRA_COLOURS)], key=None,
                       description="", position=position + i))
    return missing

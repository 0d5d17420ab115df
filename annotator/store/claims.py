"""The pre-annotation work queue: documents waiting for model suggestions, claimed a batch at a time by
any number of processes, on any number of machines, with no server other than the database.

``preannotate_queue`` (migration 0004) holds one row per waiting (run, document). A run's ``kind`` is
``new`` (documents without suggestions yet) or ``rerun:<models>`` (every unfinished document, for one
set of suggestion models). Opening a run adds its rows (``new`` is topped up with documents imported
since; a re-run already under way is joined, not queued again); a batch leaves the queue in the same
transaction that writes its suggestions, so a document is suggested exactly once per run.

PostgreSQL: a claim is ``SELECT … FOR UPDATE SKIP LOCKED`` on queue rows, in a transaction kept open
while the batch is processed and committed with its suggestions. Workers never wait for each other; a
worker that dies (killed, crashed, its machine gone: the server's TCP keepalives notice in about a
minute) has its transaction rolled back and its rows are claimable again at once. Only queue rows are
locked while a batch runs, so editors never wait for a worker. Each open claim holds a connection.

SQLite: one pre-annotating process per database file, enforced with a lock file next to it that the
operating system releases when the process ends, however it ends; a second one is refused, saying so.
The queue rows still make an interrupted run resumable.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, delete, func, select, tuple_
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from annotator.core.span import SpanData
from annotator.store.queue_lock import FileLock
from annotator.store.queue_sql import (
    NEW,
    OPEN_LOCK,
    RERUN,
    UNFINISHED_VALUES,
    WAIT_MS,
    QueueRequest,
    QueueRow,
    Written,
    claimable,
    claims_engine,
    enqueue,
    scoped,
    write_suggestions,
)
from annotator.store.schema import DocumentRow
from annotator.store.session import CHUNK, _translated_errors, reading, writing


@dataclass(frozen=True)
class QueuedDocument:
    document_id: int
    text: str
    language: str


class Claim:
    """A batch of documents this process has taken from the queue. Exactly one of ``complete`` (write
    the suggestions, the documents leave the queue) or ``release`` (give them back) ends it."""

    def __init__(self, queue: WorkQueue, rows: Sequence[tuple[str, int]], session: Session | None) -> None:
        self.queue = queue
        self.rows = list(rows)
        self.document_ids = sorted({doc_id for _, doc_id in rows})
        self._session = session  # PostgreSQL: the open transaction holding the rows' locks
        self._rerun_ids = {doc_id for kind, doc_id in rows if kind != NEW}

    def documents(self) -> list[QueuedDocument]:
        """The claimed documents that still need suggestions (a document finished, or suggested by
        another run, since it was queued is skipped), in id order."""
        with self._reading() as s:
            out = []
            for i in range(0, len(self.document_ids), CHUNK):
                query = (select(DocumentRow.id, DocumentRow.text, DocumentRow.language, DocumentRow.suggested_by)
                         .where(DocumentRow.id.in_(self.document_ids[i : i + CHUNK]),
                                DocumentRow.status.in_(UNFINISHED_VALUES))
                         .order_by(DocumentRow.id))
                for row in s.execute(query):
                    if not self.queue.checks_suggested or row.suggested_by is None or row.id in self._rerun_ids:
                        out.append(QueuedDocument(row.id, row.text, row.language))
            return out

    def complete(self, suggestions: Mapping[int, tuple[str, Sequence[SpanData]]]) -> Written:
        """Make each ``{document id: (author, spans)}`` the model layer of its document (only model rows
        are touched; a document finished meanwhile is left alone) and take every claimed row off the
        queue, in one transaction. A document whose rows the database refuses is reported in
        ``Written.failed`` and the rest are written."""
        with self._writing() as s:
            written = write_suggestions(s, suggestions, self.queue.checks_status)
            for i in range(0, len(self.rows), CHUNK):
                s.execute(delete(QueueRow).where(
                    tuple_(QueueRow.kind, QueueRow.document_id).in_(self.rows[i : i + CHUNK])))
        return written

    def release(self) -> None:
        """Give the batch back untouched: the documents stay queued for any worker."""
        if self._session is not None:
            self._session.close()  # rolls back: the row locks go
            self._session = None

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        if self._session is None:
            with reading(self.queue.engine) as s:
                yield s
        else:
            with _translated_errors():
                yield self._session

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        if self._session is None:
            with writing(self.queue.writer) as s:
                yield s
            return
        session, self._session = self._session, None
        try:
            with _translated_errors():
                yield session
                session.commit()
        finally:
            session.close()


class WorkQueue:
    """This process's handle on the queue: claim batches until none is left, then ``close``."""

    checks_status = True  # a document finished since it was queued gets no suggestions
    checks_suggested = True  # nor, in a "new" run, one that got suggestions from elsewhere

    def __init__(self, engine: Engine, writer: Engine, request: QueueRequest, connections: int) -> None:
        self.engine, self.writer, self.request = engine, writer, request
        self.shared = engine.dialect.name == "postgresql"  # other processes may claim beside this one
        self.total = 0
        self._claim_engine: Engine | None = None
        self._lock: FileLock | None = None
        self._cursor = 0  # SQLite: the highest document id claimed so far
        if self.shared:
            self._claim_engine = claims_engine(engine, connections)
        elif engine.url.database not in (None, "", ":memory:"):
            self._lock = FileLock.acquire(Path(engine.url.database or "").with_name(
                f"{Path(engine.url.database or '').name}.preannotate.lock"))

    @property
    def kinds(self) -> list[str] | None:
        """The runs this process takes documents from (None: all)."""
        return None if self.request.join_only else [self.request.kind]

    def open(self) -> WorkQueue:
        """Queue this run's documents (or join the run under way) and count what is waiting."""
        try:
            with writing(self.writer) as s:
                if self.shared:
                    s.execute(select(func.pg_advisory_xact_lock(OPEN_LOCK)))
                if not self.request.join_only:
                    enqueue(s, self.request, self.shared)
            self.total = self.remaining()
        except BaseException:
            self.close()
            raise
        return self

    def remaining(self) -> int:
        """Documents still queued for this process's runs, claimed ones included."""
        with reading(self.engine) as s:
            query = select(func.count(func.distinct(QueueRow.document_id))).select_from(QueueRow)
            return s.scalar(scoped(query, self.kinds, self.request.language)) or 0

    def languages(self) -> list[str]:
        """The languages of the documents waiting (what worker processes will need)."""
        with reading(self.engine) as s:
            queued = scoped(select(QueueRow.document_id), self.kinds, self.request.language)
            return sorted(s.scalars(select(DocumentRow.language).where(DocumentRow.id.in_(queued)).distinct()))

    def claim(self, limit: int) -> Claim | None:
        """Up to ``limit`` queued documents no other worker holds, or None when there are none right now."""
        if self._claim_engine is None:
            return self._claim_unshared(limit)
        session = Session(self._claim_engine, expire_on_commit=False)
        try:
            with _translated_errors():
                rows = claimable(session, self.kinds, self.request.language, limit, wait=False)
        except BaseException:
            session.close()
            raise
        if not rows:
            session.close()
            return None
        return Claim(self, rows, session)

    def wait(self, limit: int) -> Claim | bool:
        """Nothing was claimable: wait (about a second at most) on a batch another worker holds.
        Returns a claim when that worker died and its documents came back, False when the queue is
        empty (everything done), True when others are still working (ask again)."""
        if self._claim_engine is None:
            return False  # SQLite: this is the only process; nothing held is somebody else's
        session = Session(self._claim_engine, expire_on_commit=False)
        try:
            with _translated_errors():
                try:
                    session.execute(select(func.set_config("lock_timeout", f"{WAIT_MS}ms", True)))
                    rows = claimable(session, self.kinds, self.request.language, 1, wait=True)
                except OperationalError as exc:
                    if getattr(exc.orig, "sqlstate", None) != "55P03":  # not lock_not_available
                        raise
                    session.close()
                    return True
                if rows:
                    more = claimable(session, self.kinds, self.request.language, limit, wait=False)
                    rows += [r for r in more if r not in rows][: limit - 1]
        except BaseException:
            session.close()
            raise
        if not rows:
            session.close()
            return False
        return Claim(self, rows, session)

    def close(self) -> None:
        if self._claim_engine is not None:
            self._claim_engine.dispose()
            self._claim_engine = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _claim_unshared(self, limit: int) -> Claim | None:
        with reading(self.engine) as s:
            query = scoped(select(QueueRow.document_id).where(QueueRow.document_id > self._cursor).distinct(),
                            self.kinds, self.request.language)
            ids = list(s.scalars(query.order_by(QueueRow.document_id).limit(limit)))
            if not ids:
                return None
            rows = [(kind, doc_id) for kind, doc_id in s.execute(
                scoped(select(QueueRow.kind, QueueRow.document_id).where(QueueRow.document_id.in_(ids)),
                        self.kinds, None))]
        self._cursor = ids[-1]
        return Claim(self, rows, None)


class FixedBatches(WorkQueue):
    """The same interface over a fixed list of documents (``preannotate(document_ids=…)``): nothing is
    queued in the database, every listed document is processed whatever its status."""

    checks_status = False
    checks_suggested = False

    def __init__(self, engine: Engine, writer: Engine, document_ids: Sequence[int]) -> None:
        self.engine, self.writer, self.request = engine, writer, QueueRequest()
        self.shared = False
        self._claim_engine = None
        self._lock = None
        self._ids = list(dict.fromkeys(document_ids))
        self._next = 0
        self.total = len(self._ids)

    def open(self) -> FixedBatches:
        return self

    def remaining(self) -> int:
        return len(self._ids) - self._next

    def languages(self) -> list[str]:
        with reading(self.engine) as s:
            found: set[str] = set()
            for i in range(0, len(self._ids), CHUNK):
                found.update(s.scalars(select(DocumentRow.language)
                                       .where(DocumentRow.id.in_(self._ids[i : i + CHUNK])).distinct()))
            return sorted(found)

    def claim(self, limit: int) -> Claim | None:
        batch = self._ids[self._next : self._next + limit]
        self._next += len(batch)
        return _FixedClaim(self, batch) if batch else None


class _FixedClaim(Claim):
    def __init__(self, queue: WorkQueue, ids: Sequence[int]) -> None:
        super().__init__(queue, [], None)
        self.document_ids = list(ids)

    def documents(self) -> list[QueuedDocument]:
        with reading(self.queue.engine) as s:
            rows = {}
            for i in range(0, len(self.document_ids), CHUNK):
                for r in s.execute(select(DocumentRow.id, DocumentRow.text, DocumentRow.language)
                                   .where(DocumentRow.id.in_(self.document_ids[i : i + CHUNK]))):
                    rows[r.id] = QueuedDocument(r.id, r.text, r.language)
        return [rows[d] for d in self.document_ids if d in rows]


def open_queue(engine: Engine, writer: Engine, request: QueueRequest, connections: int = 2) -> WorkQueue:
    """The queue for ``request``, opened (documents queued or the run joined). ``connections``: how
    many claims this process may hold at once (PostgreSQL keeps a connection per open claim)."""
    return WorkQueue(engine, writer, request, connections).open()


def queued(engine: Engine) -> dict[str, int]:
    """``{run kind: documents waiting}``."""
    with reading(engine) as s:
        return {kind: n for kind, n in s.execute(select(QueueRow.kind, func.count()).group_by(QueueRow.kind))}


__all__ = ["NEW", "RERUN", "Claim", "FixedBatches", "QueueRequest", "QueueRow", "QueuedDocument", "WorkQueue",
           "Written", "open_queue", "queued"]

"""The pre-annotation queue's table and statements (``annotator.store.claims`` is the queue itself):
which documents a run queues, how a batch is claimed, and how a batch's suggestions are written, with
a refused document written around rather than failing the batch."""

from __future__ import annotations

import os
import socket
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Engine,
    ForeignKey,
    Select,
    String,
    create_engine,
    delete,
    exists,
    insert,
    literal,
    select,
    tuple_,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, Session, mapped_column

from annotator.core.span import SpanData
from annotator.store import bulk
from annotator.store.queries import UNFINISHED
from annotator.store.schema import Base, DocumentRow, utcnow
from annotator.store.session import CHUNK

NEW = "new"
RERUN = "rerun:"
UNFINISHED_VALUES = [status.value for status in UNFINISHED]
OPEN_LOCK = 0x616E6E6F  # pg_advisory_xact_lock key serialising the opening of runs ("anno")
WAIT_MS = 1000  # how long a worker with nothing to claim waits on another's batch before looking again


class QueueRow(Base):
    """A document waiting for suggestions in one run."""

    __tablename__ = "preannotate_queue"

    kind: Mapped[str] = mapped_column(String(80), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True,
                                             index=True)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


@dataclass(frozen=True)
class QueueRequest:
    """What a pre-annotating process works on.

    ``rerun``: every unfinished document (else those without suggestions); ``models`` names the
    pipelines a re-run suggests with (a re-run with other models supersedes the part of an older
    re-run nobody has claimed); ``join_only``: queue nothing, help with every run already queued.
    """

    rerun: bool = False
    language: str | None = None
    models: str = ""
    join_only: bool = False

    @property
    def kind(self) -> str:
        return f"{RERUN}{self.models}"[:80] if self.rerun else NEW


@dataclass
class Written:
    """What completing a claim wrote: spans stored, and documents whose rows the database refused."""

    spans: int = 0
    documents: set[int] = field(default_factory=set)  # given their suggestions
    failed: dict[int, str] = field(default_factory=dict)


_S = TypeVar("_S", bound=Select)


def scoped(query: _S, kinds: Collection[str] | None, language: str | None) -> _S:
    if kinds is not None:
        query = query.where(QueueRow.kind.in_(list(kinds)))
    if language is not None:
        query = query.where(QueueRow.document_id.in_(select(DocumentRow.id).where(DocumentRow.language == language)))
    return query


def claimable(s: Session, kinds: Collection[str] | None, language: str | None, limit: int,
               wait: bool) -> list[tuple[str, int]]:
    query = scoped(select(QueueRow.kind, QueueRow.document_id), kinds, language)
    query = query.order_by(QueueRow.document_id).limit(limit).with_for_update(skip_locked=not wait, of=QueueRow)
    return [(kind, doc_id) for kind, doc_id in s.execute(query)]


def unfinished_documents(language: str | None, *where: ColumnElement[bool]) -> Select[Any]:
    query = select(DocumentRow.id).where(DocumentRow.status.in_(UNFINISHED_VALUES), *where)
    return query.where(DocumentRow.language == language) if language is not None else query


def enqueue(s: Session, request: QueueRequest, shared: bool) -> None:
    kind, language, now = request.kind, request.language, utcnow()
    queued_here = exists().where(QueueRow.kind == kind, QueueRow.document_id == DocumentRow.id)
    if request.rerun:
        if s.scalar(select(scoped(select(QueueRow.document_id), [kind], language).exists())):
            return  # a re-run with these models is under way (or was interrupted): join it
        # Another re-run's unclaimed rows are superseded: this one re-suggests all of them anyway.
        older = scoped(select(QueueRow.kind, QueueRow.document_id)
                        .where(QueueRow.kind.startswith(RERUN), QueueRow.kind != kind), None, language)
        if shared:
            older = older.with_for_update(skip_locked=True)
        s.execute(delete(QueueRow).where(tuple_(QueueRow.kind, QueueRow.document_id).in_(older)))
        candidates = unfinished_documents(language)
    else:
        candidates = unfinished_documents(language, DocumentRow.suggested_by.is_(None), ~queued_here)
    rows = candidates.with_only_columns(literal(kind), DocumentRow.id, literal(now, DateTime(timezone=True)))
    s.execute(insert(QueueRow).from_select(["kind", "document_id", "queued_at"], rows))


def write_suggestions(s: Session, suggestions: Mapping[int, tuple[str, Sequence[SpanData]]],
                      check_status: bool) -> Written:
    written = Written()
    ids = list(suggestions)
    if check_status:
        still: set[int] = set()
        for i in range(0, len(ids), CHUNK):
            still.update(s.scalars(select(DocumentRow.id).where(DocumentRow.id.in_(ids[i : i + CHUNK]),
                                                                DocumentRow.status.in_(UNFINISHED_VALUES))))
        ids = [d for d in ids if d in still]
    by_author: dict[str, dict[int, Sequence[SpanData]]] = {}
    for doc_id in ids:
        author, spans = suggestions[doc_id]
        by_author.setdefault(author, {})[doc_id] = spans
    try:
        with s.begin_nested():
            written.spans = sum(bulk.replace_suggestions(s, batch, author) for author, batch in by_author.items())
        written.documents = set(ids)
        return written
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise
    # Something in the batch was refused (a label longer than the column, a label another worker was
    # adding at the same moment, ...): write the documents one at a time, keeping every one that goes in.
    for doc_id in ids:
        author, spans = suggestions[doc_id]
        try:
            with s.begin_nested():
                written.spans += bulk.replace_suggestions(s, {doc_id: spans}, author)
            written.documents.add(doc_id)
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise
            written.failed[doc_id] = _first_line(exc.orig)
    return written


def versions(s: Session, document_ids: Collection[int]) -> dict[int, int]:
    """``{document id: version}`` as this transaction sees them."""
    ids = sorted(document_ids)
    out: dict[int, int] = {}
    for i in range(0, len(ids), CHUNK):
        rows = s.execute(select(DocumentRow.id, DocumentRow.version).where(DocumentRow.id.in_(ids[i : i + CHUNK])))
        out.update((row.id, row.version) for row in rows)
    return out


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return f"the database refused its suggestions: {text.splitlines()[0] if text else type(exc).__name__}"


def claims_engine(engine: Engine, connections: int) -> Engine:
    """A pool of its own for claims (each open claim holds a connection), named so an administrator can
    see the workers in ``pg_stat_activity``, with server-side keepalives so a vanished machine's claims
    are rolled back within a minute or so."""
    name = f"annotator preannotate {socket.gethostname()} pid {os.getpid()}"[:63]
    return create_engine(
        engine.url, pool_size=connections, max_overflow=connections, pool_pre_ping=True,
        connect_args={"application_name": name,
                      "options": "-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3"},
    )

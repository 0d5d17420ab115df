"""SQLAlchemy typed ORM tables. The Alembic migrations in ``migrations/versions`` create these;
a test checks the two never drift apart."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql import text

from annotator.store.precompiled import fixed

# Named constraints so SQLite batch migrations (table rebuilds) can find and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    source: Mapped[str] = mapped_column(String(1024), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    language: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    status_by: Mapped[str | None] = mapped_column(String(100))
    had_bom: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    # Which model's predictions are the current suggestions (``name@version``), None before any run.
    suggested_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow,
                                                 index=True)
    # Bumped on every edit of the document or its spans: a stale writer gets a conflict, not a lost update.
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    # The import that brought the document in (None: before imports were recorded). The document is
    # visible only once that import is ``done`` (``queries.visible``): an import writes in short
    # batches and publishes them all at once, so editors are never locked out and nobody sees half.
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"), index=True)
    # What an import kept as the file said but an analyst should resolve: ``{reason: spans}`` with the
    # reasons of ``core.imported.ATTENTION_REASONS``; None when nothing needs attention.
    attention: Mapped[dict[str, int] | None] = mapped_column(JSON(none_as_null=True))

    __mapper_args__ = {"version_id_col": version}


# ``annotator stats`` counts visible documents by status and by language from this index alone (the
# import id decides visibility), never from the table's rows, which hold the texts (migration 0008).
Index("ix_documents_status_language_import", DocumentRow.status, DocumentRow.language, DocumentRow.import_id)
# The list sorts by title without case through this (store/listing.py). The search indexes are not
# ORM objects (FTS5 tables on SQLite, GIN indexes on PostgreSQL): migration 0006 makes them.
Index("ix_documents_title_lower", func.lower(DocumentRow.title))
# The list sorts by status in workflow order, work to do first and finished last (new, pre-annotated,
# in progress, flagged, rejected, accepted), through this CASE indexed with the id (migration 0010);
# the query spells the same text (``list_query.status_order``) so the planner uses the index. Laid out
# in lines as PostgreSQL prints the index back, so the test comparing migrations and ORM sees one index.
STATUS_ORDER_SQL = ("CASE documents.status\n    WHEN 'new' THEN 0\n    WHEN 'pre-annotated' THEN 1\n"
                    "    WHEN 'in progress' THEN 2\n    WHEN 'flagged' THEN 3\n    WHEN 'rejected' THEN 4\n"
                    "    WHEN 'accepted' THEN 5\n    ELSE 6\nEND")
Index("ix_documents_status_order", text(f"(\n{STATUS_ORDER_SQL.replace('documents.', '')})"), DocumentRow.id)


class ImportState(StrEnum):
    RUNNING = "running"  # batches being written, invisible; its process holds the liveness lock
    DONE = "done"  # published: its documents are visible
    CANCELLED = "cancelled"  # stopped by the user: its rows are removed
    REFUSED = "refused"  # bad input found part-way: its rows are removed
    FAILED = "failed"  # an error (disk full, lost server) stopped it: its rows are removed
    ABANDONED = "abandoned"  # its process died (the liveness lock was free): its rows are removed


class ImportRow(Base):
    """One run of an import. Its documents stay invisible until it is ``done``; a run that ends any
    other way (or whose process dies) has its documents removed by ``bulk.sweep_imports``."""

    __tablename__ = "imports"
    __table_args__ = {"sqlite_autoincrement": True}  # ids never reused: a stale tag cannot revive

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Names the run's lock file next to an SQLite database (PostgreSQL uses an advisory lock on ``id``).
    token: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    state: Mapped[str] = mapped_column(String(10), nullable=False, index=True)
    author: Mapped[str] = mapped_column(String(200), nullable=False)
    host: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    pid: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    documents: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    spans: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SpanRow(Base):
    __tablename__ = "spans"
    # AUTOINCREMENT: ids are never reused, so undo can re-insert a deleted span under its old id.
    __table_args__ = (
        Index("ix_spans_document_layer", "document_id", "layer"),
        Index("ix_spans_document_author", "document_id", "author", "start"),
        # The documents a person touched (their human spans), for the list sorted by a count (migration
        # 0009). Partial: model spans, most of the table and written in bulk, are not in it.
        Index("ix_spans_author_document_human", "author", "document_id", "rejected",
              sqlite_where=text("layer = 'human'"), postgresql_where=text("layer = 'human'")),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    start: Mapped[int] = mapped_column(Integer, nullable=False)
    end: Mapped[int] = mapped_column(Integer, nullable=False)
    label: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    layer: Mapped[str] = mapped_column(String(10), nullable=False)
    author: Mapped[str] = mapped_column(String(200), nullable=False)
    rejected: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


def layer_is(layer: str, span: Any = None) -> ColumnElement[bool]:
    """``spans.layer = 'human'`` (or ``'model'``) with the value written into the SQL, not bound: SQLite
    plans a statement anew on every run when a bound value is compared with ``layer``, as the partial
    index of human spans might then apply (measured: ~90 µs a run against ~10). ``span``: an alias."""
    assert layer in ("human", "model"), layer
    return (SpanRow if span is None else span).layer == fixed(layer)


class SpanCountRow(Base):
    """How many spans there are per (label, layer, rejected), kept by triggers on ``spans`` (migration
    0008) and read by ``annotator stats`` (``span_counts.py``). Every span is counted, pending imports'
    too. ``shard``: 0 on SQLite; on PostgreSQL the backend process id of the writer, so concurrent
    transactions never update the same row (no waits, no deadlocks); ``span_counts.fold`` folds the
    rows of ended backends into shard 0. A shard's ``n`` may be negative: only the sum means anything."""

    __tablename__ = "span_counts"

    label: Mapped[str] = mapped_column(String(64), primary_key=True)
    layer: Mapped[str] = mapped_column(String(10), primary_key=True)
    rejected: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(BigInteger, nullable=False)


class DocumentCountRow(Base):
    """Per document: how many model spans it holds, kept by triggers on ``documents`` (a row for each
    new document) and ``spans`` (migration 0009), so the list sorts by "Sugg." without counting every
    document's spans (``store/document_counts.py``). Removed with its document (cascade). Human spans
    are not counted: edits never lock this row, so two people editing one document never wait on it."""

    __tablename__ = "document_counts"
    __table_args__ = (Index("ix_document_counts_model", "model", "document_id"),)

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True,
                                             autoincrement=False)
    model: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class SuggestionCountRow(Base):
    """Per document and person who touched it (holds a human span of theirs): how many of its model
    spans they still see, kept by triggers on ``spans`` (migration 0010), so the list sorts by their
    "Sugg." either way through ``ix_suggestion_counts_author_visible`` (``store/count_order.py``). An
    untouched document has no row (its ``DocumentCountRow.model`` is their count). Removed with its
    document (cascade). An edit writes only its author's row."""

    __tablename__ = "suggestion_counts"
    __table_args__ = (Index("ix_suggestion_counts_author_visible", "author", "visible", "document_id"),)

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True,
                                             autoincrement=False)
    author: Mapped[str] = mapped_column(String(200), primary_key=True)
    visible: Mapped[int] = mapped_column(Integer, nullable=False)


class LabelRow(Base):
    __tablename__ = "labels"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    colour: Mapped[str] = mapped_column(String(7), nullable=False)
    key: Mapped[str | None] = mapped_column(String(1))
    description: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class TrainedModelRow(Base):
    """A model trained by annotator: where it is, what it came from, on what, how it scored."""

    __tablename__ = "trained_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    version: Mapped[str] = mapped_column(String(50), nullable=False)
    path: Mapped[str] = mapped_column(String(1024), nullable=False)
    language: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    base: Mapped[str | None] = mapped_column(String(200))
    data_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    labels: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class SettingRow(Base):
    """Project-wide choices shared by every client of the database (e.g. the suggestion model per
    language), as opposed to per-user window state kept in QSettings."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=False)

"""The rows of one import batch: documents (new ones, and this import's layers merged into documents
it already wrote) and their spans, written with Core statements in the caller's transaction; and the
layers an import brings to documents stored before it, applied when it publishes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from annotator.core.colours import new_label_colours
from annotator.core.document import DocumentStatus, title_for
from annotator.core.imported import ImportItem, add_counts
from annotator.core.span import Layer
from annotator.store.import_sweep import STOPPED
from annotator.store.schema import DocumentRow, ImportRow, ImportState, LabelRow, SpanRow, utcnow
from annotator.store.session import CHUNK

_DOCUMENT_COLUMNS = ("text", "source", "title", "language", "content_hash", "status", "status_by", "had_bom", "meta",
                     "suggested_by", "attention", "created_at", "updated_at", "version", "import_id")


def _insert_documents(s: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert document rows, skipping any whose content hash exists by now; ``{hash: new id}``.
    SQLite and PostgreSQL: one executemany on the driver (``ON CONFLICT DO NOTHING``, values
    converted here, not by SQLAlchemy per row), then one read of the new ids by hash."""
    conn = s.connection()
    dialect = conn.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        out: dict[str, int] = {}
        for row in rows:  # other backends: one statement each (no portable "on conflict" with executemany)
            out[row["content_hash"]] = int(conn.execute(insert(DocumentRow).returning(DocumentRow.id),
                                                        row).scalar_one())
        return out
    make = sqlite.insert if dialect == "sqlite" else postgresql.insert
    stmt = make(DocumentRow).on_conflict_do_nothing(index_elements=["content_hash"])
    compiled = stmt.compile(dialect=conn.dialect, column_keys=list(_DOCUMENT_COLUMNS))
    columns = DocumentRow.__table__.c
    process = {name: fn for name in _DOCUMENT_COLUMNS
               if (fn := columns[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)) is not None}
    once = {name: process.pop(name)(rows[0][name]) for name in ("created_at", "updated_at")  # the same `now`
            if name in process and all(r[name] is rows[0][name] for r in rows)}
    converted = [{**row, **once, **{name: fn(row[name]) for name, fn in process.items()}} for row in rows]
    names = compiled.positiontup
    conn.exec_driver_sql(str(compiled), [tuple(r[n] for n in names) for r in converted] if names is not None
                         else converted)
    hashes = [row["content_hash"] for row in rows]
    found: dict[str, int] = {}
    for i in range(0, len(hashes), CHUNK):
        # By the unique hash alone (an import_id condition would let SQLite scan this import's rows)
        found.update((digest, doc_id) for doc_id, digest, import_id in s.execute(
            select(DocumentRow.id, DocumentRow.content_hash, DocumentRow.import_id).where(
                DocumentRow.content_hash.in_(hashes[i:i + CHUNK]))) if import_id == rows[0]["import_id"])
    return found


_SPAN_COLUMNS = ("document_id", "start", "end", "label", "layer", "author", "rejected", "created_at")


def _processed(conn: Connection, **values: Any) -> tuple[Any, ...]:
    """``values`` (the span columns after ``label``) as the driver takes them, converted once."""
    out = []
    for name, value in values.items():
        process = SpanRow.__table__.c[name].type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        out.append(process(value) if process is not None else value)
    return tuple(out)


_PG_INSERT_SPANS = ('INSERT INTO spans (document_id, start, "end", label, layer, author, rejected, created_at) '
                    "SELECT * FROM unnest(%s::integer[], %s::integer[], %s::integer[], %s::varchar[], %s::varchar[], "
                    "%s::varchar[], %s::boolean[], %s::timestamptz[])")


def _insert_spans(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Span rows (``_SPAN_COLUMNS`` order, values as the driver takes them) in one executemany on the
    driver: an import writes tens of thousands per batch, and SQLAlchemy's per-row parameter
    processing would cost more than the insert itself -- inside the write transaction."""
    if conn.dialect.name == "postgresql":
        # One statement for the whole batch, not one per row: the span counts trigger (migration
        # 0008) then runs once per batch, and the server parses and plans the insert once.
        conn.exec_driver_sql(_PG_INSERT_SPANS, tuple(list(column) for column in zip(*rows, strict=True)))
        return
    # inline(): no RETURNING of the new ids (PostgreSQL would add one); bind names are the columns'
    compiled = insert(SpanRow).inline().compile(dialect=conn.dialect, column_keys=list(_SPAN_COLUMNS))
    params: list[Any]
    if compiled.positiontup is not None:  # positional paramstyle (SQLite's "?")
        order = [_SPAN_COLUMNS.index(name) for name in compiled.positiontup]
        params = rows if order == list(range(len(_SPAN_COLUMNS))) else [tuple(r[i] for i in order) for r in rows]
    else:
        params = [dict(zip(_SPAN_COLUMNS, row, strict=True)) for row in rows]
    conn.exec_driver_sql(str(compiled), params)


def insert_spans(conn: Connection, rows: Sequence[tuple[int, int, int, str, str, str, bool]], now: Any) -> None:
    """``(document id, start, end, label, layer, author, rejected)`` rows, written the way an import
    writes its spans (one statement on PostgreSQL)."""
    fixed: dict[tuple[str, str, bool], tuple[Any, ...]] = {}
    out = []
    for doc_id, start, end, label, layer, author, rejected in rows:
        key = (layer, author, rejected)
        if key not in fixed:
            fixed[key] = _processed(conn, layer=layer, author=author, rejected=rejected, created_at=now)
        out.append((doc_id, start, end, label, *fixed[key]))
    if out:
        _insert_spans(conn, out)


def insert_model_spans(conn: Connection, rows: Sequence[tuple[int, int, int, str]], author: str, now: Any) -> None:
    """``(document id, start, end, label)`` rows as ``author``'s model suggestions, the way an import
    writes spans (one statement on PostgreSQL, so the span counts trigger runs once)."""
    fixed = _processed(conn, layer=Layer.MODEL.value, author=author, rejected=False, created_at=now)
    _insert_spans(conn, [(*row, *fixed) for row in rows])


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
class Batch:
    """What one batch wrote, merged into the import's report once its transaction committed."""

    added: list[int] = field(default_factory=list)
    duplicates: list[tuple[str, int | None]] = field(default_factory=list)
    merged: int = 0  # items folded into a document of this import (the same text met again)
    # Documents stored before this import with the layers it brings them (applied at publish).
    existing: dict[int, list[ImportItem]] = field(default_factory=dict)
    spans: int = 0
    rejections: int = 0
    labels: set[str] = field(default_factory=set)


_RANK = {st: i for i, st in enumerate((DocumentStatus.NEW, DocumentStatus.PREANNOTATED, DocumentStatus.IN_PROGRESS,
                                       DocumentStatus.FLAGGED, DocumentStatus.REJECTED, DocumentStatus.ACCEPTED))}


def later(a: DocumentStatus, b: DocumentStatus) -> DocumentStatus:
    """The further along of two statuses an import gives the same text (merged items)."""
    return a if _RANK[a] >= _RANK[b] else b


def merge_items(first: ImportItem, more: ImportItem) -> None:
    """``more`` (same text) folded into ``first``: its layers added, attention summed, the further status."""
    first.annotations.extend(more.annotations)
    add_counts(first.attention, more.attention)
    first.document.status = later(first.document.status, more.document.status)
    for key, value in more.document.meta.items():
        first.document.meta.setdefault(key, value)


def insert_batch(s: Session, import_id: int, items: Sequence[ImportItem]) -> Batch:
    """One batch of an import, in the caller's transaction. Ids follow the order of ``items`` (the
    document list shows import order). The same text twice (in this batch or an earlier one of this
    import) is one document holding both items' layers; a text stored before this import gains the
    item's layers at publish (``import_layers.apply``), or is a duplicate when the item has none."""
    out = Batch()
    by_hash: dict[str, ImportItem] = {}
    for item in items:
        digest = item.document.content_hash
        if digest in by_hash:
            merge_items(by_hash[digest], item)
            out.merged += 1
        else:
            by_hash[digest] = item
    stored = _stored(s, list(by_hash))
    leftovers = [doc_id for doc_id, imp, state in stored.values() if imp is not None and state in STOPPED]
    if leftovers:  # a stopped import's rows not swept yet: they make way for this import's documents
        s.execute(delete(SpanRow).where(SpanRow.document_id.in_(leftovers)))
        s.execute(delete(DocumentRow).where(DocumentRow.id.in_(leftovers)))
    now = utcnow()
    rows: list[dict[str, Any]] = []
    ours: dict[int, ImportItem] = {}
    for digest, item in by_hash.items():
        doc = item.document
        hit = stored.get(digest)
        if hit is not None and not (hit[1] is not None and hit[2] in STOPPED):
            if hit[1] == import_id:
                ours[hit[0]] = item
            elif item.has_layers and hit[2] in (None, ImportState.DONE.value):
                out.existing.setdefault(hit[0], []).append(item)
            else:
                out.duplicates.append((doc.source, hit[0]))
            continue
        human = next((a.author for a in item.annotations if a.layer is Layer.HUMAN and a), None)
        model = next((a.author for a in item.annotations if a.layer is Layer.MODEL and a), None)
        rows.append(dict(
            text=doc.text, source=doc.source, title=title_for(doc.text, doc.meta)[:200], language=doc.language,
            content_hash=digest, status=doc.status.value, status_by=human or model,
            had_bom=doc.had_bom, meta=doc.meta, suggested_by=model, attention=item.attention or None,
            created_at=now, updated_at=now, version=1, import_id=import_id,
        ))
    ids = _insert_documents(s, rows) if rows else {}
    lost = [r["content_hash"] for r in rows if r["content_hash"] not in ids]
    if lost:  # another import committed the same text between our check and our insert
        again = _stored(s, lost)
        for digest in lost:
            out.duplicates.append((by_hash[digest].document.source, again[digest][0] if digest in again else None))
    targets: list[tuple[int, ImportItem, set[tuple[Any, ...]]]] = []
    for row in rows:
        doc_id = ids.get(row["content_hash"])
        if doc_id is not None:
            out.added.append(doc_id)
            targets.append((doc_id, by_hash[row["content_hash"]], set()))
    if ours:
        out.merged += len(ours)
        targets.extend(_merge_into_ours(s, ours))
    _write_spans(s.connection(), targets, now, out)
    return out


def _merge_into_ours(s: Session, ours: dict[int, ImportItem]) -> list[tuple[int, ImportItem, set[tuple[Any, ...]]]]:
    """Documents this import wrote in an earlier batch, met again: their status and attention are
    updated, and the spans they already hold are returned so the same span is not written twice."""
    held: dict[int, set[tuple[Any, ...]]] = {doc_id: set() for doc_id in ours}
    rows = s.execute(select(SpanRow.document_id, SpanRow.start, SpanRow.end, SpanRow.label, SpanRow.layer,
                            SpanRow.author, SpanRow.rejected).where(SpanRow.document_id.in_(list(ours))))
    for doc_id, *key in rows:
        held[doc_id].add(tuple(key))
    for row in s.execute(select(DocumentRow.id, DocumentRow.status, DocumentRow.attention)
                         .where(DocumentRow.id.in_(list(ours)))):
        item = ours[row.id]
        status = later(DocumentStatus(row.status), item.document.status)
        attention = add_counts(dict(row.attention or {}), item.attention) or None
        s.execute(update(DocumentRow).where(DocumentRow.id == row.id)
                  .values(status=status.value, attention=attention, version=DocumentRow.version + 1))
    return [(doc_id, item, held[doc_id]) for doc_id, item in ours.items()]


def _write_spans(conn: Connection, targets: Sequence[tuple[int, ImportItem, set[tuple[Any, ...]]]],
                 now: Any, out: Batch) -> None:
    """Every annotation of every target as span rows; a span met twice on a document is written once."""
    fixed: dict[tuple[str, str, bool], tuple[Any, ...]] = {}
    span_rows: list[tuple[Any, ...]] = []
    for doc_id, item, held in targets:
        for annotation in item.annotations:
            layer, author = annotation.layer.value, str(annotation.author)
            for rejected, spans in ((False, annotation.spans), (True, annotation.rejected)):
                key = (layer, author, rejected)
                if key not in fixed:
                    fixed[key] = _processed(conn, layer=layer, author=author, rejected=rejected, created_at=now)
                for span in spans:
                    seen = (span.start, span.end, span.label, layer, author, rejected)
                    if seen in held:
                        continue
                    held.add(seen)
                    out.labels.add(span.label)
                    if rejected:
                        out.rejections += 1
                    span_rows.append((doc_id, span.start, span.end, span.label, *fixed[key]))
    if span_rows:
        _insert_spans(conn, span_rows)
    out.spans += len(span_rows) - out.rejections


def ensure_labels(s: Session, names: set[str]) -> list[str]:
    """Labels met in imports or predictions join the scheme (with a colour, no key); returns the new ones."""
    scheme = {name: colour for name, colour in s.execute(select(LabelRow.name, LabelRow.colour))}
    missing = sorted(names - set(scheme))
    position = (s.scalar(select(func.max(LabelRow.position))) or 0) + 1
    for i, (name, colour) in enumerate(zip(missing, new_label_colours(scheme.values(), len(missing)), strict=True)):
        s.add(LabelRow(name=name, colour=colour, key=None, description="", position=position + i))
    return missing

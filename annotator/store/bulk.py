"""Bulk writes: imports and model predictions, many rows in one transaction (the caller's session)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from annotator.core.document import DocumentStatus, NewDocument, title_of
from annotator.core.span import Layer, SpanData
from annotator.store.records import ImportReport
from annotator.store.schema import DocumentRow, LabelRow, SpanRow, utcnow
from annotator.store.session import CHUNK

# Colours handed to labels that arrive from an import or a model without one.
_EXTRA_COLOURS = ("#a0c4ff", "#ffc6ff", "#caffbf", "#fdffb6", "#ffadad", "#9bf6ff", "#bdb2ff", "#ffd6a5")


def import_documents(s: Session, items: Sequence[tuple[NewDocument, Sequence[SpanData]]], layer: Layer,
                     author: str) -> ImportReport:
    report = ImportReport()
    hashes = [doc.content_hash for doc, _ in items]
    existing: dict[str, int] = {}
    for i in range(0, len(hashes), CHUNK):
        rows = s.execute(
            select(DocumentRow.content_hash, DocumentRow.id).where(DocumentRow.content_hash.in_(hashes[i : i + CHUNK]))
        )
        existing.update((digest, doc_id) for digest, doc_id in rows)
    seen: set[str] = set()
    span_rows: list[dict[str, Any]] = []
    labels: set[str] = set()
    now = utcnow()
    for (doc, spans), digest in zip(items, hashes, strict=True):
        if digest in existing or digest in seen:
            report.duplicates.append((doc.source, existing.get(digest)))
            continue
        seen.add(digest)
        row = DocumentRow(
            text=doc.text, source=doc.source, title=title_of(doc.text)[:200], language=doc.language,
            content_hash=digest, status=doc.status.value, status_by=author if spans else None,
            had_bom=doc.had_bom, meta=doc.meta, created_at=now, updated_at=now,
            suggested_by=author if spans and layer is Layer.MODEL else None,
        )
        s.add(row)
        s.flush()
        report.added.append(row.id)
        for span in spans:
            labels.add(span.label)
            span_rows.append(dict(document_id=row.id, start=span.start, end=span.end, label=span.label,
                                  layer=layer.value, author=author, rejected=False, created_at=now))
    if span_rows:
        s.execute(insert(SpanRow), span_rows)
    report.spans = len(span_rows)
    report.new_labels = ensure_labels(s, labels)
    return report


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

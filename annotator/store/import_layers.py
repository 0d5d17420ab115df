"""Layers an import brings to documents that were stored before it (several annotators, one corpus).

They are applied in the import's publish transaction, so they appear together with its new documents
or not at all. Each (document, layer, author) an import names is replaced by what the import holds
for it: importing alice's file again updates alice's layer, and never touches bob's or the model's.

Written ``CHUNK`` documents at a time: one read of their rows, one DELETE per (layer, author), the
spans in one insert (one statement on PostgreSQL), and one UPDATE per distinct new document state —
statements built per document made a 10,000-document layer import take two minutes on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.orm import Session

from annotator.core.document import DocumentStatus
from annotator.core.imported import ImportItem
from annotator.core.span import Layer, SpanData
from annotator.store.import_rows import insert_spans
from annotator.store.schema import DocumentRow, SpanRow, utcnow
from annotator.store.session import CHUNK

Layers = dict[tuple[Layer, str], tuple[set[SpanData], set[SpanData]]]


def apply(s: Session, pending: Mapping[int, Sequence[ImportItem]], status: DocumentStatus | None) -> set[str]:
    """Replace each named layer of each document; returns the labels written. ``status``: the import's
    ``--status`` (else a new or pre-annotated document moves to in progress when a person's layer
    arrives, to pre-annotated when a model's does)."""
    conn = s.connection()
    labels: set[str] = set()
    ids = list(pending)
    for first in range(0, len(ids), CHUNK):
        labels |= _apply_chunk(conn, {doc_id: pending[doc_id] for doc_id in ids[first:first + CHUNK]}, status)
    return labels


def _gather(items: Sequence[ImportItem]) -> tuple[Layers, dict[str, int]]:
    layers: Layers = {}
    attention: dict[str, int] = {}
    for item in items:
        for annotation in item.annotations:
            spans, rejected = layers.setdefault((annotation.layer, str(annotation.author)), (set(), set()))
            spans.update(annotation.spans)
            rejected.update(annotation.rejected)
        for reason, n in item.attention.items():
            attention[reason] = max(attention.get(reason, 0), n)
    return layers, attention


def _apply_chunk(conn: Connection, pending: Mapping[int, Sequence[ImportItem]],
                 status: DocumentStatus | None) -> set[str]:
    now = utcnow()
    current = {r.id: r for r in conn.execute(select(DocumentRow.id, DocumentRow.status, DocumentRow.attention)
                                             .where(DocumentRow.id.in_(list(pending))))}
    labels: set[str] = set()
    replaced: dict[tuple[str, str], list[int]] = {}
    rows: list[tuple[int, int, int, str, str, str, bool]] = []
    same_values: dict[tuple[Any, ...], list[int]] = {}  # document values -> the documents getting them
    for doc_id, items in pending.items():
        layers, attention = _gather(items)
        for (layer, author), (spans, rejected) in layers.items():
            replaced.setdefault((layer.value, author), []).append(doc_id)
            for flag, group in ((False, spans), (True, rejected)):
                rows.extend((doc_id, sp.start, sp.end, sp.label, layer.value, author, flag)
                            for sp in sorted(group, key=lambda x: (x.start, x.end, x.label)))
                labels.update(sp.label for sp in group)
        values = _document_values(current[doc_id], layers, attention, status)
        if "attention" in values:  # merged per document: its own UPDATE
            conn.execute(update(DocumentRow).where(DocumentRow.id == doc_id)
                         .values(updated_at=now, version=DocumentRow.version + 1, **values))
        else:
            same_values.setdefault(tuple(sorted(values.items())), []).append(doc_id)
    for (layer_value, author), docs in replaced.items():
        conn.execute(delete(SpanRow).where(SpanRow.layer == layer_value, SpanRow.author == author,
                                           SpanRow.document_id.in_(docs)))
    insert_spans(conn, rows, now)
    for key, docs in same_values.items():
        conn.execute(update(DocumentRow).where(DocumentRow.id.in_(docs))
                     .values(updated_at=now, version=DocumentRow.version + 1, **dict(key)))
    return labels


def _document_values(row: Any, layers: Layers, attention: dict[str, int],
                     status: DocumentStatus | None) -> dict[str, Any]:
    human = next((author for layer, author in layers if layer is Layer.HUMAN), None)
    model = next((author for layer, author in layers if layer is Layer.MODEL), None)
    values: dict[str, Any] = {}
    current = DocumentStatus(row.status)
    if status is None and current in (DocumentStatus.NEW, DocumentStatus.PREANNOTATED):
        status = DocumentStatus.IN_PROGRESS if human else DocumentStatus.PREANNOTATED if model else None
    if status is not None and status is not current:
        values.update(status=status.value, status_by=human or model)
    if model is not None:
        values["suggested_by"] = model
    if attention:
        merged = dict(row.attention or {})
        for reason, n in attention.items():
            merged[reason] = max(merged.get(reason, 0), n)
        values["attention"] = merged
    return values

"""Layers an import brings to documents that were stored before it (several annotators, one corpus).

They are applied in the import's publish transaction, so they appear together with its new documents
or not at all. Each (document, layer, author) an import names is replaced by what the import holds
for it: importing alice's file again updates alice's layer, and never touches bob's or the model's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from annotator.core.document import DocumentStatus
from annotator.core.imported import ImportItem
from annotator.core.span import Layer, SpanData
from annotator.store.schema import DocumentRow, SpanRow, utcnow


def apply(s: Session, pending: Mapping[int, Sequence[ImportItem]], status: DocumentStatus | None) -> set[str]:
    """Replace each named layer of each document; returns the labels written. ``status``: the import's
    ``--status`` (else a new or pre-annotated document moves to in progress when a person's layer
    arrives, to pre-annotated when a model's does)."""
    labels: set[str] = set()
    now = utcnow()
    for doc_id, items in pending.items():
        layers: dict[tuple[Layer, str], tuple[set[SpanData], set[SpanData]]] = {}
        attention: dict[str, int] = {}
        for item in items:
            for annotation in item.annotations:
                spans, rejected = layers.setdefault((annotation.layer, str(annotation.author)), (set(), set()))
                spans.update(annotation.spans)
                rejected.update(annotation.rejected)
            for reason, n in item.attention.items():
                attention[reason] = max(attention.get(reason, 0), n)
        rows: list[dict[str, Any]] = []
        for (layer, author), (spans, rejected) in layers.items():
            s.execute(delete(SpanRow).where(SpanRow.document_id == doc_id, SpanRow.layer == layer.value,
                                            SpanRow.author == author))
            for flag, group in ((False, spans), (True, rejected)):
                rows.extend(dict(document_id=doc_id, start=sp.start, end=sp.end, label=sp.label, layer=layer.value,
                                 author=author, rejected=flag, created_at=now)
                            for sp in sorted(group, key=lambda x: (x.start, x.end, x.label)))
                labels.update(sp.label for sp in group)
        if rows:
            s.execute(insert(SpanRow), rows)
        _update_document(s, doc_id, layers, attention, status)
    return labels


def _update_document(s: Session, doc_id: int, layers: Mapping[tuple[Layer, str], Any],
                     attention: dict[str, int], status: DocumentStatus | None) -> None:
    row = s.execute(select(DocumentRow.status, DocumentRow.attention).where(DocumentRow.id == doc_id)).one()
    human = next((author for layer, author in layers if layer is Layer.HUMAN), None)
    model = next((author for layer, author in layers if layer is Layer.MODEL), None)
    values: dict[str, Any] = dict(updated_at=utcnow(), version=DocumentRow.version + 1)
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
    s.execute(update(DocumentRow).where(DocumentRow.id == doc_id).values(**values))

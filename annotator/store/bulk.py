"""Bulk writes: model predictions (in the caller's session), and the staged import's entry points
(``staged_import``: the run; ``import_rows``: its rows; ``import_sweep``: liveness and clean-up)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from annotator.core.document import DocumentStatus
from annotator.core.span import Layer, SpanData
from annotator.store.import_rows import ensure_labels, insert_model_spans
from annotator.store.import_sweep import IMPORT_LOCK_SPACE, sweep_imports
from annotator.store.schema import DocumentRow, SpanRow, layer_is, utcnow
from annotator.store.staged_import import ImportInterrupted, StagedImport, import_documents

__all__ = ["IMPORT_LOCK_SPACE", "ImportInterrupted", "StagedImport", "ensure_labels", "import_documents",
           "replace_suggestions", "sweep_imports"]


def replace_suggestions(s: Session, batch: Mapping[int, Sequence[SpanData]], author: str) -> int:
    ids = list(batch)
    now = utcnow()
    rows = [(doc_id, sp.start, sp.end, sp.label) for doc_id, spans in batch.items() for sp in spans]
    s.execute(delete(SpanRow).where(SpanRow.document_id.in_(ids), layer_is(Layer.MODEL.value)))
    if rows:
        insert_model_spans(s.connection(), rows, author, now)
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


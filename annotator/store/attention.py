"""Documents that need attention: what an import stored exactly as a file said although it is not a
clean entity (``documents.attention``: ``{reason: spans}``, reasons from ``core.imported``)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from annotator.core.errors import NotFound
from annotator.store.queries import visible
from annotator.store.schema import DocumentRow


def needing_attention(s: Session) -> dict[int, dict[str, int]]:
    """``{document id: {reason: spans}}`` for every visible document needing attention, in id order."""
    rows = s.execute(select(DocumentRow.id, DocumentRow.attention)
                     .where(DocumentRow.attention.is_not(None), visible()).order_by(DocumentRow.id))
    return {doc_id: dict(reasons) for doc_id, reasons in rows if reasons}


def resolve(s: Session, document_id: int) -> None:
    """The analyst has dealt with what the document needed: it leaves the attention list."""
    found = s.execute(update(DocumentRow).where(DocumentRow.id == document_id)
                      .values(attention=None, version=DocumentRow.version + 1)).rowcount  # type: ignore[attr-defined]
    if not found:
        raise NotFound(f"document {document_id} does not exist")

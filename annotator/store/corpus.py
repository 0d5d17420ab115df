"""Corpus-wide reads for consistency work: documents holding a string, and strings labelled in more
than one way (what "annotate all occurrences" and the consistency view stand on)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.core.span import Layer
from annotator.store.queries import document_filter
from annotator.store.records import LabelVariants
from annotator.store.schema import DocumentRow, SpanRow, layer_is
from annotator.store.search import containing_phrase
from annotator.store.session import CHUNK


def documents_containing(s: Session, needle: str, limit: int | None = None) -> Iterator[tuple[int, str, str, str]]:
    """(id, title, text, language) of documents whose text holds ``needle`` exactly (case kept)."""
    if not needle:
        return
    # The full-text index narrows it to documents holding the needle's words in sequence (any case);
    # the exact check below keeps the real occurrences. Limited after that check, not before.
    ids = list(s.scalars(select(DocumentRow.id).where(containing_phrase(s, needle), *document_filter())
                         .order_by(DocumentRow.id)))
    found = 0
    for i in range(0, len(ids), CHUNK):
        rows = s.execute(select(DocumentRow.id, DocumentRow.title, DocumentRow.text, DocumentRow.language)
                         .where(DocumentRow.id.in_(ids[i:i + CHUNK])).order_by(DocumentRow.id))
        for r in rows:
            if needle in r.text:  # the index ignores case and accents: keep exact matches only
                yield r.id, r.title, r.text, r.language
                found += 1
                if limit is not None and found >= limit:
                    return


def label_variants(s: Session, user: str, min_documents: int = 1) -> list[LabelVariants]:
    """Surface strings ``user`` confirmed, or a model suggested, under more than one label, with the
    documents behind each label; most disagreeing documents first."""
    surface = func.substr(DocumentRow.text, SpanRow.start + 1, SpanRow.end - SpanRow.start)
    mine = layer_is(Layer.HUMAN.value) & (SpanRow.author == user)
    query = (select(surface.label("surface"), SpanRow.label, SpanRow.layer, SpanRow.document_id)
             .join(DocumentRow, DocumentRow.id == SpanRow.document_id)
             .where(SpanRow.rejected.is_(False), mine | layer_is(Layer.MODEL.value))
             .distinct())
    by_text: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for text, label, _layer, doc_id in s.execute(query):
        by_text[text][label].add(doc_id)
    out = []
    for text, labels in by_text.items():
        if len(labels) < 2:
            continue
        documents = set().union(*labels.values())
        if len(documents) < min_documents:
            continue
        majority = max(sorted(labels), key=lambda lb: len(labels[lb]))
        # A document disagrees when the string carries any other label there (even beside the majority one).
        others = set().union(*(d for lb, d in labels.items() if lb != majority))
        out.append(LabelVariants(text, {lb: tuple(sorted(d)) for lb, d in sorted(labels.items())}, len(others)))
    out.sort(key=lambda v: (-v.disagreeing, -sum(len(d) for d in v.labels.values()), v.text))
    return out

"""Per-document model span counts kept by the database, for the list sorted by "Entities" or "Sugg.".

``document_counts`` holds, for every document, how many model spans it has, kept by triggers on
``documents`` and ``spans`` (migration 0009): every write path -- imports (the raw multi-row inserts
on PostgreSQL too), pre-annotation, deleting documents (the cascade), removing a stopped import's
rows -- goes through them. That is a person's "Sugg." on every document they never touched, and their
"Entities" there is 0; the documents they touched (hold a human span of theirs) are few and found by
``touched`` through a partial index of human spans by author, and ``store/listing.py`` ranks those by
their exact counts.

``suggestion_counts`` (migration 0010) holds, for each document and person who touched it, how many
of its model spans they still see, kept by triggers on ``spans``: with ``document_counts`` it is every
person's "Sugg." on every document, and ``store/count_order.py`` walks both for the list sorted by it.

``recount`` and ``drift`` (``suggestion_drift`` for the per-person counts) check the maintained counts
against the spans (they read every span).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, exists, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased

from annotator.store.list_query import hidden_from
from annotator.store.schema import DocumentCountRow, DocumentRow, SpanRow, SuggestionCountRow, layer_is

# Spelled as a literal, not a bound value: the planner uses a partial index only when the query's WHERE
# holds the index's own condition.
_HUMAN_LAYER = layer_is("human")


def touched(user: str | None) -> Select[int]:
    """Ids of the documents holding a human span of ``user``'s (anyone's without a user; dismissals
    too), from the partial index ``ix_spans_author_document_human`` alone."""
    query = select(SpanRow.document_id).where(_HUMAN_LAYER)
    if user is not None:
        query = query.where(SpanRow.author == user)
    return query.distinct()


def entities(user: str | None) -> Select[Any, int]:
    """(entities, document id) of each document holding a human span of ``user``'s (anyone's without a
    user), their entities (not dismissals) counted in one pass over ``ix_spans_author_document_human``
    alone (with a user; it holds the columns needed)."""
    query = (select(func.sum(case((SpanRow.rejected.is_(False), 1), else_=0)), SpanRow.document_id)
             .where(_HUMAN_LAYER).group_by(SpanRow.document_id))
    return query if user is None else query.where(SpanRow.author == user)


def maintained(s: Session) -> dict[int, int]:
    """Every counts row: ``{document id: model spans}``."""
    return {doc: int(n) for doc, n in s.execute(select(DocumentCountRow.document_id, DocumentCountRow.model))}


def recount(s: Session) -> dict[int, int]:
    """The same as ``maintained``, counted from the spans of every document (reads every model span)."""
    stored = (select(SpanRow.document_id, func.count().label("n")).where(SpanRow.layer == "model")
              .group_by(SpanRow.document_id).subquery())
    query = (select(DocumentRow.id, func.coalesce(stored.c.n, 0))
             .outerjoin(stored, stored.c.document_id == DocumentRow.id))
    return {doc: int(n) for doc, n in s.execute(query)}


def drift(s: Session) -> dict[int, tuple[int, int]]:
    """Documents whose counts row is wrong: ``{id: (model, rows)}``, maintained minus stored (``rows``:
    counts rows minus documents, so 1 is a row without its document and -1 a document without a row);
    empty when every count is right. One statement (one snapshot); reads every model span."""
    counted = select(DocumentCountRow.document_id.label("document_id"), DocumentCountRow.model.label("n"),
                     literal(1).label("rows"))
    documents = select(DocumentRow.id, literal(0), literal(-1))
    spans = select(SpanRow.document_id, literal(-1), literal(0)).where(SpanRow.layer == "model")
    both = union_all(counted, documents, spans).subquery()
    model, rows = func.sum(both.c.n), func.sum(both.c.rows)
    query = select(both.c.document_id, model, rows).group_by(both.c.document_id).having((model != 0) | (rows != 0))
    return {doc: (int(n), int(r)) for doc, n, r in s.execute(query)}


def suggestions_kept(s: Session) -> dict[tuple[int, str], int]:
    """Every row of ``suggestion_counts``: ``{(document id, person): suggestions they still see}``."""
    rows = select(SuggestionCountRow.document_id, SuggestionCountRow.author, SuggestionCountRow.visible)
    return {(doc, author): int(n) for doc, author, n in s.execute(rows)}


def suggestion_drift(s: Session) -> dict[tuple[int, str], tuple[int | None, int | None]]:
    """Rows of ``suggestion_counts`` that are wrong: ``{(document id, person): (kept, counted)}``, kept
    None for a person's touched document without a row, counted None for a row of a document they never
    touched that does not count every model span (a row outlives its person's last span there); empty
    when every count is right. One statement (one snapshot); reads every human and model span."""
    human, model = aliased(SpanRow, name="human"), aliased(SpanRow, name="model")
    pairs = select(SpanRow.document_id, SpanRow.author).where(_HUMAN_LAYER).distinct().subquery()
    kept = SuggestionCountRow
    hidden = hidden_from(model, human, kept.author.expression)
    counted = (select(func.count()).select_from(model)
               .where(model.document_id == kept.document_id, layer_is("model", model), ~hidden).scalar_subquery())
    rows = select(kept.document_id, kept.author, kept.visible, counted).where(kept.visible != counted)
    missing = (select(pairs.c.document_id, pairs.c.author)
               .where(~exists().where(kept.document_id == pairs.c.document_id, kept.author == pairs.c.author)))
    out: dict[tuple[int, str], tuple[int | None, int | None]] = {
        (doc, author): (int(n), int(c)) for doc, author, n, c in s.execute(rows)}
    out.update({(doc, author): (None, None) for doc, author in s.execute(missing)})
    return out

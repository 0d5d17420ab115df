"""What the document list asks for (``ListQuery``), and the SQL of its sort keys: the person's counts
per document as correlated subqueries, and the keyset condition that reads past the last row shown.

Counts are the person's: "entities" are their own entities (not dismissals), "suggestions" the model
spans they still see (not confirmed, dismissed or hidden under one of their entities); see
``core.span.split_layers``, which ``hidden_from`` mirrors in SQL. The list shows and sorts by "Sugg."
from the counts the database keeps (``maintained_suggestions``: per document, and per person on the
documents they touched, kept by triggers and checked against the spans by ``document_counts``), and
sorts by status in workflow order (``status_order``: new, pre-annotated, in progress, flagged,
rejected, accepted -- work to do first, finished last), each through an index.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    ScalarSelect,
    String,
    and_,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from annotator.core.document import DocumentStatus
from annotator.core.span import Layer
from annotator.store.schema import (
    STATUS_ORDER_SQL,
    DocumentCountRow,
    DocumentRow,
    SpanRow,
    SuggestionCountRow,
    layer_is,
)

PAGE = 200


class Sort(StrEnum):
    IMPORTED = "imported"
    TITLE = "title"
    LANGUAGE = "language"
    STATUS = "status"
    ENTITIES = "entities"
    SUGGESTIONS = "suggestions"
    EDITED = "edited"


@dataclass(frozen=True)
class ListQuery:
    """What the list shows: whose counts, which documents, in which order."""

    user: str | None = None  # None: counts over every annotator and all model spans
    status: DocumentStatus | None = None
    language: str | None = None
    label: str | None = None  # documents where anyone or any model marked it
    search: str = ""
    in_text: bool = False  # search article text too, not only titles and file names
    attention: bool = False  # only documents an import marked "needs attention"
    sort: Sort = Sort.IMPORTED
    descending: bool = False


_human = aliased(SpanRow, name="human")
_model = aliased(SpanRow, name="model")


def entity_count(user: str | None) -> ScalarSelect[int]:
    """For each document: ``user``'s entities (every annotator's, without a user)."""
    query = select(func.count()).select_from(_human).where(
        _human.document_id == DocumentRow.id, layer_is(Layer.HUMAN.value, _human), _human.rejected.is_(False))
    if user is not None:
        query = query.where(_human.author == user)
    return query.scalar_subquery()


def hidden_from(model: Any, human: Any, author: str | ColumnElement[str]) -> ColumnElement[bool]:
    """Whether the model span ``model`` (an alias of ``SpanRow``) is hidden from ``author``: under one
    of their entities (any overlap) or dismissed by them (the same start, end and label)."""
    return exists().where(
        human.document_id == model.document_id, human.author == author, layer_is(Layer.HUMAN.value, human),
        human.start < model.end, human.end > model.start,
        or_(human.rejected.is_(False), and_(human.start == model.start, human.end == model.end,
                                            human.label == model.label))).correlate_except(human)


def maintained_suggestions(user: str | None) -> ColumnElement[int]:
    """For each document: the model spans ``user`` still sees (all of them, without a user) as the
    database keeps them (migrations 0009, 0010), read by primary key: the person's row of
    ``suggestion_counts`` where they touched the document, else its model spans (``document_counts``)."""
    model = select(DocumentCountRow.model).where(DocumentCountRow.document_id == DocumentRow.id).scalar_subquery()
    if user is None:
        return model
    mine = select(SuggestionCountRow.visible).where(SuggestionCountRow.document_id == DocumentRow.id,
                                                    SuggestionCountRow.author == user).scalar_subquery()
    return func.coalesce(mine, model, type_=Integer)


def status_order() -> ColumnElement[int]:
    """The status as its place in the workflow, spelled as ``ix_documents_status_order`` is."""
    return literal_column(f"({STATUS_ORDER_SQL})", Integer)


def sort_key(query: ListQuery) -> ColumnElement[Any]:
    keys: dict[Sort, ColumnElement[Any]] = {
        Sort.IMPORTED: DocumentRow.id.expression, Sort.TITLE: func.lower(DocumentRow.title, type_=String),
        Sort.LANGUAGE: DocumentRow.language.expression, Sort.STATUS: status_order(),
        Sort.EDITED: DocumentRow.updated_at.expression,
    }
    if query.sort is Sort.ENTITIES:
        return entity_count(query.user)
    if query.sort is Sort.SUGGESTIONS:
        return maintained_suggestions(query.user)
    return keys[query.sort]


def beyond(key: ColumnElement[Any], after: tuple[Any, int], descending: bool,
            ident: ColumnElement[int] | None = None) -> ColumnElement[bool]:
    """Rows past ``after`` in the order (tie-break: ``ident``, the document id). Written as a range on
    the key plus the tie-break (not as a row-value comparison), so SQLite searches the key's index
    instead of scanning it from the top."""
    ident = DocumentRow.id.expression if ident is None else ident
    mark, last = literal(after[0], key.type), literal(after[1], DocumentRow.id.type)
    if descending:
        return and_(key <= mark, or_(key < mark, ident < last))
    return and_(key >= mark, or_(key > mark, ident > last))

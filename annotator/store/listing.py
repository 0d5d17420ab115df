"""The document list as queries: one page at a time, filtered and sorted by the database.

Pages are read with a keyset (the sort key and id of the last row shown), so the thousandth page
costs what the first does, through indexes that match each sort order (id, ``lower(title)``,
language, status in workflow order, ``updated_at``). The two count columns are computed for the rows
of the page only: "Entities" with a correlated subquery over ``ix_spans_document_author``, "Sugg."
read from the counts the database keeps (two primary-key look-ups a row). Sorting *by* a count does
not count every document's spans (``count_order``). The query, its counts and sort
keys are ``list_query``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.orm import Session

from annotator.core.document import DocumentStatus
from annotator.store import search
from annotator.store.count_order import Ranked, ranked_rows, ranked_start, visible_rows
from annotator.store.list_query import (
    PAGE,
    ListQuery,
    Sort,
    beyond,
    entity_count,
    maintained_suggestions,
    sort_key,
)
from annotator.store.queries import document_filter, hidden_documents, visible
from annotator.store.records import DocumentSummary
from annotator.store.schema import DocumentRow, SpanRow

__all__ = ["PAGE", "Cursor", "ListQuery", "Page", "Sort", "entity_count", "filters", "page", "sort_key",
           "maintained_suggestions"]

Cursor = tuple[Any, int] | Ranked  # a keyset (sort key, id of the last row read), or an "Entities" order


@dataclass(frozen=True)
class Page:
    rows: tuple[DocumentSummary, ...]
    after: Cursor | None  # where the next page starts (None: nothing more to read)


def filters(s: Session, query: ListQuery) -> list[ColumnElement[bool]]:
    where = document_filter([query.status] if query.status else None, query.language)
    if query.attention:
        where.append(DocumentRow.attention.is_not(None))
    if query.label:
        where.append(DocumentRow.id.in_(select(SpanRow.document_id).where(
            SpanRow.label == query.label, SpanRow.rejected.is_(False))))
    if query.search.strip():  # words or not: a search for "--" lists nothing rather than everything
        found = search.matching(s, query.search, query.in_text)
        where.append(found if found is not None else false())
    return where


def page(s: Session, query: ListQuery, after: Cursor | None = None, limit: int = PAGE) -> Page:
    """The ``limit`` rows that follow ``after`` (the start: None) in the query's order."""
    if query.sort in (Sort.ENTITIES, Sort.SUGGESTIONS):
        return _ranked_page(s, query, after, limit)
    assert not isinstance(after, Ranked)
    key = sort_key(query)
    where = filters(s, query)
    if after is not None:
        where.append(beyond(key, after, query.descending))
    order = (key.desc(), DocumentRow.id.desc()) if query.descending else (key, DocumentRow.id)
    rows = s.execute(_select(query, key).where(*where).order_by(*order).limit(limit)).all()
    summaries = tuple(_summary(r) for r in rows)
    return Page(summaries, (rows[-1].sort_key, rows[-1].id) if len(rows) == limit else None)


def _ranked_page(s: Session, query: ListQuery, after: Cursor | None, limit: int) -> Page:
    """Sorted by a count: the next ``limit`` rows of its order (``count_order``), read by id."""
    where = filters(s, query)
    rows: list[tuple[int, int]]
    more: Cursor | None
    if query.sort is Sort.SUGGESTIONS:
        assert not isinstance(after, Ranked)
        rows, more = visible_rows(s, query, where, after, limit)
    else:
        at = after if isinstance(after, Ranked) else ranked_start(s, query)
        rows, more = ranked_rows(s, query, where, at, limit)
    ids = [doc_id for _, doc_id in rows]
    by_id = {r.id: r for r in summaries(s, ids, query.user)}
    return Page(tuple(by_id[i] for i in ids if i in by_id), more)


def every_row(s: Session, user: str | None = None) -> list[DocumentSummary]:
    """Every visible document's row, in import order (scripts and tests; the list reads pages)."""
    rows: list[DocumentSummary] = []
    after = None
    while True:
        found = page(s, ListQuery(user=user), after, limit=5000)
        rows.extend(found.rows)
        if found.after is None:
            return rows
        after = found.after


def summaries(s: Session, document_ids: list[int], user: str | None) -> list[DocumentSummary]:
    """The list rows of ``document_ids`` (those still visible), in id order, with ``user``'s counts."""
    query = ListQuery(user=user)
    out: list[DocumentSummary] = []
    for i in range(0, len(document_ids), PAGE):
        chunk = document_ids[i:i + PAGE]
        rows = s.execute(_select(query, DocumentRow.id).where(DocumentRow.id.in_(chunk), *document_filter())
                         .order_by(DocumentRow.id))
        out.extend(_summary(r) for r in rows)
    return out


def neighbour(s: Session, query: ListQuery, current: int | None, forward: bool = True,
              unfinished: bool = False) -> int | None:
    """The document after (before) ``current`` in the list's order, or the first (last) without one;
    with ``unfinished``, the next unfinished one, wrapping around to the top (never ``current``).
    When ``current`` is not in the list (filtered out), the next listed row after where it would sort,
    else the first (last) listed row: the list's rows are where the person means to go."""
    walk = replace(query, descending=query.descending == forward)  # the order the walk reads rows in
    where = filters(s, query)
    if unfinished:
        where.append(DocumentRow.status.in_([st.value for st in DocumentStatus if not st.finished]))
    mark = None
    if current is not None:
        found = s.execute(select(sort_key(query).label("sort_key")).where(DocumentRow.id == current)).first()
        mark = (found.sort_key, current) if found is not None else None
    following = _first(s, walk, where, mark)
    if following is None and mark is not None and (
            unfinished or s.scalar(select(DocumentRow.id).where(DocumentRow.id == current, *where)) is None):
        return _first(s, walk, [*where, DocumentRow.id != current], None)
    return following


def _first(s: Session, walk: ListQuery, where: list[ColumnElement[bool]], mark: tuple[Any, int] | None) -> int | None:
    """The first listed row past ``mark`` (from the top without one) in ``walk``'s order."""
    if walk.sort is Sort.SUGGESTIONS:
        rows, _ = visible_rows(s, walk, where, mark, 1)
        return rows[0][1] if rows else None
    if walk.sort is Sort.ENTITIES:
        rows, _ = ranked_rows(s, walk, where, ranked_start(s, walk, mark), 1)
        return rows[0][1] if rows else None
    key = sort_key(walk)
    order = (key.desc(), DocumentRow.id.desc()) if walk.descending else (key, DocumentRow.id)
    if mark is not None:
        where = [*where, beyond(key, mark, walk.descending)]
    return s.scalar(select(DocumentRow.id).where(*where).order_by(*order).limit(1))


def progress(s: Session) -> tuple[int, int]:
    """(accepted, all) visible documents, for the status line. Counted on the status index alone, less
    the documents of unpublished imports (found through ``import_id``'s index): the visibility rule
    evaluated per row would read every document row, text and all."""
    counts: dict[str, int] = {status: n for status, n in s.execute(
        select(DocumentRow.status, func.count()).group_by(DocumentRow.status))}
    for status, n in s.execute(select(DocumentRow.status, func.count())
                               .where(DocumentRow.id.in_(hidden_documents())).group_by(DocumentRow.status)):
        counts[status] -= n
    return counts.get(DocumentStatus.ACCEPTED.value, 0), sum(counts.values())


def languages(s: Session) -> list[str]:
    """The languages of visible documents: each distinct one from the language index, kept when a
    visible document has it (the first one found ends that search)."""
    found = s.scalars(select(DocumentRow.language).distinct().order_by(DocumentRow.language)).all()
    return [lang for lang in found
            if s.scalar(select(DocumentRow.id).where(DocumentRow.language == lang, visible()).limit(1)) is not None]


def _select(query: ListQuery, key: Any) -> Any:
    return select(DocumentRow.id, DocumentRow.title, DocumentRow.source, DocumentRow.language, DocumentRow.status,
                  DocumentRow.updated_at, entity_count(query.user).label("entities"),
                  maintained_suggestions(query.user).label("suggestions"), key.label("sort_key"))


_STATUSES = {st.value: st for st in DocumentStatus}


def _summary(r: Any) -> DocumentSummary:
    return DocumentSummary(id=r.id, title=r.title, source=r.source, language=r.language,
                           status=_STATUSES[r.status], human_count=r.entities, model_count=r.suggestions,
                           updated_at=r.updated_at)


"""The document list as queries: one page at a time, filtered and sorted by the database.

Pages are read with a keyset (the sort key and id of the last row shown), so the thousandth page
costs what the first does, through indexes that match each sort order (id, ``lower(title)``,
language, status, ``updated_at``). The two count columns are computed for the rows of the page only,
with correlated subqueries over ``ix_spans_document_author`` and ``ix_spans_document_layer``: about 75
spans per article read for each of the page's rows. Sorting *by* a count does not count every
document's spans: on a document a person never touched, their "Sugg." is its model spans, which the
database keeps per document (``document_counts``, kept by triggers), and their "Entities" 0. The few
they touched (found through the partial index of human spans by author) are ranked once by their exact
counts (entities: in one pass over that index), and the two orders are merged page by page, the others
read past the last row shown through the index of the maintained counts. "Sugg." from the top down
ranks the touched ones lazily instead (``Lazy``): the maintained count bounds theirs from above, so
each is counted only when the walk down the maintained counts reaches it (measured in
``benchmarks/list_scale.py``).

Counts are the person's: "entities" are their own entities (not dismissals), "suggestions" the model
spans they still see (not confirmed, dismissed or hidden under one of their entities); see
``core.span.split_layers``, which this mirrors in SQL.
"""

from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, String, and_, case, exists, false, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from annotator.core.document import DocumentStatus
from annotator.core.span import Layer
from annotator.store import document_counts, search
from annotator.store.queries import document_filter, hidden_documents, visible
from annotator.store.records import DocumentSummary
from annotator.store.schema import DocumentCountRow, DocumentRow, SpanRow

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


@dataclass(frozen=True)
class Ranked:
    """Where a list sorted by a count goes on. The documents the person touched are ranked once, by
    their exact counts, when the sort is asked for (few: 16 bytes each); every other document is read
    page by page in the order of the counts the database keeps, past the last row shown."""

    touched: tuple[tuple[int, int], ...]  # (count, id) of the listed documents the person touched, in order
    skip: frozenset[int]  # their ids: left out of the order of the maintained counts
    read: int  # how many of ``touched`` were shown
    last: tuple[int, int] | None  # (count, id) of the last row shown


class Bounded:
    """For one list sorted by "Sugg." descending: the exact counts of the documents the person touched
    that the list has walked past so far, as (count, id), ascending. Their maintained count is an upper
    bound of the exact one (the person's entities only hide suggestions), so a touched document needs
    its exact count only once the walk down the maintained counts reaches it; shared by the list's
    cursors (they pass it back; only the database worker adds to it)."""

    def __init__(self) -> None:
        self.order: list[tuple[int, int]] = []
        self.known: set[int] = set()


@dataclass(frozen=True)
class Lazy:
    """Where a list sorted by "Sugg." descending goes on: past ``last``, (count, id) of the last row
    shown (None: the top); ``bounded`` holds the touched documents ranked so far."""

    bounded: Bounded = field(compare=False, repr=False)
    last: tuple[int, int] | None


Cursor = tuple[Any, int] | Ranked | Lazy  # a keyset (sort key, id of the last row read), or a count order


@dataclass(frozen=True)
class Page:
    rows: tuple[DocumentSummary, ...]
    after: Cursor | None  # where the next page starts (None: nothing more to read)


_human = aliased(SpanRow, name="human")
_model = aliased(SpanRow, name="model")


def entity_count(user: str | None) -> ScalarSelect[int]:
    """For each document: ``user``'s entities (every annotator's, without a user)."""
    query = select(func.count()).select_from(_human).where(
        _human.document_id == DocumentRow.id, _human.layer == Layer.HUMAN.value, _human.rejected.is_(False))
    if user is not None:
        query = query.where(_human.author == user)
    return query.scalar_subquery()


def suggestion_count(user: str | None) -> ColumnElement[int]:
    """For each document: the model spans ``user`` still sees (all of them, without a user)."""
    every = select(func.count()).select_from(_model).where(
        _model.document_id == DocumentRow.id, _model.layer == Layer.MODEL.value)
    if user is None:
        return every.scalar_subquery()
    hidden = exists().where(
        _human.document_id == _model.document_id, _human.author == user, _human.layer == Layer.HUMAN.value,
        _human.start < _model.end, _human.end > _model.start,
        or_(_human.rejected.is_(False),
            and_(_human.start == _model.start, _human.end == _model.end, _human.label == _model.label)))
    # Most documents hold nothing of this person's: their count is the model's, from the index alone.
    touched = exists().where(_human.document_id == DocumentRow.id, _human.author == user,
                             _human.layer == Layer.HUMAN.value)
    visible_ones = every.where(~hidden).scalar_subquery()
    return case((touched, visible_ones), else_=every.scalar_subquery())


def sort_key(query: ListQuery) -> ColumnElement[Any]:
    keys: dict[Sort, ColumnElement[Any]] = {
        Sort.IMPORTED: DocumentRow.id.expression, Sort.TITLE: func.lower(DocumentRow.title, type_=String),
        Sort.LANGUAGE: DocumentRow.language.expression, Sort.STATUS: DocumentRow.status.expression,
        Sort.EDITED: DocumentRow.updated_at.expression,
    }
    if query.sort is Sort.ENTITIES:
        return entity_count(query.user)
    if query.sort is Sort.SUGGESTIONS:
        return suggestion_count(query.user)
    return keys[query.sort]


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
    assert not isinstance(after, Ranked | Lazy)
    key = sort_key(query)
    where = filters(s, query)
    if after is not None:
        where.append(_beyond(key, after, query.descending))
    order = (key.desc(), DocumentRow.id.desc()) if query.descending else (key, DocumentRow.id)
    rows = s.execute(_select(query, key).where(*where).order_by(*order).limit(limit)).all()
    summaries = tuple(_summary(r) for r in rows)
    return Page(summaries, (rows[-1].sort_key, rows[-1].id) if len(rows) == limit else None)


def _ranked_page(s: Session, query: ListQuery, after: Cursor | None, limit: int) -> Page:
    """Sorted by a count: the next ``limit`` rows of the ranked order (``_ranked``), read by id."""
    where = filters(s, query)
    rows: list[tuple[int, int]]
    more: Cursor | None
    if _bounded(query):
        rows, more = _lazy(s, query, where, after if isinstance(after, Lazy) else Lazy(Bounded(), None), limit)
    else:
        rows, more = _ranked(s, query, where, after if isinstance(after, Ranked) else _start(s, query, where), limit)
    ids = [doc_id for _, doc_id in rows]
    by_id = {r.id: r for r in summaries(s, ids, query.user)}
    return Page(tuple(by_id[i] for i in ids if i in by_id), more)


def _start(s: Session, query: ListQuery, where: list[ColumnElement[bool]],
           mark: tuple[int, int] | None = None) -> Ranked:
    """Where a count order starts (or goes on past ``mark``, a (count, id)): the listed documents the
    person touched ranked by their exact counts, once; the others are read page by page."""
    ranked: tuple[tuple[int, int], ...] = ()
    if query.sort is Sort.ENTITIES:  # one pass over the person's human spans
        counted = s.execute(document_counts.entities(query.user).where(*where))
        ranked = tuple(sorted(((int(n), doc_id) for n, doc_id in counted), reverse=query.descending))
    elif query.user is not None:  # everyone's suggestions: the maintained count
        rows = s.execute(select(sort_key(query), DocumentRow.id)
                         .where(DocumentRow.id.in_(document_counts.touched(query.user)), *where))
        ranked = tuple(sorted(((int(n), doc_id) for n, doc_id in rows), reverse=query.descending))
    read = 0
    if mark is not None:
        read = (bisect.bisect_right(ranked, (-mark[0], -mark[1]), key=lambda r: (-r[0], -r[1]))
                if query.descending else bisect.bisect_right(ranked, mark))
    return Ranked(ranked, frozenset(doc_id for _, doc_id in ranked), read, mark)


def _ranked(s: Session, query: ListQuery, where: list[ColumnElement[bool]], at: Ranked,
            limit: int) -> tuple[list[tuple[int, int]], Ranked | None]:
    """The next ``limit`` (count, id) rows of a count order: the touched documents' exact ranking merged
    with the others' maintained counts, read past the last row shown through the counts index."""
    mine = list(at.touched[at.read:at.read + limit])
    rows = list(heapq.merge(mine, _maintained(s, query, where, at, limit), reverse=query.descending))[:limit]
    read = at.read + sum(1 for _, doc_id in rows if doc_id in at.skip)
    more = Ranked(at.touched, at.skip, read, rows[-1]) if len(rows) == limit else None
    return rows, more


def _bounded(query: ListQuery) -> bool:
    """Whether the order goes by the maintained counts as upper bounds (``Lazy``): the person's "Sugg."
    from the top down. (Ascending, a touched document may come before its bound says; everyone's
    suggestions are the maintained counts themselves.)"""
    return query.sort is Sort.SUGGESTIONS and query.descending and query.user is not None


def _lazy(s: Session, query: ListQuery, where: list[ColumnElement[bool]], at: Lazy,
          limit: int) -> tuple[list[tuple[int, int]], Lazy | None]:
    """The next ``limit`` (count, id) rows of "Sugg." descending past ``at.last``: a walk down the
    maintained counts (``document_counts``) from there, a batch at a time. An untouched document's count
    is its maintained one; a touched one's is counted exactly when the walk reaches it (never more than
    its bound) and kept in ``at.bounded``. A row is certain once the walk is past it: every document not
    walked yet counts no more than the last one walked."""
    key, ident = DocumentCountRow.model.expression, DocumentCountRow.document_id.expression
    base = select(key, ident).join(DocumentRow, DocumentRow.id == ident).where(*where)
    ranked = at.bounded
    out: list[tuple[int, int]] = []
    walk = upper = at.last  # walked down to ``walk``; rows above ``upper`` are out already
    want = 2 * limit + 16
    while len(out) < limit:
        step = base if walk is None else base.where(_beyond(key, walk, True, ident))
        found = [(int(n), int(doc_id)) for n, doc_id in s.execute(step.order_by(key.desc(), ident.desc()).limit(want))]
        mine = _count_touched(s, query, ranked, [doc_id for _, doc_id in found])
        floor = found[-1] if len(found) == want else None  # nothing below the walk counts more
        lo = bisect.bisect_left(ranked.order, floor) if floor is not None else 0
        hi = bisect.bisect_left(ranked.order, upper) if upper is not None else len(ranked.order)
        certain = sorted([row for row in found if row[1] not in mine] + ranked.order[lo:hi], reverse=True)
        out.extend(certain[:limit - len(out)])
        if floor is None:
            break
        walk = upper = floor
    return out, Lazy(ranked, out[-1]) if len(out) == limit else None


def _lazy_from(s: Session, query: ListQuery, where: list[ColumnElement[bool]], mark: tuple[int, int] | None) -> Lazy:
    """``_lazy``'s start past ``mark``, without the list's cursor: the touched documents the walk from
    the top would have ranked by then (those whose bound reaches the mark) are counted first."""
    ranked = Bounded()
    if mark is not None:
        above = (select(DocumentRow.id).join(DocumentCountRow, DocumentCountRow.document_id == DocumentRow.id)
                 .where(DocumentRow.id.in_(document_counts.touched(query.user)), DocumentCountRow.model >= mark[0],
                        *where))
        _count_touched(s, query, ranked, list(s.scalars(above)))
    return Lazy(ranked, mark)


def _count_touched(s: Session, query: ListQuery, ranked: Bounded, ids: list[int]) -> set[int]:
    """Which of ``ids`` the person touched; those not ranked yet get their exact counts in ``ranked``."""
    if not ids:
        return set()
    mine: set[int] = set()
    for i in range(0, len(ids), 5 * PAGE):  # within the database's limit of bound values
        chunk = ids[i:i + 5 * PAGE]
        mine.update(s.scalars(document_counts.touched(query.user).where(SpanRow.document_id.in_(chunk))))
        new = [doc_id for doc_id in chunk if doc_id in mine and doc_id not in ranked.known]
        if new:
            for n, doc_id in s.execute(select(sort_key(query), DocumentRow.id).where(DocumentRow.id.in_(new))):
                bisect.insort(ranked.order, (int(n), int(doc_id)))
            ranked.known.update(new)
    return mine


def _maintained(s: Session, query: ListQuery, where: list[ColumnElement[bool]], at: Ranked,
                limit: int) -> list[tuple[int, int]]:
    """The next ``limit`` listed documents the person did not touch past ``at.last``, as (count, id),
    in the order of the counts the database keeps (``document_counts``): an index walk from the mark."""
    if query.sort is Sort.ENTITIES:  # untouched: no entity of theirs (of anyone's, without a user)
        return _zero_counts(s, query, where, at, limit)
    key, ident = DocumentCountRow.model.expression, DocumentCountRow.document_id.expression
    base = select(key, ident).join(DocumentRow, DocumentRow.id == ident).where(*where)
    order = (key.desc(), ident.desc()) if query.descending else (key, ident)
    out: list[tuple[int, int]] = []
    last = at.last
    while len(out) < limit:
        want = 2 * (limit - len(out)) + 16  # some of them may be the person's, left out here
        step = base if last is None else base.where(_beyond(key, last, query.descending, ident))
        found = [(int(n), int(doc_id)) for n, doc_id in s.execute(step.order_by(*order).limit(want))]
        out.extend(row for row in found if row[1] not in at.skip)
        if len(found) < want:
            break
        last = found[-1]
    return out[:limit]


def _zero_counts(s: Session, query: ListQuery, where: list[ColumnElement[bool]], at: Ranked,
                 limit: int) -> list[tuple[int, int]]:
    """``_maintained`` for "Entities": every untouched document counts 0, so they follow one another
    by id, from the last row shown when it counted 0 too, else from the first (or none)."""
    out: list[tuple[int, int]] = []
    last = at.last
    if last is not None and last[0] != 0 and (last[0] < 0) == query.descending:
        return out  # past every 0 already
    bound = last[1] if last is not None and last[0] == 0 else None
    while len(out) < limit:
        want = 2 * (limit - len(out)) + 16
        step = select(DocumentRow.id).where(*where)
        if bound is not None:
            step = step.where(DocumentRow.id < bound if query.descending else DocumentRow.id > bound)
        order = DocumentRow.id.desc() if query.descending else DocumentRow.id
        found = [doc_id for (doc_id,) in s.execute(step.order_by(order).limit(want))]
        out.extend((0, doc_id) for doc_id in found if doc_id not in at.skip)
        if len(found) < want:
            break
        bound = found[-1]
    return out[:limit]


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
    if _bounded(walk):
        rows, _ = _lazy(s, walk, where, _lazy_from(s, walk, where, mark), 1)
        return rows[0][1] if rows else None
    if walk.sort in (Sort.ENTITIES, Sort.SUGGESTIONS):
        rows, _ = _ranked(s, walk, where, _start(s, walk, where, mark), 1)
        return rows[0][1] if rows else None
    key = sort_key(walk)
    order = (key.desc(), DocumentRow.id.desc()) if walk.descending else (key, DocumentRow.id)
    if mark is not None:
        where = [*where, _beyond(key, mark, walk.descending)]
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


def _beyond(key: ColumnElement[Any], after: tuple[Any, int], descending: bool,
            ident: ColumnElement[int] | None = None) -> ColumnElement[bool]:
    """Rows past ``after`` in the order (tie-break: ``ident``, the document id). Written as a range on
    the key plus the tie-break (not as a row-value comparison), so SQLite searches the key's index
    instead of scanning it from the top."""
    ident = DocumentRow.id.expression if ident is None else ident
    mark, last = literal(after[0], key.type), literal(after[1], DocumentRow.id.type)
    if descending:
        return and_(key <= mark, or_(key < mark, ident < last))
    return and_(key >= mark, or_(key > mark, ident > last))


def _select(query: ListQuery, key: Any) -> Any:
    return select(DocumentRow.id, DocumentRow.title, DocumentRow.source, DocumentRow.language, DocumentRow.status,
                  DocumentRow.updated_at, entity_count(query.user).label("entities"),
                  suggestion_count(query.user).label("suggestions"), key.label("sort_key"))


_STATUSES = {st.value: st for st in DocumentStatus}


def _summary(r: Any) -> DocumentSummary:
    return DocumentSummary(id=r.id, title=r.title, source=r.source, language=r.language,
                           status=_STATUSES[r.status], human_count=r.entities, model_count=r.suggestions,
                           updated_at=r.updated_at)


"""The list sorted by a count ("Entities", "Sugg."), a page at a time, without counting every document.

On a document a person never touched, their "Sugg." is its model spans, which the database keeps per
document (``document_counts``, kept by triggers), and their "Entities" 0. The few they touched (found
through the partial index of human spans by author) are ranked once by their exact counts and merged
page by page with the others, read past the last row shown through the index of the maintained counts
(``Ranked``). Their entities are counted in one pass over that index alone, the list's filters checked
only for the rows about to be shown. "Sugg." from the top down ranks the touched
ones lazily instead (``Lazy``): the maintained count bounds theirs from above, so each is counted only
when the walk down the maintained counts reaches it (measured in ``benchmarks/list_scale.py``).
"""

from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from annotator.store import document_counts
from annotator.store.list_query import PAGE, ListQuery, Sort, beyond, sort_key
from annotator.store.schema import DocumentCountRow, DocumentRow, SpanRow


@dataclass(frozen=True)
class Ranked:
    """Where a list sorted by a count goes on. The documents the person touched are ranked once, by
    their exact counts, when the sort is asked for (few: 16 bytes each); every other document is read
    page by page in the order of the counts the database keeps, past the last row shown."""

    touched: tuple[tuple[int, int], ...]  # (count, id) of the documents the person touched, in order
    skip: frozenset[int]  # their ids: left out of the order of the maintained counts
    read: int  # how many of ``touched`` were shown (or passed over: not listed)
    last: tuple[int, int] | None  # (count, id) of the last row shown
    listed: bool = True  # ``touched`` holds listed documents only (else the filters are checked as they come)


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


def ranked_start(s: Session, query: ListQuery, where: list[ColumnElement[bool]],
                 mark: tuple[int, int] | None = None) -> Ranked:
    """Where a count order starts (or goes on past ``mark``, a (count, id)): the listed documents the
    person touched ranked by their exact counts, once; the others are read page by page."""
    ranked: tuple[tuple[int, int], ...] = ()
    listed = query.sort is not Sort.ENTITIES
    if not listed:  # one pass over the person's human spans, in the index alone; filters as rows come
        counted = s.execute(document_counts.entities(query.user))
        ranked = tuple(sorted(((int(n), doc_id) for n, doc_id in counted), reverse=query.descending))
    elif query.user is not None:  # everyone's suggestions: the maintained count
        rows = s.execute(select(sort_key(query), DocumentRow.id)
                         .where(DocumentRow.id.in_(document_counts.touched(query.user)), *where))
        ranked = tuple(sorted(((int(n), doc_id) for n, doc_id in rows), reverse=query.descending))
    read = 0
    if mark is not None:
        read = (bisect.bisect_right(ranked, (-mark[0], -mark[1]), key=lambda r: (-r[0], -r[1]))
                if query.descending else bisect.bisect_right(ranked, mark))
    return Ranked(ranked, frozenset(doc_id for _, doc_id in ranked), read, mark, listed)


def ranked_rows(s: Session, query: ListQuery, where: list[ColumnElement[bool]], at: Ranked,
                limit: int) -> tuple[list[tuple[int, int]], Ranked | None]:
    """The next ``limit`` (count, id) rows of a count order: the touched documents' exact ranking merged
    with the others' maintained counts, read past the last row shown through the counts index."""
    mine = _next_touched(s, where, at, limit)  # (row, how many of ``at.touched`` it takes to reach it)
    rows = list(heapq.merge([row for row, _ in mine], _maintained(s, query, where, at, limit),
                            reverse=query.descending))[:limit]
    shown = sum(1 for _, doc_id in rows if doc_id in at.skip)  # the first ``shown`` of ``mine``
    read = mine[shown - 1][1] if shown else at.read
    more = Ranked(at.touched, at.skip, read, rows[-1], at.listed) if len(rows) == limit else None
    return rows, more


def _next_touched(s: Session, where: list[ColumnElement[bool]], at: Ranked,
                  limit: int) -> list[tuple[tuple[int, int], int]]:
    """The next ``limit`` listed rows of ``at.touched``, each with its place after it in there."""
    if at.listed:
        return [(row, at.read + k + 1) for k, row in enumerate(at.touched[at.read:at.read + limit])]
    out: list[tuple[tuple[int, int], int]] = []
    at_row = at.read
    while len(out) < limit and at_row < len(at.touched):
        chunk = at.touched[at_row:at_row + 2 * limit + 16]
        ok = set(s.scalars(select(DocumentRow.id).where(DocumentRow.id.in_([doc_id for _, doc_id in chunk]), *where)))
        out.extend((row, at_row + k + 1) for k, row in enumerate(chunk) if row[1] in ok)
        at_row += len(chunk)
    return out[:limit]


def is_bounded(query: ListQuery) -> bool:
    """Whether the order goes by the maintained counts as upper bounds (``Lazy``): the person's "Sugg."
    from the top down. (Ascending, a touched document may come before its bound says; everyone's
    suggestions are the maintained counts themselves.)"""
    return query.sort is Sort.SUGGESTIONS and query.descending and query.user is not None


def lazy_rows(s: Session, query: ListQuery, where: list[ColumnElement[bool]], at: Lazy,
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
        step = base if walk is None else base.where(beyond(key, walk, True, ident))
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


def lazy_start(s: Session, query: ListQuery, where: list[ColumnElement[bool]], mark: tuple[int, int] | None) -> Lazy:
    """``lazy_rows``'s start past ``mark``, without the list's cursor: the touched documents the walk from
    the top would have ranked by then (those whose bound reaches the mark) are counted first."""
    ranked = Bounded()
    if mark is not None:
        above = (select(sort_key(query), DocumentRow.id)
                 .join(DocumentCountRow, DocumentCountRow.document_id == DocumentRow.id)
                 .where(DocumentRow.id.in_(document_counts.touched(query.user)), DocumentCountRow.model >= mark[0],
                        *where))
        ranked.order = sorted((int(n), int(doc_id)) for n, doc_id in s.execute(above))
        ranked.known = {doc_id for _, doc_id in ranked.order}
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
        step = base if last is None else base.where(beyond(key, last, query.descending, ident))
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

"""The list sorted by a count ("Entities", "Sugg."), a page at a time, without counting every document.

"Sugg." (``visible_rows``): the database keeps every document's model spans (``document_counts``, the
count of a person who never touched it) and, for each person, the suggestions they still see on each
document they touched (``suggestion_counts``), both kept by triggers (migrations 0009, 0010). Either
way the order is two index walks from the last row shown, merged: the cursor is a plain keyset
(count, id), and the first page, the next one and Alt+Right cost a few index reads each.

"Entities" (``Ranked``): on a document a person never touched their "Entities" is 0. The few they
touched (found through the partial index of human spans by author) are ranked once by their exact
counts, in one pass over that index alone, and merged page by page with the others, which follow one
another by id; the list's filters are checked only for the rows about to be shown.
"""

from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from annotator.store import document_counts
from annotator.store.list_query import ListQuery, beyond
from annotator.store.schema import DocumentCountRow, DocumentRow, SuggestionCountRow


@dataclass(frozen=True)
class Ranked:
    """Where a list sorted by "Entities" goes on. The documents the person touched are ranked once, by
    their exact counts, when the sort is asked for (few: 16 bytes each); every other document counts 0
    and is read page by page by id, past the last row shown."""

    touched: tuple[tuple[int, int], ...]  # (count, id) of the documents the person touched, in order
    skip: frozenset[int]  # their ids: left out of the walk by id
    read: int  # how many of ``touched`` were shown (or passed over: not listed)
    last: tuple[int, int] | None  # (count, id) of the last row shown


def ranked_start(s: Session, query: ListQuery, mark: tuple[int, int] | None = None) -> Ranked:
    """Where an "Entities" order starts (or goes on past ``mark``, a (count, id)): the documents the
    person touched ranked by their exact counts, once (one pass over their human spans, in the index
    alone; the list's filters are checked as rows come); the others are read page by page."""
    counted = s.execute(document_counts.entities(query.user))
    ranked = tuple(sorted(((int(n), doc_id) for n, doc_id in counted), reverse=query.descending))
    read = 0
    if mark is not None:
        read = (bisect.bisect_right(ranked, (-mark[0], -mark[1]), key=lambda r: (-r[0], -r[1]))
                if query.descending else bisect.bisect_right(ranked, mark))
    return Ranked(ranked, frozenset(doc_id for _, doc_id in ranked), read, mark)


def ranked_rows(s: Session, query: ListQuery, where: list[ColumnElement[bool]], at: Ranked,
                limit: int) -> tuple[list[tuple[int, int]], Ranked | None]:
    """The next ``limit`` (count, id) rows of an "Entities" order: the touched documents' exact ranking
    merged with the others (0 each, by id)."""
    mine = _next_touched(s, where, at, limit)  # (row, how many of ``at.touched`` it takes to reach it)
    rows = list(heapq.merge([row for row, _ in mine], _zero_counts(s, query, where, at, limit),
                            reverse=query.descending))[:limit]
    shown = sum(1 for _, doc_id in rows if doc_id in at.skip)  # the first ``shown`` of ``mine``
    read = mine[shown - 1][1] if shown else at.read
    more = Ranked(at.touched, at.skip, read, rows[-1]) if len(rows) == limit else None
    return rows, more


def _next_touched(s: Session, where: list[ColumnElement[bool]], at: Ranked,
                  limit: int) -> list[tuple[tuple[int, int], int]]:
    """The next ``limit`` listed rows of ``at.touched``, each with its place after it in there."""
    out: list[tuple[tuple[int, int], int]] = []
    at_row = at.read
    while len(out) < limit and at_row < len(at.touched):
        chunk = at.touched[at_row:at_row + 2 * limit + 16]
        ok = set(s.scalars(select(DocumentRow.id).where(DocumentRow.id.in_([doc_id for _, doc_id in chunk]), *where)))
        out.extend((row, at_row + k + 1) for k, row in enumerate(chunk) if row[1] in ok)
        at_row += len(chunk)
    return out[:limit]


def visible_rows(s: Session, query: ListQuery, where: list[ColumnElement[bool]], after: tuple[int, int] | None,
                 limit: int) -> tuple[list[tuple[int, int]], tuple[int, int] | None]:
    """The next ``limit`` (count, id) rows of "Sugg." (either way) past ``after`` and where the next page
    starts (None: nothing more). Two walks from the mark, merged: the person's maintained counts of the
    documents they touched (``suggestion_counts``, through ``ix_suggestion_counts_author_visible``) and
    the model counts of the others (``document_counts``, through ``ix_document_counts_model``, each row
    checked against the primary key of ``suggestion_counts``). Without a user, the model counts alone."""
    order = [_walk(s, DocumentCountRow.model.expression, DocumentCountRow.document_id.expression, query, where,
                   after, limit, untouched=True)]
    if query.user is not None:
        order.append(_walk(s, SuggestionCountRow.visible.expression, SuggestionCountRow.document_id.expression,
                           query, where, after, limit, untouched=False))
    rows = list(heapq.merge(*order, reverse=query.descending))[:limit]
    return rows, rows[-1] if len(rows) == limit else None


def _walk(s: Session, key: ColumnElement[int], ident: ColumnElement[int], query: ListQuery,
          where: list[ColumnElement[bool]], after: tuple[int, int] | None, limit: int,
          untouched: bool) -> list[tuple[int, int]]:
    """The first ``limit`` listed rows past ``after`` of one count index, in its order."""
    step = select(key, ident).join(DocumentRow, DocumentRow.id == ident).where(*where)
    if untouched and query.user is not None:
        step = step.where(~exists().where(SuggestionCountRow.document_id == ident,
                                          SuggestionCountRow.author == query.user))
    elif not untouched:
        step = step.where(SuggestionCountRow.author == query.user)
    if after is not None:
        step = step.where(beyond(key, after, query.descending, ident))
    order = (key.desc(), ident.desc()) if query.descending else (key, ident)
    return [(int(n), int(doc_id)) for n, doc_id in s.execute(step.order_by(*order).limit(limit))]


def _zero_counts(s: Session, query: ListQuery, where: list[ColumnElement[bool]], at: Ranked,
                 limit: int) -> list[tuple[int, int]]:
    """The next ``limit`` listed documents the person did not touch past ``at.last``, as (0, id): every
    one counts 0, so they follow one another by id, from the last row shown when it counted 0 too, else
    from the first (or none)."""
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

"""How many spans there are per (label, layer, rejected), for ``annotator stats``, without reading the spans.

``span_counts`` is kept by triggers on ``spans`` (migration 0008): every insert, delete and update of a
span, by any code path (edits, undo, imports, pre-annotation, the removal of a stopped import's rows),
adds to or takes from its group. They count every span, those of documents an import has not published
yet too; ``totals`` takes those away again in the same statement (one snapshot), reading only the
spans of unpublished imports through the ``document_id`` index: normally none, so ``stats`` reads a
table of a few rows per label however many spans the corpus holds.

On PostgreSQL each writer counts into the rows of its own backend (``shard`` = its process id), so
concurrent edits never wait for one another on a counts row, nor deadlock; ``fold`` (run by every
sweep, i.e. at every ``Store.open``) folds the rows of backends that have ended into shard 0, which
keeps the table at a few rows per label and live connection.
"""

from __future__ import annotations

import logging

from sqlalchemy import ColumnElement, Engine, func, literal, select, text, union_all
from sqlalchemy.orm import Session

from annotator.core.errors import AnnotatorError
from annotator.store.schema import SpanCountRow, SpanRow
from annotator.store.session import writing

log = logging.getLogger(__name__)

Group = tuple[str, str, bool]  # (label, layer, rejected)
# Advisory lock key space of ``fold`` (one folder at a time): "cnts".
FOLD_LOCK_SPACE = 0x636E7473


def _unpublished() -> ColumnElement[bool]:
    """WHERE clause: spans of the documents ``queries.visible()`` leaves out (through the ``import_id``
    index, then ``document_id``: never a scan of spans)."""
    from annotator.store.queries import hidden_documents  # queries.stats imports this module

    return SpanRow.document_id.in_(hidden_documents())


def totals(s: Session) -> dict[Group, int]:
    """Spans of visible documents per (label, layer, rejected), groups with none left out."""
    counted = select(SpanCountRow.label, SpanCountRow.layer, SpanCountRow.rejected, SpanCountRow.n)
    pending = select(SpanRow.label, SpanRow.layer, SpanRow.rejected, literal(-1)).where(_unpublished())
    both = union_all(counted, pending).subquery()
    query = (select(both.c.label, both.c.layer, both.c.rejected, func.sum(both.c.n))
             .group_by(both.c.label, both.c.layer, both.c.rejected))
    out: dict[Group, int] = {}
    for label, layer, rejected, n in s.execute(query):
        if n:
            key = (label, layer, bool(rejected))
            out[key] = out.get(key, 0) + int(n)
    return out


def spans_and_rejections(s: Session) -> tuple[dict[tuple[str, str], int], int]:
    """What ``stats`` shows: spans per (label, layer) not counting rejections, and rejections."""
    spans: dict[tuple[str, str], int] = {}
    rejections = 0
    for (label, layer, rejected), n in totals(s).items():
        if rejected:
            rejections += n
        else:
            spans[(label, layer)] = spans.get((label, layer), 0) + n
    return spans, rejections


def recount(s: Session) -> dict[Group, int]:
    """The same as ``totals``, counted from the spans themselves (reads every span: tests, checks)."""
    query = (select(SpanRow.label, SpanRow.layer, SpanRow.rejected, func.count())
             .where(~_unpublished())
             .group_by(SpanRow.label, SpanRow.layer, SpanRow.rejected))
    return {(label, layer, bool(rejected)): int(n) for label, layer, rejected, n in s.execute(query)}


def drift(s: Session) -> dict[Group, int]:
    """Groups whose maintained count differs from the spans stored (counted minus stored); empty when
    the counts are right. One statement, so a concurrent writer cannot make it disagree. Reads every span."""
    counted = select(SpanCountRow.label, SpanCountRow.layer, SpanCountRow.rejected, SpanCountRow.n)
    stored = select(SpanRow.label, SpanRow.layer, SpanRow.rejected, literal(-1))
    both = union_all(counted, stored).subquery()
    total = func.sum(both.c.n)
    query = (select(both.c.label, both.c.layer, both.c.rejected, total)
             .group_by(both.c.label, both.c.layer, both.c.rejected).having(total != 0))
    return {(label, layer, bool(rejected)): int(n) for label, layer, rejected, n in s.execute(query)}


def fold(writer: Engine) -> int:
    """PostgreSQL: fold the counts rows of backends that have ended into shard 0; how many went.
    Never waits: another folder, or a row a (new) backend is writing, means it is left for next time."""
    if writer.dialect.name != "postgresql":
        return 0
    try:
        with writing(writer) as s:
            if not s.scalar(text("SELECT pg_try_advisory_xact_lock(:space, 0)"), {"space": FOLD_LOCK_SPACE}):
                return 0
            s.execute(text("SET LOCAL lock_timeout = '200ms'"))
            folded = s.execute(text(
                "WITH gone AS (DELETE FROM span_counts WHERE shard <> 0 AND shard NOT IN "
                "(SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL) RETURNING label, layer, rejected, n), "
                "moved AS (INSERT INTO span_counts (label, layer, rejected, shard, n) "
                "SELECT label, layer, rejected, 0, sum(n) FROM gone GROUP BY label, layer, rejected "
                "ORDER BY label, layer, rejected "
                "ON CONFLICT (label, layer, rejected, shard) DO UPDATE SET n = span_counts.n + excluded.n) "
                "SELECT count(*) FROM gone")).scalar()
    except AnnotatorError:
        log.debug("folding the span counts was left for later", exc_info=True)
        return 0
    return int(folded or 0)

"""Read queries: each takes an open ``Session`` and returns plain records (``records.py``), never ORM rows.

Every read of documents (and of spans through their documents) goes through ``visible()``: documents
of an import that has not published yet are not there for anyone but the import itself.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, Connection, ScalarSelect, bindparam, exists, func, select
from sqlalchemy.orm import Session

from annotator.core.document import DocumentStatus
from annotator.core.errors import NotFound
from annotator.core.span import GOLD, Layer, Span, split_layers
from annotator.store import span_counts
from annotator.store.records import DocumentBundle, DocumentInfo, DocumentView, Stats, info_of, span_of
from annotator.store.schema import DocumentRow, ImportRow, ImportState, SpanRow, layer_is
from annotator.store.session import CHUNK

UNFINISHED = tuple(status for status in DocumentStatus if not status.finished)


def visible() -> ColumnElement[bool]:
    """Documents anyone may see: not brought in by an import that is still running or never finished.

    One correlated lookup by primary key in the (small) imports table, in the same statement as the
    read, so a read never sees part of an import, whatever the isolation level.
    """
    return ~exists().where(ImportRow.id == DocumentRow.import_id, ImportRow.state != ImportState.DONE.value)


def hidden_documents() -> ScalarSelect[int]:
    """Ids of the documents ``visible()`` leaves out (through the index on ``import_id``), for
    queries that start from spans."""
    return (select(DocumentRow.id).join(ImportRow, ImportRow.id == DocumentRow.import_id)
            .where(ImportRow.state != ImportState.DONE.value).scalar_subquery())


def document_filter(statuses: Collection[DocumentStatus] | None = None,
                    language: str | None = None) -> list[ColumnElement[bool]]:
    """WHERE clauses on documents: visible (``visible()``), status among ``statuses``, in ``language``
    (None: any). Every query that lists or counts documents starts from these."""
    where: list[ColumnElement[bool]] = [visible()]
    if statuses is not None:
        where.append(DocumentRow.status.in_([s.value for s in statuses]))
    if language is not None:
        where.append(DocumentRow.language == language)
    return where


# Built once: every edit reads its document through this, and building the statement per call cost
# as much as running it.
_VISIBLE_DOCUMENT = select(DocumentRow).where(DocumentRow.id == bindparam("document_id"), visible())


def document_row(s: Session, document_id: int) -> DocumentRow:
    """The visible document ``document_id`` (what edits lock and version-check), else ``NotFound``."""
    doc = s.scalars(_VISIBLE_DOCUMENT, {"document_id": document_id}).first()
    if doc is None:
        raise NotFound(f"no document with id {document_id}")
    return doc


def document_count(s: Session, statuses: Collection[DocumentStatus] | None = None,
                   language: str | None = None) -> int:
    return s.scalar(select(func.count()).select_from(DocumentRow).where(*document_filter(statuses, language))) or 0


def documents_with_label(s: Session, label: str) -> set[int]:
    return set(s.scalars(
        select(SpanRow.document_id).join(DocumentRow, DocumentRow.id == SpanRow.document_id)
        .where(SpanRow.label == label, SpanRow.rejected.is_(False), *document_filter()).distinct()
    ))


def document(s: Session, document_id: int) -> DocumentInfo:
    return info_of(document_row(s, document_id))


def view(s: Session, document_id: int, user: str) -> DocumentView:
    doc = document_row(s, document_id)
    model, human = layers(s, document_id, user)
    confirmed, suggestions, rejections = split_layers(model, human)
    return DocumentView(info_of(doc), doc.text, tuple(confirmed), tuple(suggestions), tuple(rejections), tuple(model))


def texts(s: Session, document_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    out: dict[int, tuple[str, str]] = {}
    for i in range(0, len(document_ids), CHUNK):
        chunk = document_ids[i : i + CHUNK]
        for row in s.execute(
            select(DocumentRow.id, DocumentRow.text, DocumentRow.language)
            .where(DocumentRow.id.in_(chunk), *document_filter())
        ):
            out[row.id] = (row.text, row.language)
    return out


def document_ids(s: Session, statuses: Collection[DocumentStatus] | None = None,
                 language: str | None = None) -> list[int]:
    """Ids of the documents with one of ``statuses``, in ``language`` (None: any), in id order."""
    return list(s.scalars(select(DocumentRow.id).where(*document_filter(statuses, language)).order_by(DocumentRow.id)))


def bundles_of(s: Session, ids: Sequence[int]) -> list[DocumentBundle]:
    """The documents ``ids`` (in id order) with every span of every layer."""
    docs = s.scalars(
        select(DocumentRow).where(DocumentRow.id.in_(ids), *document_filter()).order_by(DocumentRow.id)
    ).all()
    spans: dict[int, list[Span]] = {doc_id: [] for doc_id in ids}
    # Plain rows, not ORM objects: an export reads every span of the corpus once.
    for span in plain_spans(s, SpanRow.document_id.in_(ids)):
        spans[span.document_id].append(span)
    return [
        DocumentBundle(
            info_of(d), d.text,
            tuple(sp for sp in spans[d.id] if sp.layer is Layer.MODEL),
            tuple(sp for sp in spans[d.id] if sp.layer is Layer.HUMAN),
        )
        for d in docs
    ]


def document_keys(s: Session) -> list[tuple[int, DocumentStatus, str]]:
    """``(id, status, source)`` of every visible document in id order: what choosing documents by
    status or source needs, without the list's counts (``listing.every_row`` reads those)."""
    rows = s.execute(select(DocumentRow.id, DocumentRow.status, DocumentRow.source)
                     .where(*document_filter()).order_by(DocumentRow.id))
    return [(doc_id, DocumentStatus(status), source) for doc_id, status, source in rows]


def ids_needing_suggestions(s: Session, language: str | None = None, rerun: bool = False) -> list[int]:
    query = select(DocumentRow.id).where(*document_filter(UNFINISHED, language)).order_by(DocumentRow.id)
    if not rerun:
        query = query.where(DocumentRow.suggested_by.is_(None))
    return list(s.scalars(query))


def stats(s: Session) -> Stats:
    """Visible documents by status and by language (one pass over an index of those columns and the
    import id, grouped, the unpublished imports' groups left out) and spans from the maintained counts
    (``span_counts``): no read of the documents' rows, none of the spans."""
    grouped = (select(DocumentRow.status, DocumentRow.language, DocumentRow.import_id, func.count().label("n"))
               .group_by(DocumentRow.status, DocumentRow.language, DocumentRow.import_id).subquery())
    by_status: dict[str, int] = {}
    by_language: dict[str, int] = {}
    for status, language, n in s.execute(
        select(grouped.c.status, grouped.c.language, func.sum(grouped.c.n))
        .outerjoin(ImportRow, ImportRow.id == grouped.c.import_id)
        .where(ImportRow.state.is_(None) | (ImportRow.state == ImportState.DONE.value))
        .group_by(grouped.c.status, grouped.c.language)
    ):
        by_status[status] = by_status.get(status, 0) + int(n)
        by_language[language] = by_language.get(language, 0) + int(n)
    spans, rejections = span_counts.spans_and_rejections(s)
    return Stats(sum(by_status.values()), by_status, by_language, spans, rejections)


def annotators(s: Session, document_id: int) -> list[str]:
    names = set(s.scalars(select(SpanRow.author).where(
        SpanRow.document_id == document_id, layer_is(Layer.HUMAN.value)).distinct()))
    status_by = document_row(s, document_id).status_by
    if status_by:
        names.add(status_by)
    names.discard(GOLD)
    return sorted(names)


SPAN_COLUMNS = (SpanRow.id, SpanRow.document_id, SpanRow.start, SpanRow.end, SpanRow.label, SpanRow.layer,
                 SpanRow.author, SpanRow.rejected)
# Built once, like _VISIBLE_DOCUMENT: an edit reads its span window through these, and building the
# statement (and its cache key) per call cost more than running it.
_LAYERS = select(*SPAN_COLUMNS).where(
    SpanRow.document_id == bindparam("document_id"),
    layer_is(Layer.MODEL.value) | (SpanRow.author == bindparam("user"))).order_by(SpanRow.start)
_LAYERS_WINDOW = _LAYERS.where(SpanRow.start < bindparam("window_end"), SpanRow.end > bindparam("window_start"))


def layers(s: Session | Connection, document_id: int, user: str,
           window: tuple[int, int] | None = None) -> tuple[list[Span], list[Span]]:
    """(model spans, ``user``'s spans) of a document, as plain rows; with ``window``, only those
    overlapping it, widened until no loaded span reaches outside (so layer rules stay exact)."""
    params: dict[str, object] = {"document_id": document_id, "user": user}
    while True:
        if window is None:
            spans = [span_of(r) for r in s.execute(_LAYERS, params)]
            break
        params.update(window_start=window[0], window_end=window[1])
        spans = [span_of(r) for r in s.execute(_LAYERS_WINDOW, params)]
        if not spans:
            break
        wider = (min([window[0]] + [sp.start for sp in spans]), max([window[1]] + [sp.end for sp in spans]))
        if wider == window:
            break
        window = wider
    model = [sp for sp in spans if sp.layer is Layer.MODEL]
    human = [sp for sp in spans if sp.layer is Layer.HUMAN]
    return model, human


def plain_spans(s: Session, *where: ColumnElement[bool]) -> list[Span]:
    """Spans as plain rows, in text order: reading whole layers through ORM objects costs several
    times more, and exports and edits read many."""
    query = select(*SPAN_COLUMNS).where(*where).order_by(SpanRow.start)
    return [span_of(r) for r in s.execute(query)]

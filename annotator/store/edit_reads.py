"""What a human edit reads before it writes, in one statement: the document (its version, status and
text), whether the edit's label is in the scheme, the spans around the edited place and, for an edit
of an existing entity, that entity. On PostgreSQL every statement is a round trip, and these reads
were three of an edit's six.

The statements are ``UNION ALL``s of parts told apart by the ``part`` column: 0 the document, 1 the
spans overlapping the window, 2 the entity edited. They are built once and run precompiled
(``store/precompiled.py``): building a statement (and its cache key) per edit cost more than running it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Connection, Integer, String, bindparam, cast, exists, literal, null, select, union_all
from sqlalchemy.orm import aliased

from annotator.core.errors import NotFound
from annotator.core.span import Layer, Span
from annotator.store.precompiled import Precompiled, fixed
from annotator.store.queries import layers, visible
from annotator.store.schema import DocumentRow, LabelRow, SpanRow


@dataclass
class EditedDocument:
    """The document an edit works on (plain columns: an ORM object's unit of work cost more than the
    edit's statements)."""

    id: int
    title: str
    text: str
    status: str
    status_by: str | None
    version: int


@dataclass
class EditRead:
    doc: EditedDocument
    label_known: bool  # the label the edit names is in the scheme
    target: Span | None  # the entity edited (by span id)
    model: list[Span]  # the model's spans overlapping the window (all of them without a window)
    human: list[Span]  # the user's spans there


_SPAN_TYPES = ((Integer, "span_id"), (Integer, "span_document"), (Integer, "span_start"), (Integer, "span_end"),
               (String, "span_label"), (String, "span_layer"), (String, "span_author"), (Boolean, "span_rejected"))
_DOC_TYPES = (Integer, String, String, String, String, Integer, Boolean)
_target = aliased(SpanRow, name="target")


def _nothing(kind: type[Integer] | type[String] | type[Boolean]) -> Any:
    return cast(null(), kind())


def _target_column(column: Any) -> Any:
    return select(column).where(_target.id == bindparam("span_id")).scalar_subquery()


# The document's columns (``EditedDocument``'s fields, then whether the label is in the scheme); their
# types are ``_DOC_TYPES``, the NULLs the other parts put in their place.
_DOCUMENT_COLUMNS = (DocumentRow.id, DocumentRow.title, DocumentRow.text, DocumentRow.status, DocumentRow.status_by,
                     DocumentRow.version, exists().where(LabelRow.name == bindparam("label")).label("label_known"))


def _statement(document_id: Any, window_start: Any, window_end: Any, with_target: bool) -> Any:
    document = select(literal(0).label("part"), *_DOCUMENT_COLUMNS,
                      *(_nothing(k).label(name) for k, name in _SPAN_TYPES)
                      ).where(DocumentRow.id == document_id, visible())
    # The model's spans, then the user's other spans: two parts, not one ``layer = 'model' OR author =
    # :user``, so each is a search of its own index (the user's spans through (document, author, start)).
    # With the OR, SQLite searched by document alone and read every span of the document, other
    # annotators' too: an edit cost grew with everyone's entities in the article.
    window = [select(literal(1), *(_nothing(k) for k in _DOC_TYPES), SpanRow.id, SpanRow.document_id, SpanRow.start,
                     SpanRow.end, SpanRow.label, SpanRow.layer, SpanRow.author, SpanRow.rejected).where(
        SpanRow.document_id == document_id, which, SpanRow.start < window_end, SpanRow.end > window_start)
        for which in (SpanRow.layer == fixed(Layer.MODEL.value),
                      (SpanRow.author == bindparam("user")) & (SpanRow.layer != fixed(Layer.MODEL.value)))]
    parts = [document, *window]
    if with_target:
        parts.append(select(literal(2), *(_nothing(k) for k in _DOC_TYPES), _target.id, _target.document_id,
                            _target.start, _target.end, _target.label, _target.layer, _target.author, _target.rejected)
                     .where(_target.id == bindparam("span_id")))
    return union_all(*parts).order_by("part", "span_start")


_BY_DOCUMENT = Precompiled(_statement(bindparam("document_id"), bindparam("window_start"), bindparam("window_end"),
                                      False))
_BY_SPAN = Precompiled(_statement(_target_column(_target.document_id), _target_column(_target.start),
                                  _target_column(_target.end), True))
_DOCUMENT_ONLY = Precompiled(select(*_DOCUMENT_COLUMNS).where(DocumentRow.id == bindparam("document_id"), visible()))


def read_for_edit(c: Connection, user: str, label: str | None, *, document_id: int | None = None,
                  span_id: int | None = None, window: tuple[int, int] | None = None) -> EditRead:
    """What an edit of ``document_id`` (spans overlapping ``window``; every span without one) or of the
    entity ``span_id`` (spans overlapping it and ``window``) needs, in one statement when the spans read
    reach no further than the window; otherwise the window widens until none does (layer rules stay
    exact), a statement more."""
    params: dict[str, object] = {"label": label or "", "user": user}
    if span_id is None and window is None:
        found = _DOCUMENT_ONLY.run(c, {**params, "document_id": document_id}).first()
        if found is None:
            raise NotFound(f"no document with id {document_id}")
        model, human = layers(c, found.id, user)
        return EditRead(_document(found), bool(found.label_known), None, model, human)
    if span_id is None:
        assert window is not None
        rows = _BY_DOCUMENT.run(c, {**params, "document_id": document_id, "window_start": window[0],
                                    "window_end": window[1]}).all()
    else:
        rows = _BY_SPAN.run(c, {**params, "span_id": span_id}).all()
    doc = next((r for r in rows if r.part == 0), None)
    target = next((_span(r) for r in rows if r.part == 2), None)
    if span_id is not None and target is None:
        raise NotFound(f"no span with id {span_id} (it may have been changed elsewhere)")
    if doc is None:
        raise NotFound(f"no document with id {document_id if target is None else target.document_id}")
    spans = [_span(r) for r in rows if r.part == 1]
    if target is not None:
        loaded = (target.start, target.end)
        wanted = (min(loaded[0], window[0]), max(loaded[1], window[1])) if window else loaded
    else:
        assert window is not None
        loaded = wanted = window
    if wanted == loaded and all(loaded[0] <= sp.start and sp.end <= loaded[1] for sp in spans):
        model = [sp for sp in spans if sp.layer is Layer.MODEL]
        human = [sp for sp in spans if sp.layer is Layer.HUMAN]
    else:
        model, human = layers(c, doc.id, user, wanted)
    return EditRead(_document(doc), bool(doc.label_known), target, model, human)


def _document(r: Any) -> EditedDocument:
    return EditedDocument(r.id, r.title, r.text, r.status, r.status_by, r.version)


def _span(r: Any) -> Span:
    return Span(r.span_id, r.span_document, r.span_start, r.span_end, r.span_label, Layer(r.span_layer),
                r.span_author, bool(r.span_rejected))

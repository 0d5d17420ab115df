"""Human edits and their undo. Each runs inside the caller's one transaction and returns its ``Changes``.

An edit names the document version its window last read (``expected_version``); a document changed
since is a ``ConflictError`` and nothing is written. ``revert`` is checked the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from annotator.core.changes import Changes, StatusChange
from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError, ConflictError, NotFound, SpanRefused
from annotator.core.labels import label_name
from annotator.core.plural import plural
from annotator.core.span import Layer, Span, check_bounds, overlapping, split_layers
from annotator.store.edit_reads import read_for_edit
from annotator.store.precompiled import Precompiled
from annotator.store.queries import document_row
from annotator.store.records import span_of
from annotator.store.schema import DocumentRow, LabelRow, SpanRow, layer_is, utcnow

# Built once and run precompiled (``store/precompiled.py``): statements built per edit cost more than
# running them, and so did SQLAlchemy's handling of each call.
_LABEL = Precompiled(select(LabelRow.name).where(LabelRow.name == bindparam("name")))
_SPAN_VALUES = ["document_id", "start", "end", "label", "layer", "author", "rejected", "created_at"]
_INSERT_SPAN = Precompiled(insert(SpanRow).returning(SpanRow.id), _SPAN_VALUES)
_DELETE_SPAN = Precompiled(delete(SpanRow).where(SpanRow.id == bindparam("span_id")))

# What accepting a document does with the suggestions still shown: confirm them, or dismiss them.
Unreviewed = Literal["confirm", "dismiss"]


_BUMP = Precompiled(update(DocumentRow).where(DocumentRow.id == bindparam("document_id"),
                                              DocumentRow.version == bindparam("version"))
                    .values(status=bindparam("status"), status_by=bindparam("status_by"),
                            updated_at=bindparam("updated_at"), version=DocumentRow.version + 1))


class _Edit:
    """Accumulates one human edit inside its transaction and reports it as ``Changes``."""

    def __init__(self, s: Session | Connection, document_id: int | None, user: str, expected_version: int | None,
                 window: tuple[int, int] | None = None, label: str | None = None, span_id: int | None = None) -> None:
        if not user:
            raise AnnotatorError("an edit needs an annotator name")
        self.user = user
        # Every statement runs on a plain connection (the session's, when given one): through
        # ``Session.execute`` each also went through the ORM's statement handling (bulk insert,
        # synchronize on update), which cost several times the statement itself.
        self.c = s if isinstance(s, Connection) else s.connection()
        read = read_for_edit(self.c, user, label, document_id=document_id, span_id=span_id, window=window)
        self.doc, self.target, self.model, self.human = read.doc, read.target, read.model, read.human
        self._known_label = label if read.label_known else None
        if expected_version is not None and self.doc.version != expected_version:
            raise ConflictError(f"'{self.doc.title}' was changed by someone else since you last saw it; "
                                "nothing was saved")
        self.added: list[Span] = []
        self.removed: list[Span] = []
        self.statuses: list[StatusChange] = []

    def span(self) -> Span:
        """The entity this edit was opened on (by span id)."""
        assert self.target is not None
        return self.target

    # checks
    def check_label(self, label: str) -> None:
        if label != self._known_label and _LABEL.run(self.c, {"name": label}).scalar() is None:
            raise SpanRefused(f"unknown label {label!r}; add it to the label scheme first")

    def check_new(self, start: int, end: int, ignore: int | None) -> None:
        check_bounds(self.doc.text, start, end)
        mine = [h for h in self.human if not h.rejected and h.id != ignore]
        clash = overlapping(mine, start, end)
        if clash:
            c = clash[0]
            raise SpanRefused(
                f"overlaps the {c.label} entity '{self.doc.text[c.start:c.end]}' ({c.start}-{c.end}); "
                "entities may not overlap"
            )

    def own(self, span: Span) -> None:
        if span.layer is Layer.HUMAN and span.author != self.user:
            raise SpanRefused(f"this entity belongs to {span.author}")

    def visible_suggestions(self) -> list[Span]:
        return split_layers(self.model, self.human)[1]

    def suggested(self, span: Span) -> bool:
        return any(m.id == span.id for m in self.visible_suggestions())

    # changes
    def add(self, start: int, end: int, label: str, rejected: bool = False) -> None:
        # A Core INSERT … RETURNING: the ORM's unit of work cost more than the statement itself.
        span_id = _INSERT_SPAN.run(self.c, {
            "document_id": self.doc.id, "start": start, "end": end, "label": label, "layer": Layer.HUMAN.value,
            "author": self.user, "rejected": rejected, "created_at": utcnow()}).scalar()
        assert span_id is not None
        span = Span(span_id, self.doc.id, start, end, label, Layer.HUMAN, self.user, rejected)
        self.added.append(span)
        self.human.append(span)

    def remove(self, span: Span) -> None:
        _DELETE_SPAN.run(self.c, {"span_id": span.id})
        self.removed.append(span)
        self.human = [h for h in self.human if h.id != span.id]

    def reject(self, suggestion: Span) -> None:
        if not any(r.rejected and r.same_place(suggestion) and r.label == suggestion.label for r in self.human):
            self.add(suggestion.start, suggestion.end, suggestion.label, rejected=True)

    def status(self, new: DocumentStatus) -> None:
        before = DocumentStatus(self.doc.status)
        if before is not new:
            self.statuses.append(StatusChange(self.doc.id, before, new, self.doc.status_by, self.user))
            self.doc.status = new.value
            self.doc.status_by = self.user

    def done(self, description: str) -> Changes:
        untouched = (DocumentStatus.NEW, DocumentStatus.PREANNOTATED)
        if (self.added or self.removed) and not self.statuses and DocumentStatus(self.doc.status) in untouched:
            self.status(DocumentStatus.IN_PROGRESS)
        # One UPDATE, checked against the version read: a concurrent writer makes it a conflict.
        bumped = _BUMP.run(self.c, {"document_id": self.doc.id, "version": self.doc.version,
                                    "status": self.doc.status, "status_by": self.doc.status_by,
                                    "updated_at": utcnow()})
        if bumped.rowcount != 1:
            raise ConflictError(f"'{self.doc.title}' was changed by someone else meanwhile; nothing was saved")
        self.doc.version += 1
        return Changes(
            document_ids=frozenset({self.doc.id}),
            added=tuple(self.added),
            removed=tuple(self.removed),
            statuses=tuple(self.statuses),
            description=description,
            versions={self.doc.id: self.doc.version},
        )


def add_span(s: Connection, document_id: int, start: int, end: int, label: str, user: str,
             expected_version: int | None, replace: bool = False) -> Changes:
    label = label_name(label)  # the scheme's names are NFC: a decomposed "PERSÖN" means the same label
    edit = _Edit(s, document_id, user, expected_version, window=(start, end), label=label)
    edit.check_label(label)
    replaced: list[Span] = []
    if replace:  # the person's own entities under the new one give way, in the same edit
        check_bounds(edit.doc.text, start, end)
        replaced = overlapping([h for h in edit.human if not h.rejected], start, end)
        for old in replaced:
            edit.own(old)
            edit.remove(old)
    edit.check_new(start, end, ignore=None)
    edit.add(start, end, label)
    # Suggestions the replaced entities were hiding, outside the new one, must not pop up beside it.
    for old in replaced:
        for m in overlapping(edit.model, old.start, old.end):
            if edit.suggested(m):
                edit.reject(m)
    return edit.done(f"replace with {label}" if replaced else f"add {label}")


def label_places(s: Session, user: str, label: str, places: Mapping[int, Sequence[tuple[int, int]]],
                 expected_versions: Mapping[int, int] | None) -> Changes:
    """Annotate all occurrences: ``label`` on every (start, end) of ``places`` (document id -> offsets),
    replacing the person's own entities there, in one transaction (one undo step)."""
    label = label_name(label)
    merged: list[Changes] = []
    for doc_id, spots in sorted(places.items()):
        expected = expected_versions.get(doc_id) if expected_versions else None
        edit = _Edit(s, doc_id, user, expected, window=(min(a for a, _ in spots), max(b for _, b in spots)))
        edit.check_label(label)
        for start, end in sorted(spots):
            mine = overlapping([h for h in edit.human if not h.rejected], start, end)
            if any((h.start, h.end, h.label) == (start, end, label) for h in mine):
                continue  # already so
            for old in mine:
                edit.own(old)
                edit.remove(old)
            edit.check_new(start, end, ignore=None)
            edit.add(start, end, label)
        merged.append(edit.done(f"label {label}"))
    return Changes(
        document_ids=frozenset(d for c in merged for d in c.document_ids),
        added=tuple(sp for c in merged for sp in c.added),
        removed=tuple(sp for c in merged for sp in c.removed),
        statuses=tuple(st for c in merged for st in c.statuses),
        description=f"label {plural(sum(len(v) for v in places.values()), 'occurrence')} {label}",
        versions={d: v for c in merged for d, v in c.versions.items()},
    )


def delete_span(s: Connection, span_id: int, user: str, expected_version: int | None) -> Changes:
    edit = _Edit(s, None, user, expected_version, span_id=span_id)
    span = edit.span()
    if span.layer is Layer.MODEL:
        edit.reject(span)
    else:
        edit.own(span)
        edit.remove(span)
        for m in overlapping(edit.model, span.start, span.end):
            if edit.suggested(m):
                edit.reject(m)
    return edit.done(f"delete {span.label}")


def relabel_span(s: Connection, span_id: int, label: str, user: str, expected_version: int | None) -> Changes:
    label = label_name(label)
    edit = _Edit(s, None, user, expected_version, label=label, span_id=span_id)
    span = edit.span()
    edit.check_label(label)
    if span.layer is Layer.HUMAN:
        edit.own(span)
        edit.remove(span)
    edit.add(span.start, span.end, label)
    return edit.done(f"relabel {span.label} → {label}")


def resize_span(s: Connection, span_id: int, start: int, end: int, user: str, expected_version: int | None) -> Changes:
    edit = _Edit(s, None, user, expected_version, window=(start, end), span_id=span_id)
    span = edit.span()
    edit.check_new(start, end, ignore=span.id)
    if span.layer is Layer.HUMAN:
        edit.own(span)
        edit.remove(span)
    edit.add(start, end, span.label)
    # Shrunk or moved: suggestions the old extent was hiding (or the suggestion itself) must
    # not pop up beside the entity the person just placed.
    for m in overlapping(edit.model, span.start, span.end):
        if edit.suggested(m):
            edit.reject(m)
    return edit.done(f"resize {span.label}")


def confirm_suggestion(s: Connection, span_id: int, user: str, expected_version: int | None) -> Changes:
    edit = _Edit(s, None, user, expected_version, span_id=span_id)
    span = edit.span()
    if span.layer is not Layer.MODEL:
        raise SpanRefused("only a model suggestion can be confirmed")
    if not edit.suggested(span):
        raise SpanRefused("this suggestion is hidden by one of your entities or was rejected")
    edit.add(span.start, span.end, span.label)
    return edit.done(f"confirm {span.label}")


def accept_all_suggestions(s: Connection, document_id: int, user: str, expected_version: int | None) -> Changes:
    edit = _Edit(s, document_id, user, expected_version)
    for m in edit.visible_suggestions():
        edit.add(m.start, m.end, m.label)
    return edit.done("accept all suggestions")


def set_status(s: Connection, document_id: int, status: DocumentStatus, user: str,
               expected_version: int | None, unreviewed: Unreviewed = "confirm") -> Changes:
    return _settle(_Edit(s, document_id, user, expected_version), status, unreviewed)


def set_status_if_other(s: Connection, document_id: int, status: DocumentStatus, user: str,
                        unreviewed: Unreviewed) -> Changes | None:
    """``set_status``, except that a document that has ``status`` already is left alone (None)."""
    edit = _Edit(s, document_id, user, None)
    return None if edit.doc.status == status.value else _settle(edit, status, unreviewed)


def _settle(edit: _Edit, status: DocumentStatus, unreviewed: Unreviewed) -> Changes:
    if status is DocumentStatus.ACCEPTED:
        for m in edit.visible_suggestions():
            if unreviewed == "confirm":
                edit.add(m.start, m.end, m.label)
            else:
                edit.reject(m)
    edit.status(status)
    return edit.done(f"mark {status.value}")


def adopt_version(s: Session, document_id: int, from_user: str, reviewer: str,
                  expected_version: int | None) -> Changes:
    edit = _Edit(s, document_id, reviewer, expected_version)
    source = [span_of(r) for r in s.scalars(select(SpanRow).where(
        SpanRow.document_id == document_id, layer_is(Layer.HUMAN.value), SpanRow.author == from_user))]
    if not source and edit.doc.status_by != from_user:
        raise NotFound(f"{from_user} has not annotated this document")
    for old in list(edit.human):
        edit.remove(old)
    for span in source:
        edit.add(span.start, span.end, span.label, rejected=span.rejected)
    return edit.done(f"take {from_user}'s version")


def revert(s: Session, changes: Changes, expected_versions: Mapping[int, int] | None) -> Changes:
    ids = changes.document_ids | {st.document_id for st in changes.statuses} | set(expected_versions or ())
    docs = {doc_id: document_row(s, doc_id) for doc_id in sorted(ids)}
    _check_unchanged(changes, docs, expected_versions or {})
    for span in changes.added:
        row = s.get(SpanRow, span.id)
        if row is None:
            raise ConflictError("cannot undo: the entity was changed elsewhere; reload the document")
        s.delete(row)
    s.flush()
    for span in changes.removed:
        s.add(SpanRow(id=span.id, document_id=span.document_id, start=span.start, end=span.end,
                      label=span.label, layer=span.layer.value, author=span.author, rejected=span.rejected))
    for st in changes.statuses:
        doc = docs[st.document_id]
        doc.status, doc.status_by = st.before.value, st.before_by
    for doc_id in changes.document_ids:
        docs[doc_id].updated_at = utcnow()
    s.flush()
    return Changes(
        document_ids=changes.document_ids,
        added=changes.removed,
        removed=changes.added,
        statuses=tuple(st.inverted() for st in changes.statuses),
        description=changes.description,
        versions={doc_id: docs[doc_id].version for doc_id in changes.document_ids},
    )


def _check_unchanged(changes: Changes, docs: Mapping[int, DocumentRow], expected_versions: Mapping[int, int]) -> None:
    """Undo only what is still as the edit left it: a document someone changed since the caller last
    read it, or whose status someone moved since the edit, is a conflict."""
    for doc_id, seen in expected_versions.items():
        doc = docs[doc_id]
        if doc.version != seen:
            raise ConflictError(f"'{doc.title}' was changed by someone else since you last saw it; nothing was undone")
    for st in changes.statuses:
        doc = docs[st.document_id]
        if doc.status != st.after.value or (st.after_by is not None and doc.status_by != st.after_by):
            raise ConflictError(f"'{doc.title}' was marked {doc.status} by {doc.status_by or 'someone else'} "
                                "since; nothing was undone")

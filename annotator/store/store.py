"""The ``Store``: the one API every caller (CLI, GUI, tests, importers, models) reads and writes through.

Every human edit is one committed transaction and returns the ``Changes`` it made; ``revert`` undoes
any ``Changes``. Bulk work (imports, model predictions) is one transaction per call, all-or-nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ColumnElement, Engine, delete, func, insert, select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from annotator.core.changes import Changes, StatusChange
from annotator.core.document import DocumentStatus, NewDocument, title_of
from annotator.core.errors import AnnotatorError, ConflictError, NotFound, SpanRefused, StoreUnavailable
from annotator.core.labels import DEFAULT_LABELS, Label, validate_label
from annotator.core.span import GOLD, Layer, Span, SpanData, check_bounds, overlapping, split_layers
from annotator.store import migrate
from annotator.store.engine import make_engine, resolve_url, writer
from annotator.store.records import (
    DocumentBundle,
    DocumentInfo,
    DocumentSummary,
    DocumentView,
    ImportReport,
    Stats,
    TrainedModel,
    info_of,
    span_of,
)
from annotator.store.schema import DocumentRow, LabelRow, SettingRow, SpanRow, TrainedModelRow, utcnow

log = logging.getLogger(__name__)

# Colours handed to labels that arrive from an import or a model without one.
_EXTRA_COLOURS = ("#a0c4ff", "#ffc6ff", "#caffbf", "#fdffb6", "#ffadad", "#9bf6ff", "#bdb2ff", "#ffd6a5")
_CHUNK = 500  # keeps IN (...) lists under every backend's parameter limit


class Store:
    """A database of documents and their spans. Thread-safe: each call uses its own short session."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)
        self.url = engine.url.render_as_string(hide_password=True)
        self.backup: str | None = None  # where the pre-upgrade copy went, when opening upgraded the schema

    @classmethod
    def open(cls, url_or_path: str | None = None) -> Store:
        """Open (creating or upgrading through Alembic) the store at ``url_or_path`` or the default."""
        engine = make_engine(resolve_url(url_or_path))
        try:
            backup = migrate.backup_before_upgrade(engine)
            if backup is not None:
                log.warning("upgrading the database schema; a copy of the old one is at %s", backup)
            migrate.upgrade(engine)
        except OperationalError as exc:
            engine.dispose()
            raise AnnotatorError(f"cannot open the database {engine.url!r}: {exc.orig}") from exc
        store = cls(engine)
        store.backup = backup
        store._seed_labels()
        return store

    def close(self) -> None:
        self.engine.dispose()

    # -- sessions ---------------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with _translated_errors(), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One committed transaction, with backend failures turned into messages a user can act on."""
        with _translated_errors(), Session(self._writer, expire_on_commit=False) as session, session.begin():
            yield session


    # -- labels -----------------------------------------------------------------------------

    def _seed_labels(self) -> None:
        with self._write() as s:
            if s.scalar(select(func.count()).select_from(LabelRow)):
                return
            for pos, label in enumerate(DEFAULT_LABELS):
                s.add(LabelRow(name=label.name, colour=label.colour, key=label.key,
                               description=label.description, position=pos))

    def labels(self) -> list[Label]:
        with self._read() as s:
            rows = s.scalars(select(LabelRow).order_by(LabelRow.position, LabelRow.name)).all()
            return [Label(r.name, r.colour, r.key, r.description) for r in rows]

    def add_label(self, label: Label) -> Changes:
        """Add a label to the scheme (or update its colour, key and description)."""
        with self._write() as s:
            existing = {r.name: Label(r.name, r.colour, r.key) for r in s.scalars(select(LabelRow))}
            validate_label(label, existing)
            row = s.get(LabelRow, label.name)
            if row is None:
                position = (s.scalar(select(func.max(LabelRow.position))) or 0) + 1
                s.add(LabelRow(name=label.name, colour=label.colour, key=label.key,
                               description=label.description, position=position))
            else:
                row.colour, row.key, row.description = label.colour, label.key, label.description
        return Changes(labels_changed=True, description=f"label {label.name}")

    def _ensure_labels(self, s: Session, names: set[str]) -> list[str]:
        """Labels met in imports or predictions join the scheme (with a colour, no key)."""
        known = set(s.scalars(select(LabelRow.name)))
        missing = sorted(names - known)
        position = (s.scalar(select(func.max(LabelRow.position))) or 0) + 1
        for i, name in enumerate(missing):
            s.add(LabelRow(name=name, colour=_EXTRA_COLOURS[i % len(_EXTRA_COLOURS)], key=None,
                           description="", position=position + i))
        return missing

    # -- reading ----------------------------------------------------------------------------

    def document_count(self, statuses: Collection[DocumentStatus] | None = None, language: str | None = None) -> int:
        query = select(func.count()).select_from(DocumentRow)
        if statuses is not None:
            query = query.where(DocumentRow.status.in_([s.value for s in statuses]))
        if language is not None:
            query = query.where(DocumentRow.language == language)
        with self._read() as s:
            return s.scalar(query) or 0

    def list_documents(self) -> list[DocumentSummary]:
        """Every document with its entity counts, in import order."""
        with self._read() as s:
            counts: dict[tuple[int, str], int] = {}
            count_rows = s.execute(
                select(SpanRow.document_id, SpanRow.layer, func.count())
                .where(SpanRow.rejected.is_(False))
                .group_by(SpanRow.document_id, SpanRow.layer)
            )
            for doc_id, layer, n in count_rows:
                counts[(doc_id, layer)] = n
            rows = s.execute(
                select(DocumentRow.id, DocumentRow.title, DocumentRow.source, DocumentRow.language,
                       DocumentRow.status, DocumentRow.updated_at).order_by(DocumentRow.id)
            )
            statuses = {s.value: s for s in DocumentStatus}  # a dict lookup, not an enum call per row
            return [
                DocumentSummary(
                    id=r.id, title=r.title, source=r.source, language=r.language,
                    status=statuses[r.status],
                    human_count=counts.get((r.id, Layer.HUMAN.value), 0),
                    model_count=counts.get((r.id, Layer.MODEL.value), 0),
                    updated_at=r.updated_at,
                )
                for r in rows
            ]

    def summary(self, document_id: int) -> DocumentSummary:
        """One row of ``list_documents`` (to refresh a list after an edit)."""
        with self._read() as s:
            d = self._doc(s, document_id)
            counts = dict(s.execute(
                select(SpanRow.layer, func.count())
                .where(SpanRow.document_id == document_id, SpanRow.rejected.is_(False))
                .group_by(SpanRow.layer)
            ).all())
            return DocumentSummary(d.id, d.title, d.source, d.language, DocumentStatus(d.status),
                                   counts.get(Layer.HUMAN.value, 0), counts.get(Layer.MODEL.value, 0), d.updated_at)

    def documents_with_label(self, label: str) -> set[int]:
        """Documents where anyone or any model marked ``label`` (for the list's label filter)."""
        with self._read() as s:
            return set(s.scalars(
                select(SpanRow.document_id).where(SpanRow.label == label, SpanRow.rejected.is_(False)).distinct()
            ))

    def document(self, document_id: int) -> DocumentInfo:
        with self._read() as s:
            return info_of(self._doc(s, document_id))

    def view(self, document_id: int, user: str) -> DocumentView:
        """The document as ``user`` sees it: their own entities over the current model's suggestions."""
        with self._read() as s:
            doc = self._doc(s, document_id)
            model, human = self._layers(s, document_id, user)
            confirmed, suggestions, rejections = split_layers(model, human)
            return DocumentView(info_of(doc), doc.text, tuple(confirmed), tuple(suggestions), tuple(rejections),
                                tuple(model))

    def texts(self, document_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """``{id: (text, language)}`` for a batch of documents (for models and exporters)."""
        out: dict[int, tuple[str, str]] = {}
        with self._read() as s:
            for i in range(0, len(document_ids), _CHUNK):
                chunk = document_ids[i : i + _CHUNK]
                for row in s.execute(
                    select(DocumentRow.id, DocumentRow.text, DocumentRow.language).where(DocumentRow.id.in_(chunk))
                ):
                    out[row.id] = (row.text, row.language)
        return out

    def bundles(
        self,
        statuses: Collection[DocumentStatus] | None = None,
        language: str | None = None,
        batch_size: int = _CHUNK,
    ) -> Iterator[list[DocumentBundle]]:
        """Documents (in id order) with all their spans, a batch at a time: an export of 100,000
        documents never holds more than one batch in memory."""
        query = select(DocumentRow.id).order_by(DocumentRow.id)
        if statuses is not None:
            query = query.where(DocumentRow.status.in_([s.value for s in statuses]))
        if language is not None:
            query = query.where(DocumentRow.language == language)
        with self._read() as s:
            ids = list(s.scalars(query))
        for i in range(0, len(ids), batch_size):
            chunk = ids[i : i + batch_size]
            with self._read() as s:
                docs = s.scalars(select(DocumentRow).where(DocumentRow.id.in_(chunk)).order_by(DocumentRow.id)).all()
                spans: dict[int, list[Span]] = {doc_id: [] for doc_id in chunk}
                # Plain rows, not ORM objects: an export reads every span of the corpus once.
                for span in _plain_spans(s, SpanRow.document_id.in_(chunk)):
                    spans[span.document_id].append(span)
                yield [
                    DocumentBundle(
                        info_of(d), d.text,
                        tuple(sp for sp in spans[d.id] if sp.layer is Layer.MODEL),
                        tuple(sp for sp in spans[d.id] if sp.layer is Layer.HUMAN),
                    )
                    for d in docs
                ]

    def ids_needing_suggestions(self, language: str | None = None, rerun: bool = False) -> list[int]:
        """Unfinished documents with no model suggestions yet (all unfinished ones with ``rerun``)."""
        finished = [DocumentStatus.ACCEPTED.value, DocumentStatus.REJECTED.value]
        query = select(DocumentRow.id).where(DocumentRow.status.not_in(finished)).order_by(DocumentRow.id)
        if not rerun:
            query = query.where(DocumentRow.suggested_by.is_(None))
        if language is not None:
            query = query.where(DocumentRow.language == language)
        with self._read() as s:
            return list(s.scalars(query))

    def stats(self) -> Stats:
        with self._read() as s:
            by_status = dict(s.execute(select(DocumentRow.status, func.count()).group_by(DocumentRow.status)).all())
            by_language = dict(
                s.execute(select(DocumentRow.language, func.count()).group_by(DocumentRow.language)).all()
            )
            spans = {
                (label, layer): n
                for label, layer, n in s.execute(
                    select(SpanRow.label, SpanRow.layer, func.count())
                    .where(SpanRow.rejected.is_(False))
                    .group_by(SpanRow.label, SpanRow.layer)
                )
            }
            rejections = s.scalar(select(func.count()).select_from(SpanRow).where(SpanRow.rejected.is_(True))) or 0
            return Stats(sum(by_status.values()), by_status, by_language, spans, rejections)

    def _doc(self, s: Session, document_id: int) -> DocumentRow:
        doc = s.get(DocumentRow, document_id)
        if doc is None:
            raise NotFound(f"no document with id {document_id}")
        return doc

    def _layers(self, s: Session, document_id: int, user: str,
                window: tuple[int, int] | None = None) -> tuple[list[Span], list[Span]]:
        """(model spans, ``user``'s spans) of a document, as plain rows; with ``window``, only those
        overlapping it, widened until no loaded span reaches outside (so layer rules stay exact)."""
        while True:
            where = [SpanRow.document_id == document_id,
                     (SpanRow.layer == Layer.MODEL.value) | (SpanRow.author == user)]
            if window is not None:
                where += [SpanRow.start < window[1], SpanRow.end > window[0]]
            spans = _plain_spans(s, *where)
            if window is None or not spans:
                break
            wider = (min([window[0]] + [sp.start for sp in spans]), max([window[1]] + [sp.end for sp in spans]))
            if wider == window:
                break
            window = wider
        model = [sp for sp in spans if sp.layer is Layer.MODEL]
        human = [sp for sp in spans if sp.layer is Layer.HUMAN]
        return model, human

    # -- bulk writes ------------------------------------------------------------------------

    def import_documents(
        self,
        items: Sequence[tuple[NewDocument, Sequence[SpanData]]],
        layer: Layer = Layer.HUMAN,
        author: str = "import",
    ) -> ImportReport:
        """Add documents and their spans in one transaction; documents already stored (same content
        hash, or repeated within ``items``) are reported as duplicates and skipped."""
        report = ImportReport()
        with self._write() as s:
            hashes = [doc.content_hash for doc, _ in items]
            existing: dict[str, int] = {}
            for i in range(0, len(hashes), _CHUNK):
                rows = s.execute(
                    select(DocumentRow.content_hash, DocumentRow.id).where(
                        DocumentRow.content_hash.in_(hashes[i : i + _CHUNK])
                    )
                )
                existing.update((digest, doc_id) for digest, doc_id in rows)
            seen: set[str] = set()
            span_rows: list[dict[str, Any]] = []
            labels: set[str] = set()
            now = utcnow()
            for (doc, spans), digest in zip(items, hashes, strict=True):
                if digest in existing or digest in seen:
                    report.duplicates.append((doc.source, existing.get(digest)))
                    continue
                seen.add(digest)
                row = DocumentRow(
                    text=doc.text, source=doc.source, title=title_of(doc.text)[:200], language=doc.language,
                    content_hash=digest, status=doc.status.value, status_by=author if spans else None,
                    had_bom=doc.had_bom, meta=doc.meta, created_at=now, updated_at=now,
                    suggested_by=author if spans and layer is Layer.MODEL else None,
                )
                s.add(row)
                s.flush()
                report.added.append(row.id)
                for span in spans:
                    labels.add(span.label)
                    span_rows.append(dict(document_id=row.id, start=span.start, end=span.end, label=span.label,
                                          layer=layer.value, author=author, rejected=False, created_at=now))
            if span_rows:
                s.execute(insert(SpanRow), span_rows)
            report.spans = len(span_rows)
            report.new_labels = self._ensure_labels(s, labels)
        return report

    def replace_suggestions(self, batch: Mapping[int, Sequence[SpanData]], author: str) -> int:
        """Make ``author``'s predictions the model layer of each document in ``batch`` (one transaction).

        Only model rows are touched: whatever a person confirmed, drew or rejected stays as it was.
        Documents that were ``new`` become ``pre-annotated``. Returns the number of spans written.
        """
        if not batch:
            return 0
        ids = list(batch)
        now = utcnow()
        rows = [
            dict(document_id=doc_id, start=sp.start, end=sp.end, label=sp.label, layer=Layer.MODEL.value,
                 author=author, rejected=False, created_at=now)
            for doc_id, spans in batch.items()
            for sp in spans
        ]
        with self._write() as s:
            s.execute(delete(SpanRow).where(SpanRow.document_id.in_(ids), SpanRow.layer == Layer.MODEL.value))
            if rows:
                s.execute(insert(SpanRow), rows)
            s.execute(
                update(DocumentRow)
                .where(DocumentRow.id.in_(ids))
                .values(suggested_by=author, version=DocumentRow.version + 1)
            )
            s.execute(
                update(DocumentRow)
                .where(DocumentRow.id.in_(ids), DocumentRow.status == DocumentStatus.NEW.value)
                .values(status=DocumentStatus.PREANNOTATED.value)
            )
            self._ensure_labels(s, {r["label"] for r in rows})
        return len(rows)

    # -- models and settings -------------------------------------------------------------------

    def register_model(self, model: TrainedModel) -> TrainedModel:
        """Record a trained model (the folder must already be complete: registering is the last step)."""
        with self._write() as s:
            row = TrainedModelRow(
                name=model.name, version=model.version, path=model.path, language=model.language, base=model.base,
                data_hash=model.data_hash, labels=list(model.labels), settings=dict(model.settings),
                scores=dict(model.scores), created_at=model.created_at,
            )
            s.add(row)
            s.flush()
            return _trained(row)

    def trained_models(self, language: str | None = None) -> list[TrainedModel]:
        query = select(TrainedModelRow).order_by(TrainedModelRow.id)
        if language is not None:
            query = query.where(TrainedModelRow.language == language)
        with self._read() as s:
            return [_trained(r) for r in s.scalars(query)]

    def setting(self, key: str, default: Any = None) -> Any:
        with self._read() as s:
            row = s.get(SettingRow, key)
            return default if row is None else row.value

    def set_setting(self, key: str, value: Any) -> None:
        with self._write() as s:
            row = s.get(SettingRow, key)
            if value is None:
                if row is not None:
                    s.delete(row)
            elif row is None:
                s.add(SettingRow(key=key, value=value))
            else:
                row.value = value

    def suggestion_models(self) -> dict[str, str]:
        """``{language: package name or model folder}`` chosen for suggestions in this project."""
        prefix = "suggestion_model."
        with self._read() as s:
            rows = s.scalars(select(SettingRow).where(SettingRow.key.startswith(prefix)))
            return {r.key[len(prefix):]: str(r.value) for r in rows}

    def set_suggestion_model(self, language: str, model: str | None) -> None:
        self.set_setting(f"suggestion_model.{language}", model)

    def set_language(self, document_id: int, language: str) -> None:
        """Override the detected language (the tokenizer and model follow it)."""
        with self._write() as s:
            doc = self._doc(s, document_id)
            doc.language = language
            doc.updated_at = utcnow()

    # -- human edits: each one transaction, each returns its Changes --------------------------

    def add_span(self, document_id: int, start: int, end: int, label: str, user: str,
                 expected_version: int | None = None) -> Changes:
        """Draw a new entity. Model suggestions under it give way; another of the user's entities there
        refuses the edit (NER spans do not overlap)."""
        with self._write() as s:
            edit = _Edit(self, s, document_id, user, expected_version, window=(start, end))
            edit.check_label(label)
            edit.check_new(start, end, ignore=None)
            edit.add(start, end, label)
            return edit.done(f"add {label}")

    def delete_span(self, span_id: int, user: str, expected_version: int | None = None) -> Changes:
        """Remove an entity or dismiss a suggestion. Deleting means "no entity here": suggestions that
        the deleted entity was hiding are rejected too, so nothing pops up in its place."""
        with self._write() as s:
            span = self._span(s, span_id)
            edit = _Edit(self, s, span.document_id, user, expected_version, window=(span.start, span.end))
            if span.layer is Layer.MODEL:
                edit.reject(span)
            else:
                edit.own(span)
                edit.remove(span)
                for m in overlapping(edit.model, span.start, span.end):
                    if edit.suggested(m):
                        edit.reject(m)
            return edit.done(f"delete {span.label}")

    def relabel_span(self, span_id: int, label: str, user: str, expected_version: int | None = None) -> Changes:
        with self._write() as s:
            span = self._span(s, span_id)
            edit = _Edit(self, s, span.document_id, user, expected_version, window=(span.start, span.end))
            edit.check_label(label)
            if span.layer is Layer.HUMAN:
                edit.own(span)
                edit.remove(span)
            edit.add(span.start, span.end, label)
            return edit.done(f"relabel {span.label} → {label}")

    def resize_span(self, span_id: int, start: int, end: int, user: str,
                    expected_version: int | None = None) -> Changes:
        """Move an entity's boundaries (a suggestion becomes the user's entity with the new boundaries)."""
        with self._write() as s:
            span = self._span(s, span_id)
            window = (min(start, span.start), max(end, span.end))
            edit = _Edit(self, s, span.document_id, user, expected_version, window=window)
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

    def confirm_suggestion(self, span_id: int, user: str, expected_version: int | None = None) -> Changes:
        with self._write() as s:
            span = self._span(s, span_id)
            edit = _Edit(self, s, span.document_id, user, expected_version, window=(span.start, span.end))
            if span.layer is not Layer.MODEL:
                raise SpanRefused("only a model suggestion can be confirmed")
            if not edit.suggested(span):
                raise SpanRefused("this suggestion is hidden by one of your entities or was rejected")
            edit.add(span.start, span.end, span.label)
            return edit.done(f"confirm {span.label}")

    def accept_all_suggestions(self, document_id: int, user: str, expected_version: int | None = None) -> Changes:
        with self._write() as s:
            edit = _Edit(self, s, document_id, user, expected_version)
            for m in edit.visible_suggestions():
                edit.add(m.start, m.end, m.label)
            return edit.done("accept all suggestions")

    def set_status(self, document_id: int, status: DocumentStatus, user: str,
                   expected_version: int | None = None) -> Changes:
        """Move a document in the workflow. Accepting it confirms the suggestions still shown:
        accepting says "what I see is right", and what is seen is what gets exported."""
        with self._write() as s:
            edit = _Edit(self, s, document_id, user, expected_version)
            if status is DocumentStatus.ACCEPTED:
                for m in edit.visible_suggestions():
                    edit.add(m.start, m.end, m.label)
            edit.status(status)
            return edit.done(f"mark {status.value}")

    def adopt_version(self, document_id: int, from_user: str, reviewer: str = GOLD,
                      expected_version: int | None = None) -> Changes:
        """Review: make ``from_user``'s version (entities and dismissed suggestions) the ``reviewer``
        layer of the document, replacing what was there, in one transaction (undoable)."""
        with self._write() as s:
            edit = _Edit(self, s, document_id, reviewer, expected_version)
            source = [span_of(r) for r in s.scalars(select(SpanRow).where(
                SpanRow.document_id == document_id, SpanRow.layer == Layer.HUMAN.value, SpanRow.author == from_user))]
            if not source and self._doc(s, document_id).status_by != from_user:
                raise NotFound(f"{from_user} has not annotated this document")
            for old in list(edit.human):
                edit.remove(old)
            for span in source:
                edit.add(span.start, span.end, span.label, rejected=span.rejected)
            return edit.done(f"take {from_user}'s version")

    def annotators(self, document_id: int) -> list[str]:
        """Who has a version of this document (entities, dismissals, or its status), gold excluded."""
        with self._read() as s:
            names = set(s.scalars(select(SpanRow.author).where(
                SpanRow.document_id == document_id, SpanRow.layer == Layer.HUMAN.value).distinct()))
            status_by = self._doc(s, document_id).status_by
        if status_by:
            names.add(status_by)
        names.discard(GOLD)
        return sorted(names)

    def revert(self, changes: Changes) -> Changes:
        """Undo ``changes`` in one transaction; returns the Changes that would redo them.

        Spans come back under their old ids (ids are never reused), so older undo steps that name
        them still apply. A span that someone else removed meanwhile makes this a conflict.
        """
        with self._write() as s:
            for span in changes.added:
                row = s.get(SpanRow, span.id)
                if row is None:
                    raise ConflictError("cannot undo: the entity was changed elsewhere; reload the document")
                s.delete(row)
            s.flush()
            for span in changes.removed:
                s.add(SpanRow(id=span.id, document_id=span.document_id, start=span.start, end=span.end,
                              label=span.label, layer=span.layer.value, author=span.author, rejected=span.rejected))
            inverted = []
            for st in changes.statuses:
                doc = self._doc(s, st.document_id)
                doc.status = st.before.value
                inverted.append(StatusChange(st.document_id, st.after, st.before))
            for doc_id in changes.document_ids:
                self._doc(s, doc_id).updated_at = utcnow()
        return Changes(
            document_ids=changes.document_ids,
            added=changes.removed,
            removed=changes.added,
            statuses=tuple(inverted),
            description=changes.description,
        )

    def _span(self, s: Session, span_id: int) -> Span:
        row = s.get(SpanRow, span_id)
        if row is None:
            raise NotFound(f"no span with id {span_id} (it may have been changed elsewhere)")
        return span_of(row)


class _Edit:
    """Accumulates one human edit inside its transaction and reports it as ``Changes``."""

    def __init__(self, store: Store, s: Session, document_id: int, user: str, expected_version: int | None,
                 window: tuple[int, int] | None = None) -> None:
        if not user:
            raise AnnotatorError("an edit needs an annotator name")
        self.s, self.user = s, user
        self.doc = store._doc(s, document_id)
        if expected_version is not None and self.doc.version != expected_version:
            raise ConflictError(f"'{self.doc.title}' was changed by someone else; it has been reloaded")
        # Edits of one entity only need the spans around it; whole-document edits pass no window.
        self.model, self.human = store._layers(s, document_id, user, window)
        self.added: list[Span] = []
        self.removed: list[Span] = []
        self.statuses: list[StatusChange] = []

    # checks
    def check_label(self, label: str) -> None:
        if self.s.get(LabelRow, label) is None:
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
    def add(self, start: int, end: int, label: str, rejected: bool = False) -> Span:
        row = SpanRow(document_id=self.doc.id, start=start, end=end, label=label, layer=Layer.HUMAN.value,
                      author=self.user, rejected=rejected)
        self.s.add(row)
        self.s.flush()
        span = span_of(row)
        self.added.append(span)
        self.human.append(span)
        return span

    def remove(self, span: Span) -> None:
        self.s.execute(delete(SpanRow).where(SpanRow.id == span.id))
        self.removed.append(span)
        self.human = [h for h in self.human if h.id != span.id]

    def reject(self, suggestion: Span) -> None:
        if not any(r.rejected and r.same_place(suggestion) and r.label == suggestion.label for r in self.human):
            self.add(suggestion.start, suggestion.end, suggestion.label, rejected=True)

    def status(self, new: DocumentStatus) -> None:
        before = DocumentStatus(self.doc.status)
        if before is not new:
            self.doc.status = new.value
            self.doc.status_by = self.user
            self.statuses.append(StatusChange(self.doc.id, before, new))

    def done(self, description: str) -> Changes:
        untouched = (DocumentStatus.NEW, DocumentStatus.PREANNOTATED)
        if (self.added or self.removed) and not self.statuses and DocumentStatus(self.doc.status) in untouched:
            self.status(DocumentStatus.IN_PROGRESS)
        self.doc.updated_at = utcnow()  # bumps the version: concurrent writers see the conflict
        self.s.flush()
        return Changes(
            document_ids=frozenset({self.doc.id}),
            added=tuple(self.added),
            removed=tuple(self.removed),
            statuses=tuple(self.statuses),
            description=description,
            extra={"version": self.doc.version},
        )



def _plain_spans(s: Session, *where: ColumnElement[bool]) -> list[Span]:
    """Spans as plain rows, in text order: reading whole layers through ORM objects costs several
    times more, and exports and edits read many."""
    query = select(SpanRow.id, SpanRow.document_id, SpanRow.start, SpanRow.end, SpanRow.label, SpanRow.layer,
                   SpanRow.author, SpanRow.rejected).where(*where).order_by(SpanRow.start)
    return [Span(r.id, r.document_id, r.start, r.end, r.label, Layer(r.layer), r.author, bool(r.rejected))
            for r in s.execute(query)]


@contextmanager
def _translated_errors() -> Iterator[None]:
    try:
        yield
    except StaleDataError as exc:
        raise ConflictError("the document was changed by someone else; reload it and try again") from exc
    except (OperationalError, InterfaceError) as exc:
        if "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower():
            raise AnnotatorError("the database is busy (another program is writing); try again") from exc
        if exc.connection_invalidated or engine_unreachable(exc):
            raise StoreUnavailable(f"lost the connection to the database ({_first_line(exc.orig)}); "
                                   "nothing was saved — retry when it is back") from exc
        raise AnnotatorError(f"database error: {_first_line(exc.orig)}") from exc


def engine_unreachable(exc: Exception) -> bool:
    """Errors that mean "the server is not there" rather than "this statement is wrong"."""
    text = str(getattr(exc, "orig", exc)).lower()
    return any(k in text for k in ("connection", "server closed", "terminating", "could not connect",
                                   "connection refused", "no route", "timeout", "shutdown"))


def _first_line(exc: object) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _trained(row: TrainedModelRow) -> TrainedModel:
    return TrainedModel(row.id, row.name, row.version, row.path, row.language, row.base, row.data_hash,
                        list(row.labels), dict(row.settings), dict(row.scores), row.created_at)

"""The ``Store``: the one API every caller (CLI, GUI, tests, importers, models) reads and writes through.

Every human edit is one committed transaction and returns the ``Changes`` it made; ``revert`` undoes
any ``Changes``. Model predictions are one transaction per call. An import is written in short
batches that nobody sees until it publishes them all at once (``begin_import``, ``bulk.StagedImport``),
so it is all-or-nothing without ever locking editors out.

This class only opens sessions and delegates (imports, suggestions and the work queue are in its mixin
``bulk_api.BulkMethods``); the work is done by one module per job:
``queries`` (reads), ``edits`` (human edits and undo), ``bulk`` (imports and predictions),
``project`` (labels, settings, trained models), ``session`` (transactions and error messages).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from annotator.core.changes import Changes
from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError, NotFound
from annotator.core.labels import Label
from annotator.core.language import require_language
from annotator.core.span import GOLD
from annotator.store import (
    corpus,
    edits,
    listing,
    migrate,
    project,
    queries,
    search,
)
from annotator.store.bulk_api import BulkMethods
from annotator.store.engine import is_read_only, make_engine, resolve_url, writer
from annotator.store.integrity import describe
from annotator.store.records import (
    DocumentBundle,
    DocumentInfo,
    DocumentSummary,
    DocumentView,
    LabelVariants,
    Stats,
    TrainedModel,
)
from annotator.store.session import CHUNK, reading, writing, writing_core

log = logging.getLogger(__name__)

# Opening a store spends at most about this long removing what an interrupted import left (hidden
# anyway); the next import, or the next open, removes the rest.
OPEN_SWEEP_SECONDS = 2.0


class Store(BulkMethods):
    """A database of documents and their spans. Thread-safe: each call uses its own short session."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = writer(engine)
        self.url = engine.url.render_as_string(hide_password=True)
        self.backup: str | None = None  # where the pre-upgrade copy went, when opening upgraded the schema

    @classmethod
    def open(cls, url_or_path: str | None = None) -> Store:
        """Open (creating or upgrading through Alembic) the store at ``url_or_path`` or the default.

        Refused with one message, before anything is written: a file that is not an SQLite database or
        is visibly damaged (``integrity.preflight``), a schema revision this version does not know
        (``SchemaUnknown``). A file whose folder is not writable opens read-only."""
        engine = make_engine(resolve_url(url_or_path))
        try:
            backup = migrate.prepare(engine)
            if backup is not None:
                log.warning("upgrading the database schema; a copy of the old one is at %s", backup)
            store = cls(engine)
            store.backup = backup
            if not is_read_only(engine) and not store.labels():  # no write transaction when there is nothing to do
                with store._write() as s:
                    project.seed_labels(s)
        except AnnotatorError:
            engine.dispose()
            raise
        except DBAPIError as exc:
            engine.dispose()
            raise AnnotatorError(f"cannot open the database {describe(engine)}: {_first_line(exc.orig)}") from exc
        except BaseException:
            engine.dispose()
            raise
        if not is_read_only(engine):
            try:
                store.sweep_imports(budget=OPEN_SWEEP_SECONDS)
            except (AnnotatorError, DBAPIError) as exc:  # busy, or damaged (export and check report that):
                # the leftovers stay hidden, the next import removes them
                log.warning("could not clean up after an interrupted import: %s", exc)
        return store

    def close(self) -> None:
        self.engine.dispose()

    def _read(self) -> AbstractContextManager[Session]:
        return reading(self.engine)

    def _write(self) -> AbstractContextManager[Session]:
        """One committed transaction, with backend failures turned into messages a user can act on."""
        return writing(self._writer)

    def _edit(self) -> AbstractContextManager[Connection]:
        """``_write`` on a plain connection: what one human edit runs in."""
        return writing_core(self._writer)

    # -- labels, settings, models -------------------------------------------------------------

    def labels(self) -> list[Label]:
        with self._read() as s:
            return project.labels(s)

    def add_label(self, label: Label) -> Changes:
        """Add a label to the scheme (or update its colour, key and description)."""
        with self._write() as s:
            project.add_label(s, label)
        return Changes(labels_changed=True, description=f"label {label.name}")

    def register_model(self, model: TrainedModel) -> TrainedModel:
        """Record a trained model (the folder must already be complete: registering is the last step)."""
        with self._write() as s:
            return project.register_model(s, model)

    def trained_models(self, language: str | None = None) -> list[TrainedModel]:
        with self._read() as s:
            return project.trained_models(s, language)

    def set_setting(self, key: str, value: Any) -> None:
        """Store a project-wide setting (any JSON value); ``None`` removes it."""
        with self._write() as s:
            project.set_setting(s, key, value)

    def suggestion_models(self) -> dict[str, str]:
        """``{language: package name or model folder}`` chosen for suggestions in this project."""
        with self._read() as s:
            return project.suggestion_models(s)

    def set_suggestion_model(self, language: str, model: str | None) -> None:
        with self._write() as s:
            project.set_suggestion_model(s, language, model)

    def set_language(self, document_id: int, language: str) -> None:
        """Override the detected language (the tokenizer and model follow it): any code or name spaCy's
        language is known by ("it", "Italian", "it-IT"), stored as spaCy's code; ``UnknownLanguage``
        for any other."""
        self.set_languages([document_id], language)

    def set_languages(self, document_ids: Collection[int], language: str) -> None:
        """``set_language`` on every document in one transaction: an unknown id (``NotFound``) changes none."""
        code = require_language(language)
        with self._write() as s:
            for document_id in document_ids:
                project.set_language(s, document_id, code)

    # -- reading ----------------------------------------------------------------------------

    def document_count(self, statuses: Collection[DocumentStatus] | None = None, language: str | None = None) -> int:
        with self._read() as s:
            return queries.document_count(s, statuses, language)

    def list_documents(self, user: str | None = None) -> list[DocumentSummary]:
        """Every document's list row, in import order, with ``user``'s counts (without a user: every
        annotator's entities and every model span). The window reads ``list_page`` instead."""
        with self._read() as s:
            return listing.every_row(s, user)

    def document_keys(self) -> list[tuple[int, DocumentStatus, str]]:
        """``(id, status, source)`` of every document, in import order (no counts: cheap at any size)."""
        with self._read() as s:
            return queries.document_keys(s)

    def summary(self, document_id: int, user: str | None = None) -> DocumentSummary:
        """One row of the list (to refresh it after an edit)."""
        found = self.summaries([document_id], user)
        if not found:
            raise NotFound(f"no document with id {document_id}")
        return found[0]

    def summaries(self, document_ids: Sequence[int], user: str | None = None) -> list[DocumentSummary]:
        """The list rows of ``document_ids`` that still exist, in id order."""
        with self._read() as s:
            return listing.summaries(s, list(document_ids), user)

    def list_page(self, query: listing.ListQuery, after: listing.Cursor | None = None,
                  limit: int = listing.PAGE) -> listing.Page:
        """One page of the document list, filtered and sorted by the database; ``after`` is the previous
        page's ``Page.after``."""
        with self._read() as s:
            return listing.page(s, query, after, limit)

    def list_neighbour(self, query: listing.ListQuery, current: int | None, forward: bool = True,
                       unfinished: bool = False) -> int | None:
        """The document after (before) ``current`` in the list's order (``unfinished``: the next
        unfinished one, wrapping around)."""
        with self._read() as s:
            return listing.neighbour(s, query, current, forward, unfinished)

    def list_facts(self) -> tuple[int, int, list[str]]:
        """(accepted, all documents, languages) for the list's status line and language filter."""
        with self._read() as s:
            return (*listing.progress(s), listing.languages(s))

    def search(self, query: str, in_text: bool = True, limit: int | None = None) -> list[int]:
        """Ids of the documents whose title, file name or (``in_text``) text hold every word of
        ``query`` (the last as a prefix), through the full-text indexes, in id order."""
        with self._read() as s:
            return search.search_ids(s, query, in_text, limit)

    def documents_with_label(self, label: str) -> set[int]:
        """Documents where anyone or any model marked ``label`` (for the list's label filter)."""
        with self._read() as s:
            return queries.documents_with_label(s, label)

    def document(self, document_id: int) -> DocumentInfo:
        with self._read() as s:
            return queries.document(s, document_id)

    def view(self, document_id: int, user: str) -> DocumentView:
        """The document as ``user`` sees it: their own entities over the current model's suggestions."""
        with self._read() as s:
            return queries.view(s, document_id, user)

    def texts(self, document_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """``{id: (text, language)}`` for a batch of documents (for models and exporters)."""
        with self._read() as s:
            return queries.texts(s, document_ids)

    def bundles(
        self,
        statuses: Collection[DocumentStatus] | None = None,
        language: str | None = None,
        batch_size: int = CHUNK,
    ) -> Iterator[list[DocumentBundle]]:
        """Documents (in id order) with all their spans, a batch at a time: an export of 100,000
        documents never holds more than one batch in memory."""
        with self._read() as s:
            ids = queries.document_ids(s, statuses, language)
        for i in range(0, len(ids), batch_size):
            with self._read() as s:  # a session per batch: a slow consumer holds no transaction open
                batch = queries.bundles_of(s, ids[i : i + batch_size])
            yield batch

    def ids_needing_suggestions(self, language: str | None = None, rerun: bool = False) -> list[int]:
        """Unfinished documents with no model suggestions yet (all unfinished ones with ``rerun``)."""
        with self._read() as s:
            return queries.ids_needing_suggestions(s, language, rerun)

    def stats(self) -> Stats:
        with self._read() as s:
            return queries.stats(s)

    def annotators(self, document_id: int) -> list[str]:
        """Who has a version of this document (entities, dismissals, or its status), gold excluded."""
        with self._read() as s:
            return queries.annotators(s, document_id)

    # -- human edits: each one transaction, each returns its Changes --------------------------

    def add_span(self, document_id: int, start: int, end: int, label: str, user: str,
                 expected_version: int | None = None, replace: bool = False) -> Changes:
        """Draw a new entity. Model suggestions under it give way; another of the user's entities there
        refuses the edit (NER spans do not overlap), or with ``replace`` is removed in the same edit."""
        with self._edit() as s:
            return edits.add_span(s, document_id, start, end, label, user, expected_version, replace)

    def delete_span(self, span_id: int, user: str, expected_version: int | None = None) -> Changes:
        """Remove an entity or dismiss a suggestion. Deleting means "no entity here": suggestions that
        the deleted entity was hiding are rejected too, so nothing pops up in its place."""
        with self._edit() as s:
            return edits.delete_span(s, span_id, user, expected_version)

    def relabel_span(self, span_id: int, label: str, user: str, expected_version: int | None = None) -> Changes:
        """Give an entity (or a suggestion, which becomes the user's entity) another label."""
        with self._edit() as s:
            return edits.relabel_span(s, span_id, label, user, expected_version)

    def resize_span(self, span_id: int, start: int, end: int, user: str,
                    expected_version: int | None = None) -> Changes:
        """Move an entity's boundaries (a suggestion becomes the user's entity with the new boundaries)."""
        with self._edit() as s:
            return edits.resize_span(s, span_id, start, end, user, expected_version)

    def confirm_suggestion(self, span_id: int, user: str, expected_version: int | None = None) -> Changes:
        """Make a visible model suggestion the user's entity."""
        with self._edit() as s:
            return edits.confirm_suggestion(s, span_id, user, expected_version)

    def accept_all_suggestions(self, document_id: int, user: str, expected_version: int | None = None) -> Changes:
        """Confirm every suggestion the user still sees in the document."""
        with self._edit() as s:
            return edits.accept_all_suggestions(s, document_id, user, expected_version)

    def set_status(self, document_id: int, status: DocumentStatus, user: str,
                   expected_version: int | None = None, unreviewed: edits.Unreviewed = "confirm") -> Changes:
        """Move a document in the workflow. Accepting it settles the suggestions still shown: by
        default it confirms them (accepting says "what I see is right", and what is seen is what gets
        exported); ``unreviewed="dismiss"`` dismisses them instead (they are not entities)."""
        with self._edit() as s:
            return edits.set_status(s, document_id, status, user, expected_version, unreviewed)

    def adopt_version(self, document_id: int, from_user: str, reviewer: str = GOLD,
                      expected_version: int | None = None) -> Changes:
        """Review: make ``from_user``'s version (entities and dismissed suggestions) the ``reviewer``
        layer of the document, replacing what was there, in one transaction (undoable)."""
        with self._write() as s:
            return edits.adopt_version(s, document_id, from_user, reviewer, expected_version)

    def label_places(self, user: str, label: str, places: Mapping[int, Sequence[tuple[int, int]]],
                     expected_versions: Mapping[int, int] | None = None) -> Changes:
        """Annotate all occurrences: ``label`` at every (start, end) of ``places`` (document id ->
        offsets), replacing ``user``'s own entities there, in one transaction (one undo step)."""
        with self._write() as s:
            return edits.label_places(s, user, label, places, expected_versions)

    # -- corpus-wide reads (consistency) ------------------------------------------------------

    def documents_containing(self, needle: str, limit: int | None = None) -> list[tuple[int, str, str, str]]:
        """Find entity text across the corpus: (id, title, text, language) of every document whose text
        holds ``needle`` exactly, found through the full-text index (annotate-all, consistency)."""
        with self._read() as s:
            return list(corpus.documents_containing(s, needle, limit))

    def label_variants(self, user: str) -> list[LabelVariants]:
        """Strings ``user`` confirmed (or a model suggested) under more than one label."""
        with self._read() as s:
            return corpus.label_variants(s, user)

    def revert(self, changes: Changes, expected_versions: Mapping[int, int] | None = None) -> Changes:
        """Undo ``changes`` in one transaction; returns the Changes that would redo them.

        Spans come back under their old ids (ids are never reused), so older undo steps that name
        them still apply, and statuses come back with who set them. Checked like any edit: a document
        whose version is not the one in ``expected_versions`` (document id -> version the caller last
        saw), a span someone removed meanwhile, or a status someone moved since the edit, is a
        ``ConflictError`` and nothing is undone.
        """
        with self._write() as s:
            return edits.revert(s, changes, expected_versions)

def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

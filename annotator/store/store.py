"""The ``Store``: the one API every caller (CLI, GUI, tests, importers, models) reads and writes through.

Every human edit is one committed transaction and returns the ``Changes`` it made; ``revert`` undoes
any ``Changes``. Model predictions are one transaction per call. An import is written in short
batches that nobody sees until it publishes them all at once (``begin_import``, ``bulk.StagedImport``),
so it is all-or-nothing without ever locking editors out.

This class only opens sessions and delegates; the work is done by one module per job:
``queries`` (reads), ``edits`` (human edits and undo), ``bulk`` (imports and predictions),
``project`` (labels, settings, trained models), ``session`` (transactions and error messages).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from annotator.core.changes import Changes
from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.errors import AnnotatorError, NotFound
from annotator.core.labels import Label
from annotator.core.language import require_language
from annotator.core.progress import ProgressSink, no_progress
from annotator.core.span import GOLD, Layer, SpanData
from annotator.store import (
    attention,
    bulk,
    claims,
    corpus,
    edits,
    listing,
    migrate,
    project,
    queries,
    queue_sql,
    search,
)
from annotator.store.engine import is_read_only, make_engine, resolve_url, writer
from annotator.store.integrity import describe
from annotator.store.records import (
    DocumentBundle,
    DocumentInfo,
    DocumentSummary,
    DocumentView,
    ImportReport,
    LabelVariants,
    Stats,
    SweepReport,
    TrainedModel,
)
from annotator.store.session import CHUNK, reading, writing

log = logging.getLogger(__name__)

# Opening a store spends at most about this long removing what an interrupted import left (hidden
# anyway); the next import, or the next open, removes the rest.
OPEN_SWEEP_SECONDS = 2.0


class Store:
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
        code = require_language(language)
        with self._write() as s:
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

    # -- bulk writes ------------------------------------------------------------------------

    def import_documents(
        self,
        items: Iterable[tuple[NewDocument, Sequence[SpanData]]],
        layer: Layer = Layer.HUMAN,
        author: str = "import",
    ) -> ImportReport:
        """Add documents and their spans, all or nothing: written in short batches, shown at once.
        A text repeated within ``items`` is one document holding every item's spans; a text already
        stored gains ``author``'s layer (replacing it) when the item has spans, else is a duplicate."""
        return bulk.import_documents(self.engine, self._writer, items, layer, author)

    def begin_import(self, layer: Layer = Layer.HUMAN, author: str = "import",
                     status: DocumentStatus | None = None) -> bulk.StagedImport:
        """An import run to feed batch by batch (``add``), then ``publish`` (or ``abort``). Its documents
        are invisible to every reader until it publishes; used as a context manager, any exception
        aborts it and removes what it wrote. A process that dies mid-run leaves rows that the next
        ``sweep_imports`` removes. Items whose text is already stored add (or replace) their authors'
        layers of that document at publish; ``status`` is then set on those documents too."""
        return bulk.StagedImport(self.engine, self._writer, layer, author, status)

    def needing_attention(self) -> dict[int, dict[str, int]]:
        """Documents an import marked "needs attention", in id order: ``{id: {reason: spans}}`` (the
        reasons are ``core.imported.ATTENTION_REASONS``); ``len()`` of it is the count."""
        with self._read() as s:
            return attention.needing_attention(s)

    def resolve_attention(self, document_id: int) -> None:
        """Take a document off the "needs attention" list (its spans are left as they are)."""
        with self._write() as s:
            attention.resolve(s, document_id)

    def sweep_imports(self, budget: float | None = None, progress: ProgressSink = no_progress) -> SweepReport:
        """Remove what stopped imports left: imports whose process died (their liveness lock is free)
        become ``abandoned``; the rows of every stopped import are deleted in short transactions (for
        about ``budget`` seconds at most; None: all)."""
        return bulk.sweep_imports(self.engine, self._writer, budget, progress)

    def replace_suggestions(self, batch: Mapping[int, Sequence[SpanData]], author: str) -> int:
        """Make ``author``'s predictions the model layer of each document in ``batch`` (one transaction).

        Only model rows are touched: whatever a person confirmed, drew or rejected stays as it was.
        Documents that were ``new`` become ``pre-annotated``. Returns the number of spans written.
        """
        if not batch:
            return 0  # no write transaction for nothing
        with self._write() as s:
            return bulk.replace_suggestions(s, batch, author)

    def replace_unfinished_suggestions(self, batch: Mapping[int, tuple[str, Sequence[SpanData]]]) -> dict[int, int]:
        """``replace_suggestions`` for ``{document id: (author, spans)}`` computed a while ago: a document
        finished since is left alone (what a re-run in the background writes). One transaction; returns
        ``{document id: its new version}`` for the documents written (one more than before)."""
        if not batch:
            return {}
        with self._write() as s:
            written = queue_sql.write_suggestions(s, batch, check_status=True)
            return queue_sql.versions(s, written.documents)

    # -- human edits: each one transaction, each returns its Changes --------------------------

    def add_span(self, document_id: int, start: int, end: int, label: str, user: str,
                 expected_version: int | None = None, replace: bool = False) -> Changes:
        """Draw a new entity. Model suggestions under it give way; another of the user's entities there
        refuses the edit (NER spans do not overlap), or with ``replace`` is removed in the same edit."""
        with self._write() as s:
            return edits.add_span(s, document_id, start, end, label, user, expected_version, replace)

    def delete_span(self, span_id: int, user: str, expected_version: int | None = None) -> Changes:
        """Remove an entity or dismiss a suggestion. Deleting means "no entity here": suggestions that
        the deleted entity was hiding are rejected too, so nothing pops up in its place."""
        with self._write() as s:
            return edits.delete_span(s, span_id, user, expected_version)

    def relabel_span(self, span_id: int, label: str, user: str, expected_version: int | None = None) -> Changes:
        """Give an entity (or a suggestion, which becomes the user's entity) another label."""
        with self._write() as s:
            return edits.relabel_span(s, span_id, label, user, expected_version)

    def resize_span(self, span_id: int, start: int, end: int, user: str,
                    expected_version: int | None = None) -> Changes:
        """Move an entity's boundaries (a suggestion becomes the user's entity with the new boundaries)."""
        with self._write() as s:
            return edits.resize_span(s, span_id, start, end, user, expected_version)

    def confirm_suggestion(self, span_id: int, user: str, expected_version: int | None = None) -> Changes:
        """Make a visible model suggestion the user's entity."""
        with self._write() as s:
            return edits.confirm_suggestion(s, span_id, user, expected_version)

    def accept_all_suggestions(self, document_id: int, user: str, expected_version: int | None = None) -> Changes:
        """Confirm every suggestion the user still sees in the document."""
        with self._write() as s:
            return edits.accept_all_suggestions(s, document_id, user, expected_version)

    def set_status(self, document_id: int, status: DocumentStatus, user: str,
                   expected_version: int | None = None, unreviewed: edits.Unreviewed = "confirm") -> Changes:
        """Move a document in the workflow. Accepting it settles the suggestions still shown: by
        default it confirms them (accepting says "what I see is right", and what is seen is what gets
        exported); ``unreviewed="dismiss"`` dismisses them instead (they are not entities)."""
        with self._write() as s:
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

    # -- the pre-annotation work queue (claims.py): many processes, even on many machines ----------

    def suggestion_queue(self, request: claims.QueueRequest, connections: int = 2) -> claims.WorkQueue:
        """Queue the documents of a pre-annotation run (or join the run under way) and hand them out a
        batch at a time: ``claim`` a batch, ``complete`` it with its suggestions (one transaction, the
        documents leave the queue) or ``release`` it. On PostgreSQL any number of processes share the
        queue (``FOR UPDATE SKIP LOCKED``; ``connections`` claims may be open at once); on SQLite a
        second process is refused. ``close`` the queue when done."""
        return claims.open_queue(self.engine, self._writer, request, connections)

    def suggestion_batches(self, document_ids: Sequence[int]) -> claims.WorkQueue:
        """The same interface over exactly ``document_ids`` (whatever their status), queued nowhere."""
        return claims.FixedBatches(self.engine, self._writer, document_ids)

    def queued_for_suggestions(self) -> dict[str, int]:
        """``{run kind: documents waiting}``: what interrupted or running pre-annotation runs have left."""
        return claims.queued(self.engine)


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

"""The staged import: an import run, written in short invisible batches and published whole.

An import of any size never holds the write lock for long and is still all-or-nothing for every
reader, even if its process is killed:

- ``StagedImport`` records the run in ``imports`` (state ``running``) and writes its documents and
  spans in short batches, each its own transaction, every document tagged with the run's id.
  ``queries.visible()`` hides documents whose import is not ``done``, so nobody sees a batch.
- ``publish()`` flips the run to ``done`` in one single-row transaction: every document appears at
  once. ``abort()`` (cancel, refused input, error) marks it ``cancelled``/``refused``/``failed`` and
  removes its rows in short batches.
- While it runs, the import holds a *liveness lock* that the operating system or the server frees
  when its process dies, however it dies: an ``flock`` on a lock file next to an SQLite database
  (``<db>-import-<token>.lock``), a session advisory lock on PostgreSQL
  (``pg_advisory_lock(IMPORT_LOCK_SPACE, id)``, freed when the connection closes). ``sweep_imports``
  (at every ``Store.open`` and before every import) probes the lock of each ``running`` import: a
  free lock means a dead import, marked ``abandoned`` (conditionally, so a run that published in the
  meantime is never touched) and its rows removed. A timestamp heartbeat was not used: a paused laptop
  or a slow batch would look dead, and a dead process could look alive for the whole timeout.
- Every batch and the publish check the run is still ``running`` in their own transaction (on
  PostgreSQL with ``FOR SHARE``, which a sweep's ``UPDATE`` waits for), so a run judged dead can never
  add rows after the sweep removed its others, nor publish half of them.
- Content hashes stay unique across concurrent imports. The same text twice in one import is one
  document holding both items' layers. A visible document with the same text gains the item's layers
  at publish, in the publish transaction (``import_layers``), or is a duplicate when the item brings
  none; a document pending in another running import is a duplicate (reported with its id); a
  leftover of a stopped import is removed and replaced; a concurrent insert of the same text is
  skipped by ``ON CONFLICT DO NOTHING`` and reported as a duplicate.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import TracebackType

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.errors import AnnotatorError, InputRefused
from annotator.core.imported import Annotation, ImportItem, add_counts
from annotator.core.progress import Cancelled
from annotator.core.span import Layer, SpanData
from annotator.store import import_layers
from annotator.store.import_rows import ensure_labels, insert_batch
from annotator.store.import_sweep import Liveness, remove_documents, updated_rows
from annotator.store.records import ImportReport
from annotator.store.schema import ImportRow, ImportState, utcnow
from annotator.store.session import writing

log = logging.getLogger(__name__)

DEADLOCK_RETRIES = 3


def _deadlock(exc: BaseException) -> bool:
    cause = getattr(exc.__cause__, "orig", None)
    return getattr(cause, "sqlstate", None) == "40P01"  # PostgreSQL deadlock_detected


class ImportInterrupted(AnnotatorError):
    """The import was judged dead and cleaned up by another process (its liveness lock was lost,
    e.g. the database server restarted). Nothing of it was imported."""



# -- staged import ------------------------------------------------------------------------------


@dataclass
class _Tally:
    report: ImportReport = field(default_factory=ImportReport)
    labels: set[str] = field(default_factory=set)
    # Documents stored before this import and the layers it brings them, applied at publish. Held in
    # memory (the layers only, not the texts): one entry per such document.
    existing: dict[int, list[ImportItem]] = field(default_factory=dict)


class StagedImport:
    """One import run: ``add`` batches (each one short transaction, invisible to everyone), then
    ``publish`` (one single-row transaction) or ``abort``. As a context manager it aborts on any
    exception, choosing the state from it (``Cancelled``, ``InputRefused``, anything else)."""

    def __init__(self, engine: Engine, writer: Engine, layer: Layer, author: str,
                 status: DocumentStatus | None = None) -> None:
        self.engine, self.writer, self.layer, self.author = engine, writer, layer, author
        self.status = status  # set on documents stored before the import that gain a layer from it
        self.token = uuid.uuid4().hex
        self._lock = Liveness(engine, writer, self.token)
        self._tally = _Tally()
        self.id: int | None = None
        self.finished = False

    def __enter__(self) -> StagedImport:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc is None:
            if not self.finished:
                self.abort(ImportState.CANCELLED)
            return
        if isinstance(exc, Cancelled | KeyboardInterrupt):
            self.abort(ImportState.CANCELLED)
        elif isinstance(exc, InputRefused):
            self.abort(ImportState.REFUSED)
        else:
            self.abort(ImportState.FAILED)

    @property
    def report(self) -> ImportReport:
        return self._tally.report

    def _start(self) -> int:
        if self.id is None:
            self._lock.before_record()
            try:
                self.id = self._lock.record(dict(
                    token=self.token, state=ImportState.RUNNING.value, author=self.author[:200],
                    host=socket.gethostname()[:255], pid=os.getpid(), documents=0, spans=0, started_at=utcnow()))
            except BaseException:
                self._lock.release()
                raise
        return self.id

    def _item(self, item: ImportItem | tuple[NewDocument, Sequence[SpanData]]) -> ImportItem:
        """An item whose every annotation names its author (None: this import's)."""
        if not isinstance(item, ImportItem):
            doc, spans = item
            item = ImportItem(doc, [Annotation(self.layer, self.author, list(spans))] if spans else [])
        for annotation in item.annotations:
            if annotation.author is None:
                annotation.author = self.author
        return item

    def add(self, items: Sequence[ImportItem | tuple[NewDocument, Sequence[SpanData]]]) -> None:
        """Write one batch (documents and their spans) in one transaction, hidden until ``publish``.
        Items are ``ImportItem``s, or ``(document, spans)`` for spans of this import's layer and author."""
        if self.finished:
            raise AnnotatorError("this import has already finished")
        if not items:
            return
        ready = [self._item(item) for item in items]
        import_id = self._start()
        for attempt in range(1, DEADLOCK_RETRIES + 1):
            try:
                with writing(self.writer) as s:
                    _check_running(s, import_id)
                    batch = insert_batch(s, import_id, ready)
                    s.execute(update(ImportRow).where(ImportRow.id == import_id).values(
                        documents=ImportRow.documents + len(batch.added), spans=ImportRow.spans + batch.spans))
                break
            except AnnotatorError as exc:
                # PostgreSQL: two imports inserting the same texts in different orders can deadlock on
                # the unique index; the server aborts one transaction, which simply runs again.
                if attempt == DEADLOCK_RETRIES or not _deadlock(exc):
                    raise
        report = self._tally.report
        report.added += batch.added
        report.duplicates += batch.duplicates
        report.spans += batch.spans
        report.rejections += batch.rejections
        report.merged += batch.merged
        for doc_id, more in batch.existing.items():
            for item in more:
                # Only its layers are needed now: drop the text (a copy: the caller's document is theirs).
                item.document = dataclasses.replace(item.document, text="")
                report.spans += sum(len(a.spans) for a in item.annotations)
                report.rejections += sum(len(a.rejected) for a in item.annotations)
            self._tally.existing.setdefault(doc_id, []).extend(more)
        firsts = {item.document.content_hash: item for item in reversed(ready)}  # the first of each text
        for item in firsts.values():  # a later one with the same text was folded into it (merge_items)
            add_counts(report.attention, item.attention)
            report.attention_documents += bool(item.attention)
            for annotation in item.annotations:
                if annotation.spans:
                    key = (annotation.layer.value, str(annotation.author))
                    report.layers[key] = report.layers.get(key, 0) + len(annotation.spans)
        self._tally.labels |= batch.labels

    def publish(self) -> ImportReport:
        """Make every document of the import visible at once; returns what was imported."""
        report = self._tally.report
        report.layered = sorted(self._tally.existing)
        if self.id is None and not self._tally.existing:  # nothing was written (empty input, or only duplicates)
            self.finished = True
            return report
        self._start()
        try:
            with writing(self.writer) as s:
                done = updated_rows(s.execute(
                    update(ImportRow).where(ImportRow.id == self.id, ImportRow.state == ImportState.RUNNING.value)
                    .values(state=ImportState.DONE.value, finished_at=utcnow())
                ))
                if done != 1:
                    raise ImportInterrupted("the import was stopped from elsewhere (its process was taken for "
                                            "dead); nothing was imported — import again")
                labels = import_layers.apply(s, self._tally.existing, self.status)
                report.new_labels = ensure_labels(s, self._tally.labels | labels)
        except BaseException:
            self.abort(ImportState.FAILED)
            raise
        self.finished = True
        self._lock.release()
        return report

    def abort(self, state: ImportState = ImportState.CANCELLED) -> None:
        """Stop the import: mark it ``state`` and remove every row it wrote. Safe to call twice."""
        if self.finished:
            return
        self.finished = True
        try:
            if self.id is not None:
                with writing(self.writer) as s:
                    s.execute(update(ImportRow)
                              .where(ImportRow.id == self.id, ImportRow.state == ImportState.RUNNING.value)
                              .values(state=state.value, finished_at=utcnow()))
                remove_documents(self.writer, self.id)
        except Exception:  # the next sweep finds the run dead (lock released below) and removes it
            log.warning("could not remove the rows of the stopped import %s; the next start of an import or "
                        "of the app will", self.id, exc_info=True)
        finally:
            self._lock.release()


def _check_running(s: Session, import_id: int) -> None:
    """Inside a batch's transaction: the import is still ``running``. ``FOR SHARE`` on PostgreSQL
    makes a concurrent sweep's ``UPDATE`` wait for this batch (SQLite serialises writers anyway)."""
    state = s.scalar(select(ImportRow.state).where(ImportRow.id == import_id).with_for_update(read=True))
    if state != ImportState.RUNNING.value:
        raise ImportInterrupted("the import was stopped from elsewhere (its process was taken for dead); "
                                "nothing was imported — import again")



def import_documents(engine: Engine, writer: Engine, items: Iterable[tuple[NewDocument, Sequence[SpanData]]],
                     layer: Layer, author: str, batch_size: int = 250, batch_spans: int = 5_000) -> ImportReport:
    """Every item, staged in batches (``batch_size`` documents or ``batch_spans`` spans, whichever
    comes first: one short write transaction each) and published at once (all-or-nothing)."""
    with StagedImport(engine, writer, layer, author) as staged:
        batch: list[tuple[NewDocument, Sequence[SpanData]]] = []
        spans = 0
        for item in items:
            batch.append(item)
            spans += len(item[1])
            if len(batch) >= batch_size or spans >= batch_spans:
                staged.add(batch)
                batch, spans = [], 0
        staged.add(batch)
        return staged.publish()


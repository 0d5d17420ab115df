"""The ``Store`` methods that write many documents at once: imports, model suggestions, the
pre-annotation work queue and what imports flag or leave behind. A mixin of ``Store`` (store.py), which
only opens sessions; the work is done in ``bulk``, ``queue_sql``, ``claims`` and ``attention``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.plural import plural
from annotator.core.progress import CancelToken, ProgressSink, no_progress
from annotator.core.span import Layer, SpanData
from annotator.store import attention, bulk, claims, edits, queue_sql
from annotator.store.records import ImportReport, StatusReport, SweepReport

STATUS_BATCH = 500  # documents per transaction of ``set_statuses``


class BulkMethods:
    """Imports, suggestions and the work queue (see each method)."""

    engine: Engine
    _writer: Engine

    def _read(self) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def _edit(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

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

    def set_statuses(self, document_ids: Sequence[int], status: DocumentStatus, user: str,
                     unreviewed: edits.Unreviewed = "confirm", progress: ProgressSink = no_progress,
                     cancel: CancelToken | None = None, batch: int = STATUS_BATCH) -> StatusReport:
        """``set_status`` on many documents, ``batch`` to a transaction (one per document took
        about 17 minutes for a million), with progress; documents that have ``status`` already are left
        as they are. Cancel stops between batches: the batches done stay done (each document's status
        is its own; running it again finishes the rest)."""
        report = StatusReport()
        total = len(document_ids)
        for first in range(0, total, batch):
            with self._edit() as c:
                for doc_id in document_ids[first:first + batch]:
                    made = edits.set_status_if_other(c, doc_id, status, user, unreviewed)
                    if made is None:
                        report.unchanged += 1
                        continue
                    report.changed += 1
                    report.confirmed += sum(1 for span in made.added if not span.rejected)
                    report.dismissed += sum(1 for span in made.added if span.rejected)
            done = min(total, first + batch)
            progress(done, total, f"set '{status.value}' on {plural(done, 'document')} of {total}")
            if cancel is not None and done < total:
                cancel.raise_if_cancelled()
        return report

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

"""Pre-annotation: run each language's pipeline over the documents that need suggestions and store
the entities as the model layer. The same function serves the CLI, GUI workers and benchmarks.

Documents come from the store's work queue (``store/claims.py``) a batch at a time, so any number of
processes, on PostgreSQL on any number of machines, share one corpus, each batch claimed by one of
them. Within a process the NER runs on every core: ``processes`` worker processes (``workers.py``)
each take a batch, and this process, the only writer, commits each batch whole as it comes back.
Long documents are processed in pieces; a document the pipeline fails on is reported and the rest of
its batch is written (``suggest.py``).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count

from annotator.core.errors import AnnotatorError
from annotator.core.plural import plural
from annotator.core.progress import CancelToken, ProgressSink, no_progress
from annotator.nlp.pipelines import Pipelines
from annotator.nlp.suggest import Failed, Item, Limits, NoModel, Outcome, Suggested, entities_of, suggest
from annotator.nlp.workers import WorkerPool, resolve_processes
from annotator.store import Store
from annotator.store.claims import Claim, QueueRequest, WorkQueue

__all__ = ["Failure", "PreannotateReport", "PreannotationFailed", "entities_of", "models_key", "preannotate"]

_SHARED_PROGRESS_EVERY = 5.0  # seconds between recounts of a queue other processes work on too


@dataclass(frozen=True)
class Failure:
    """A document that got no suggestions, and why."""

    document_id: int
    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.document_id}, {self.source}, {self.reason}"


@dataclass
class PreannotateReport:
    documents: int = 0
    spans: int = 0
    by_model: dict[str, int] = field(default_factory=dict)  # author -> documents
    without_model: dict[str, int] = field(default_factory=dict)  # language -> documents left as they were
    cancelled: bool = False
    failures: list[Failure] = field(default_factory=list)  # documents left without suggestions, and why
    processes: int = 1  # NER processes this run used
    worker_restarts: int = 0  # worker processes that died (killed, out of memory) and were replaced


class PreannotationFailed(AnnotatorError):
    """Some documents got no suggestions. Every other document's suggestions were committed; the
    report says which ones failed and why."""

    def __init__(self, report: PreannotateReport) -> None:
        self.report = report
        shown = "; ".join(str(f) for f in report.failures[:5])
        more = len(report.failures) - 5
        tail = f"; and {more} more" if more > 0 else ""
        super().__init__(f"{plural(len(report.failures), 'document')} failed: {shown}{tail}")


def models_key(pipelines: Pipelines) -> str:
    """Names the models a re-run suggests with, so a re-run with other models is another run."""
    config = pipelines.config
    blob = json.dumps([sorted(config.candidates.items()), sorted((k, sorted(v.items()))
                                                                 for k, v in config.label_mapping.items())])
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def preannotate(
    store: Store,
    pipelines: Pipelines,
    *,
    language: str | None = None,
    rerun: bool = False,
    document_ids: Sequence[int] | None = None,
    batch_size: int = 64,
    processes: int | None = None,
    join: bool = False,
    limits: Limits | None = None,
    progress: ProgressSink = no_progress,
    cancel: CancelToken | None = None,
) -> PreannotateReport:
    """Suggest entities for documents that have none yet (all unfinished ones with ``rerun``, or
    exactly ``document_ids``; with ``join``, whatever runs other processes queued). Each batch of
    ``batch_size`` documents is committed on its own, so a cancel keeps finished batches and leaves no
    document half-done.

    ``processes``: NER worker processes (default ``$ANNOTATOR_PROCESSES``, else every core; fewer when
    there are fewer batches; 1 runs the NER in this process). Raises ``PreannotationFailed``, after
    committing everything else, when some documents failed.
    """
    if batch_size < 1:
        raise AnnotatorError(f"the batch size must be 1 or more, not {batch_size}")
    wanted = resolve_processes(processes)
    limits = limits or Limits(batch_size=batch_size)
    progress(0, 0, "reading documents")
    if document_ids is not None:
        queue: WorkQueue = store.suggestion_batches(document_ids)
    else:
        request = QueueRequest(rerun=rerun, language=language, models=models_key(pipelines) if rerun else "",
                               join_only=join)
        queue = store.suggestion_queue(request, connections=wanted + 2)
    try:
        run = _Run(store, queue, progress, cancel)
        progress(0, queue.total, f"{plural(queue.total, 'document')} to suggest entities for")
        used = min(wanted, max(1, math.ceil(queue.total / batch_size)))
        run.report.processes = used
        if used == 1:
            run.in_process(pipelines, batch_size, limits)
        else:
            run.in_workers(pipelines, used, batch_size, limits)
    finally:
        queue.close()
    if run.report.failures:
        raise PreannotationFailed(run.report)
    return run.report


class _Run:
    """One process's part of a run: claim, suggest, write, report."""

    def __init__(self, store: Store, queue: WorkQueue, progress: ProgressSink, cancel: CancelToken | None) -> None:
        self.store, self.queue, self.progress, self.cancel = store, queue, progress, cancel
        self.report = PreannotateReport()
        self.done = 0  # documents this process took off the queue
        self._base = 0  # documents others took off the queue, as of the last recount
        self._counted = time.monotonic()

    @property
    def cancelled(self) -> bool:
        if self.cancel is not None and self.cancel.cancelled:
            self.report.cancelled = True
        return self.report.cancelled

    def next_claim(self, batch_size: int, others_first: bool) -> Claim | None:
        """A batch to work on; None when the queue is empty or the run was cancelled. With
        ``others_first`` False, returns None at once when nothing is claimable right now."""
        while not self.cancelled:
            claim = self.queue.claim(batch_size)
            if claim is not None or not others_first:
                return claim
            if self.queue.shared:
                self.progress(self._overall(), self.queue.total, "waiting for the other workers' last batches")
            waited = self.queue.wait(batch_size)  # a batch another worker holds: done, or back in the queue?
            if isinstance(waited, Claim):
                return waited
            if waited is False:
                return None
        return None

    def in_process(self, pipelines: Pipelines, batch_size: int, limits: Limits) -> None:
        loaded: set[str] = set()
        while (claim := self.next_claim(batch_size, others_first=True)) is not None:
            try:
                items = self._items(claim)
                for lang in sorted({item.language for item in items} - loaded):
                    self.progress(self._overall(), self.queue.total, f"loading the {lang} pipeline")
                    pipelines.get(lang)
                    loaded.add(lang)
                outcomes = suggest(pipelines, items, limits)
            except BaseException:
                claim.release()
                raise
            self._complete(claim, outcomes)

    def in_workers(self, pipelines: Pipelines, processes: int, batch_size: int, limits: Limits) -> None:
        self.progress(self._overall(), self.queue.total, f"starting {processes} worker processes")
        pool = WorkerPool(pipelines, processes, limits, preload=self.queue.languages())
        claims: dict[int, Claim] = {}
        keys = count()
        drained = False
        try:
            while True:
                # Keep every worker busy and one batch ready, so no core waits while this process writes.
                while not drained and len(claims) <= pool.size and not self.cancelled:
                    claim = self.next_claim(batch_size, others_first=not claims)
                    if claim is None:
                        drained = not claims or self.cancelled
                        break
                    key = next(keys)
                    claims[key] = claim
                    pool.submit(key, self._items(claim))
                if self.cancelled or not claims:
                    return
                for key, outcomes in pool.wait(timeout=0.25):  # a quarter second: how soon Cancel is seen
                    self._complete(claims.pop(key), outcomes)
        finally:
            self.report.worker_restarts = pool.restarts
            pool.close()
            for claim in claims.values():
                claim.release()

    # -- one batch ------------------------------------------------------------------------------

    def _items(self, claim: Claim) -> list[Item]:
        return [Item(d.document_id, d.text, d.language) for d in claim.documents()]

    def _complete(self, claim: Claim, outcomes: dict[int, Outcome]) -> None:
        suggested = {doc_id: (o.author, o.spans) for doc_id, o in outcomes.items() if isinstance(o, Suggested)}
        written = claim.complete(suggested)
        report = self.report
        failed: dict[int, str] = {d: o.reason for d, o in outcomes.items() if isinstance(o, Failed)}
        failed.update(written.failed)
        authors = set()
        for doc_id in written.documents:
            author = suggested[doc_id][0]
            report.by_model[author] = report.by_model.get(author, 0) + 1
            authors.add(author)
        report.documents += len(written.documents)
        report.spans += written.spans
        for outcome in outcomes.values():
            if isinstance(outcome, NoModel):
                report.without_model[outcome.language] = report.without_model.get(outcome.language, 0) + 1
        for doc_id in sorted(failed):
            report.failures.append(Failure(doc_id, self._source(doc_id), failed[doc_id]))
        self.done += len(claim.document_ids)
        total = self.queue.total
        who = ", ".join(sorted(authors)) or "suggestions"
        self.progress(self._overall(), total, f"{who}: {self._overall()}/{total} documents")

    def _overall(self) -> int:
        """Documents done by every process working on this run (this one alone on SQLite)."""
        if self.queue.shared and time.monotonic() - self._counted > _SHARED_PROGRESS_EVERY:
            self._base = self.queue.total - self.queue.remaining() - self.done
            self._counted = time.monotonic()
        return max(0, min(self.queue.total, self._base + self.done))

    def _source(self, document_id: int) -> str:
        try:
            return self.store.document(document_id).source
        except AnnotatorError:
            return "?"

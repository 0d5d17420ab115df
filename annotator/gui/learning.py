"""Learning in the background while the analyst works (issue 12), on one worker.

After an accept, a *run* checks whether K newly accepted articles are waiting (``learning.every``);
if so it trains (``nlp/background.train_if_due``), makes the new model current and re-suggests the
unfinished documents with it, the open article first. Runs go one at a time, as jobs in the thread
pool; none of them holds the database worker: training reads through its own short sessions, and the
new suggestions are computed in the run and *written* as short ops on the one database worker
(``Store.replace_unfinished_suggestions``), between the analyst's edits and in order with them, so an
edit is never blocked for long, never refused for a version the run moved, and never overwritten (the
run touches model rows only). The open article is re-read after its batch lands, keeping its place.

Stale work is cancelled: making a model current (rollback) cancels whatever runs; an accept during a
re-suggestion or an uncertainty ranking cancels it and checks again (re-suggesting what is left if no
new model is due); an accept during training waits for it and checks again after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QObject, Qt, Signal

from annotator.core.errors import AnnotatorError
from annotator.core.plural import plural
from annotator.core.progress import CancelToken, ProgressSink
from annotator.core.span import SpanData
from annotator.gui.editor_panel import EditorPanel
from annotator.gui.jobs import Job, pool
from annotator.gui.ops import Op, Ops
from annotator.nlp.background import make_current, suggestion_batches, train_if_due
from annotator.nlp.pipelines import PipelineConfig, Pipelines, project_pipelines
from annotator.nlp.train import TrainReport, TrainSettings
from annotator.nlp.uncertainty import uncertainty_scores
from annotator.store import Store
from annotator.store.records import DocumentSummary

Kind = Literal["learn", "choose", "rank"]
Batch = dict[int, tuple[str, tuple[SpanData, ...]]]  # {document id: (author, spans)}


@dataclass(eq=False)
class Run:
    """One piece of background work: ``learn`` (train if due, then re-suggest), ``choose`` (make a
    model current, then re-suggest) or ``rank`` (uncertainty of the unfinished documents)."""

    kind: Kind
    language: str
    model: str | None = None  # choose: the model folder or package (None: the base pipeline)
    resuggest: bool = False  # learn: re-suggest even when no model is due (a cancelled re-run is owed)
    skip: frozenset[int] = frozenset()  # ... except these, written by the cancelled run with the same model
    stage: str = "waiting"  # "training", "suggesting", "ranking" (set on the worker)
    written: set[int] = field(default_factory=set)  # documents whose new suggestions have landed
    job: Job | None = None

    @property
    def cancelled(self) -> bool:
        return self.job is not None and self.job.cancel_token.cancelled


@dataclass
class RunResult:
    report: TrainReport | None = None  # learn: the model trained (None: not due)
    pipelines: Pipelines | None = None  # the project's pipelines with the current model, when reloaded
    scores: dict[int, float] | None = None  # rank: {document id: uncertainty}


class _Bridge(QObject):
    batch = Signal(object, object)  # (Run, Batch), emitted on the worker, handled on the GUI thread


class BackgroundLearning(QObject):
    modelChanged = Signal(str)  # a language's current model changed (trained, or made current)
    ranked = Signal(str)  # a language's uncertainty scores are ready
    suggestionsRefreshed = Signal(int)  # the open article now shows the current model's suggestions
    progressed = Signal(str)  # what the running run is doing ("" once nothing runs)
    message = Signal(str, bool)

    def __init__(self, store: Store, ops: Ops, editor: EditorPanel,
                 rows: Callable[[tuple[DocumentSummary, ...]], None], pipelines: Callable[[Pipelines], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store, self.ops, self.editor, self._rows, self._set_pipelines = store, ops, editor, rows, pipelines
        self.settings = TrainSettings()  # tests and benchmarks: fewer epochs
        self.every: int | None = None  # None: the project setting ``learning.every``
        self.output: Path | None = None  # where models go (None: the user data folder)
        # What training starts from: the configured base pipeline, as ``annotator train`` (never the
        # project's suggestion model); kept loaded between runs.
        self.base_pipelines = Pipelines(PipelineConfig.from_env())
        self.running: Run | None = None
        self.waiting: list[Run] = []
        self.scores: dict[str, dict[int, float]] = {}  # language -> {document id: uncertainty}
        self.last: RunResult | None = None
        self.pending_writes = 0
        self._closed = False
        self._bridge = _Bridge()
        self._bridge.batch.connect(self._write, Qt.ConnectionType.QueuedConnection)

    # -- requests (GUI thread) ------------------------------------------------------------------

    def accepted(self, language: str) -> None:
        """An article of ``language`` was accepted: learn if K new ones are waiting."""
        run = self.running
        if run is not None and run.stage in ("suggesting", "ranking") and not run.cancelled:
            owed = run.stage == "suggesting"
            self._queue(Run("learn", language, resuggest=owed,
                            skip=frozenset(run.written) if owed and run.language == language else frozenset()),
                        first=True)
            if run.kind == "rank":
                self._queue(Run("rank", run.language))
            if run.job is not None:
                run.job.cancel()
            return
        self._queue(Run("learn", language))

    def choose(self, language: str, model: str | None) -> None:
        """Make ``model`` (a trained model's folder; None: the base pipeline) suggest for ``language``
        and re-suggest with it: rollback. Cancels whatever runs; it is stale now."""
        self.waiting = [r for r in self.waiting if r.kind == "learn"]
        if self.running is not None and self.running.job is not None:
            self.running.job.cancel()
        self._queue(Run("choose", language, model), first=True)

    def rank(self, language: str) -> None:
        self._queue(Run("rank", language))

    def supersede(self) -> None:
        """The analyst started newer model work by hand (Ctrl+T, or chose the model to suggest with):
        what runs or waits here is stale; cancel it (a training leaves nothing behind)."""
        self.waiting.clear()
        if self.running is not None and self.running.job is not None:
            self.running.job.cancel()

    def idle(self) -> bool:
        """Nothing running, waiting or being written: what tests and benchmarks wait for."""
        return self.running is None and not self.waiting and self.pending_writes == 0

    def stop(self) -> None:
        """On quit: cancel and forget (what has landed stays)."""
        self._closed = True
        self.waiting.clear()
        if self.running is not None and self.running.job is not None:
            self.running.job.cancel()

    def _queue(self, run: Run, first: bool = False) -> None:
        if self._closed:
            return
        if any(r.kind == run.kind and r.language == run.language and r.model == run.model for r in self.waiting):
            return
        if first:
            self.waiting.insert(0, run)
        else:
            self.waiting.append(run)
        self._next()

    def _next(self) -> None:
        if self.running is not None or not self.waiting or self._closed:
            return
        run = self.running = self.waiting.pop(0)
        job = run.job = Job(f"background {run.kind} ({run.language})", self._work(run))
        job.signals.progress.connect(lambda _d, _t, text: self.progressed.emit(f"{run.kind} ({run.language}): {text}"))
        job.signals.finished.connect(lambda result: self._ended(run, result))
        job.signals.failed.connect(lambda error: self._ended(run, None, error))
        job.signals.cancelled.connect(lambda: self._ended(run, None))
        pool().start(job)

    # -- the run (worker) -----------------------------------------------------------------------

    def _work(self, run: Run) -> Callable[[ProgressSink, CancelToken], RunResult]:
        store, settings, every, output, bridge = self.store, self.settings, self.every, self.output, self._bridge
        base, session = self.base_pipelines, self.editor.session

        def work(progress: ProgressSink, cancel: CancelToken) -> RunResult:
            result = RunResult()
            if run.kind == "rank":
                run.stage = "ranking"
                pipeline = project_pipelines(store).get(run.language)
                result.scores = uncertainty_scores(store, pipeline, progress=progress, cancel=cancel)
                return result
            if run.kind == "learn":
                run.stage = "training"
                result.report = train_if_due(store, base, run.language, settings=settings,
                                             every=every, output=output, progress=progress, cancel=cancel)
                if result.report is None and not run.resuggest:
                    return result
                if result.report is not None:
                    make_current(store, run.language, result.report.model)
            else:
                make_current(store, run.language, run.model)
            run.stage = "suggesting"
            skip = run.skip if result.report is None and run.kind == "learn" else frozenset()
            result.pipelines = pipelines = project_pipelines(store)
            first = [session.document_id or 0]  # the article open now (read across threads: a hint only)
            done = 0
            for batch in suggestion_batches(store, pipelines, run.language, first=first, cancel=cancel):
                kept = {d: v for d, v in batch.items() if d not in skip}
                if kept:
                    bridge.batch.emit(run, kept)
                done += len(batch)
                progress(done, 0, f"{plural(done, 'unfinished article')} re-suggested by "
                                  f"{pipelines.get(run.language).author}")
            return result

        return work

    # -- results (GUI thread) -------------------------------------------------------------------

    def _write(self, run: Run, batch: Batch) -> None:
        """A batch of new suggestions, written on the database worker between edits."""
        if run.cancelled or self._closed:
            return
        store, user = self.store, self.editor.session.user  # the list counts the person's own entities
        self.pending_writes += 1

        def work() -> tuple[dict[int, int], tuple[DocumentSummary, ...]]:
            if run.cancelled:
                return {}, ()
            versions = store.replace_unfinished_suggestions(batch)
            return versions, tuple(store.summaries(sorted(versions), user))

        def done(result: tuple[dict[int, int], tuple[DocumentSummary, ...]]) -> None:
            self.pending_writes -= 1
            versions, summaries = result
            run.written.update(versions)
            self._rows(summaries)
            shown = self.editor.session.document_id
            self.editor.session.model_layer_replaced({d: v for d, v in versions.items() if d != shown})
            if shown in versions:
                self.editor.reload(then=lambda: self.suggestionsRefreshed.emit(shown))

        def failed(exc: AnnotatorError) -> None:
            self.pending_writes -= 1
            self.message.emit(f"new suggestions not saved: {exc}", True)

        self.ops.run(Op(work, done, failed, "write new suggestions"))

    def _ended(self, run: Run, result: RunResult | None, error: str | None = None) -> None:
        self.running = None
        if self._closed:
            return  # the window is closing: nothing left to show
        self.progressed.emit("")
        if error is not None:
            self.message.emit(f"background learning failed: {error}", True)
        elif result is not None:
            self.last = result
            if result.pipelines is not None:
                self._set_pipelines(result.pipelines)
            if result.report is not None:
                m = result.report.model
                self.message.emit(f"learnt in the background: {run.language} model {m.version} from "
                                  f"{plural(result.report.train_docs, 'accepted article')}; unfinished articles "
                                  "re-suggested",
                                  False)
            if result.report is not None or run.kind == "choose":
                self.modelChanged.emit(run.language)
            if result.scores is not None:
                self.scores[run.language] = result.scores
                self.ranked.emit(run.language)
        self._next()

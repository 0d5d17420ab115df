"""The Model menu: suggest entities, train on the accepted corrections, evaluate, choose the model.

Each is a background job (``JobRunner``) calling the same function the CLI calls; settings the
store keeps (which model suggests for a language) are read and written on the database worker.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget

from annotator.core.plural import plural
from annotator.core.progress import CancelToken, ProgressSink
from annotator.gui.jobs import Job, JobRunner
from annotator.gui.model_panel import EvaluationDialog
from annotator.gui.ops import Op, Ops
from annotator.nlp.evaluate import BeforeAfter, before_after
from annotator.nlp.pipelines import Pipelines, project_pipelines
from annotator.nlp.preannotate import preannotate
from annotator.nlp.train import TrainReport, TrainSettings, train
from annotator.store import Store
from annotator.store.integrity import require_intact
from annotator.store.records import TrainedModel

Notify = Callable[[str, bool], None]


def gui_processes() -> int:
    """Pre-annotation from the app leaves one core to the window."""
    return max(1, (os.cpu_count() or 1) - 1)


def evaluation_title(result: BeforeAfter) -> str:
    """What the scores were measured on, said in the dialog's title (never "dev split" for what was not)."""
    if result.split == "cross-validation":
        return (f"Evaluation by cross-validation ({plural(result.documents, 'document')}, each scored by a model "
                "trained without it)")
    where = "the dev split" if result.split == "dev" else "every accepted document"
    seen = f"; the trained model learnt from {result.seen} of them" if result.seen else ""
    return f"Evaluation on {where} ({plural(result.documents, 'document')}{seen})"


def present(dialog: QDialog) -> None:
    """A result that arrives while the person works (a background job ended): shown beside the article,
    never taking the keys meant for it — a modal box popping up after training took the next key press.
    Closing it deletes it; its parent keeps it alive until then."""
    dialog.setModal(False)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    dialog.show()


class ModelActions:
    def __init__(self, parent: QWidget, store: Store, pipelines: Pipelines, jobs: JobRunner, ops: Ops,
                 language: Callable[[], str], notify: Notify) -> None:
        self.parent, self.store, self.pipelines = parent, store, pipelines
        self.jobs, self.ops, self.language, self.notify = jobs, ops, language, notify
        self.quiet = False  # tests read last_training / last_evaluation instead of modal dialogs
        self.last_training: TrainReport | None = None
        self.last_evaluation: BeforeAfter | None = None
        self.superseded: Callable[[], None] = lambda: None  # newer model work started here (the window's hook)
        self.model_chosen: Callable[[str], None] = lambda _language: None  # a language's model changed (hook)

    def start_preannotation(self, rerun: bool = False, after: Callable[[], None] | None = None) -> bool:
        """``after``: once every article has its suggestions (not when cancelled or failed)."""
        store, pipelines = self.store, self.pipelines

        def work(progress: ProgressSink, cancel: CancelToken) -> object:
            return preannotate(store, pipelines, rerun=rerun, processes=gui_processes(), progress=progress,
                               cancel=cancel)

        return self.jobs.start(Job("suggesting entities", work,
                                   "the articles pre-annotated so far keep their suggestions"),
                               None if after is None else lambda _report: after())

    def start_training(self, settings: TrainSettings | None = None) -> bool:
        store, pipelines, language = self.store, self.pipelines, self.language()
        chosen = settings or TrainSettings()

        def work(progress: ProgressSink, cancel: CancelToken) -> object:
            require_intact(store.engine)  # never train on what a damaged file happens to yield
            return train(store, pipelines, language, settings=chosen, progress=progress, cancel=cancel)

        def done(report: TrainReport) -> None:
            self.last_training = report
            what = "cross-validated F" if report.mode == "cv" else "dev F"
            self.notify(f"trained {report.model.name} ('{language}', from {report.model.base or 'blank'}): {what} "
                        f"{report.before.overall.f:.3f} → {report.after.overall.f:.3f}; Model → Use the latest "
                        "trained model to suggest with it", False)
            if not self.quiet:
                # the chart said "dev F per epoch" when there was no dev split (cross-validated); the
                # status line's hint had expired by the time this closed
                how = f"{report.plan}\nModel → Use the latest trained model to suggest with it."
                present(EvaluationDialog(f"Trained {report.model.name}", report.before, report.after,
                                         (pipelines.get(language).author, report.model.author),
                                         [e.f for e in report.epochs], self.parent, how=how, scored=what))

        started = self.jobs.start(Job(f"training the '{language}' model", work,
                                      "no model was saved; the current one still suggests"), done)
        if started:
            self.superseded()
        return started

    def start_evaluation(self) -> bool:
        store, language = self.store, self.language()

        def work(progress: ProgressSink, cancel: CancelToken) -> object:
            return before_after(store, language, progress=progress, cancel=cancel)

        def done(result: BeforeAfter) -> None:
            self.last_evaluation = result
            if not self.quiet:
                present(EvaluationDialog(evaluation_title(result), result.before, result.after,
                                         (result.before_name, result.after_name or ""), result.epochs_f,
                                         self.parent))

        return self.jobs.start(Job("evaluating", work), done)

    def use_latest_model(self) -> None:
        language, store = self.language(), self.store
        self.superseded()

        def chosen(trained: list[TrainedModel]) -> None:
            if not trained:
                self.notify(f"no trained '{language}' model yet: Model → Train first", True)
                return
            self._choose(language, trained[-1].path)

        self.ops.run(Op(lambda: store.trained_models(language), chosen,
                        lambda exc: self.notify(str(exc), True), "list trained models"))

    def use_default_model(self) -> None:
        self.superseded()
        self._choose(self.language(), None)

    def _choose(self, language: str, model: str | None) -> None:
        """Make ``model`` (None: the default) suggest for ``language``, then re-run it."""
        store = self.store

        def work() -> Pipelines:
            store.set_suggestion_model(language, model)
            return project_pipelines(store)

        def done(pipelines: Pipelines) -> None:
            self.pipelines = pipelines
            self.model_chosen(language)  # the status bar said "en model: base" after Use the latest model
            self.start_preannotation(rerun=True)

        self.ops.run(Op(work, done, lambda exc: self.notify(str(exc), True), "choose the suggestion model"))

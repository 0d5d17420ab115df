"""The main window: layout and wiring. Each job lives in its own module:

- ``document_panel``: the list, its filters, moving through the corpus;
- ``editor_panel``: the open article, key commands, undo/redo (over the Qt-free ``session``);
- ``ops``: store work on the one database worker; ``jobs``: long background jobs with Cancel;
- ``file_menu`` / ``model_menu`` / ``team_menu``: what the menus do; ``actions``: the menu table and
  the F1 help; ``window_state``: what is remembered between runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMessageBox,
    QSplitter,
)

from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError
from annotator.core.labels import Label
from annotator.core.progress import CancelToken, ProgressSink
from annotator.core.span import GOLD
from annotator.gui import accept_dialog, plain, window_state
from annotator.gui.actions import build_menus
from annotator.gui.article_view import ArticleView
from annotator.gui.attention import AttentionActions
from annotator.gui.document_panel import DocumentPanel
from annotator.gui.editor_panel import EditorPanel
from annotator.gui.file_menu import FileActions
from annotator.gui.jobs import Job, JobRunner, Throttle
from annotator.gui.label_actions import LabelActions
from annotator.gui.label_palette import LabelPalette
from annotator.gui.learning import BackgroundLearning
from annotator.gui.learning_menu import LearningActions, uncertainty_order
from annotator.gui.message_bar import MessageBar
from annotator.gui.model_menu import ModelActions
from annotator.gui.occurrences import OccurrenceActions
from annotator.gui.ops import Op, Ops
from annotator.gui.panel_widths import PanelWidths
from annotator.gui.session import AnnotationSession
from annotator.gui.shortcuts_dialog import shortcuts_dialog
from annotator.gui.team_menu import TeamActions
from annotator.gui.team_panel import VersionsPanel
from annotator.io.bundled import seeds_folder
from annotator.io.importer import ImportOptions, import_paths
from annotator.nlp.pipelines import Pipelines
from annotator.store import Store
from annotator.store.records import DocumentView, ImportReport

NO_ARTICLES = "No articles yet: File → Import files… (Ctrl+O) or Import folder… (Ctrl+Shift+O)."


class MainWindow(QMainWindow):
    def __init__(self, store: Store, user: str, pipelines: Pipelines | None = None) -> None:
        super().__init__()
        self.setStatusBar(MessageBar(self))  # long messages wrap instead of being cut at the permanent widgets
        self.store = store
        self._described = ""  # the selected entity's description in the status bar, if shown
        self.ops = Ops(self)
        self.ops.error.connect(lambda text: self.message(text, warn=True))
        self.session = AnnotationSession(store, user)
        self.jobs = JobRunner(self.statusBar())
        self.jobs.ended.connect(self._job_ended)
        self.jobs.progressed.connect(self._job_progressed)
        self._list_throttle = Throttle()

        self.documents = DocumentPanel(self.ops, store, lambda: self.session.user)
        self.editor = EditorPanel(self.ops, self.session)
        self.versions = VersionsPanel()
        self.versions.hide()
        self.labels_panel = LabelPalette()
        self._layout()

        notify = self.message
        self.files = FileActions(self, store, self.jobs, lambda: self.session.user, notify, self._imported)
        self.models = ModelActions(self, store, pipelines or Pipelines(), self.jobs, self.ops, self._language,
                                   notify)
        self.learning = BackgroundLearning(store, self.ops, self.editor, self.documents.update_rows,
                                           lambda p: setattr(self.models, "pipelines", p), self)
        self.learning.message.connect(self.message)
        self.learning.ranked.connect(lambda _language: self.documents.show_unsure(
            {doc: score for scores in self.learning.scores.values() for doc, score in scores.items()}))
        self.models.superseded = self.learning.supersede  # Ctrl+T, Use…model: background work is stale
        self.models.model_chosen = self.learning.modelChanged.emit  # the status bar names the model in use
        self.learning_actions = LearningActions(self, store, self.ops, self.learning, self._language, notify,
                                                self.statusBar())
        self.team = TeamActions(self, store, self.ops, self.editor, self.versions, notify, self._user_changed)
        self.occurrences = OccurrenceActions(
            self, store, self.ops, self.editor, notify,
            lambda doc_id, then: self.ops.step(lambda: self.editor.open_document(doc_id, then)))
        self.attention = AttentionActions(
            self, store, self.ops, self.editor, notify,
            lambda doc_id, then: self.ops.step(lambda: self.editor.open_document(doc_id, then)),
            lambda: self.documents.refresh())
        self.editor.labelAllRequested.connect(self.occurrences.label_all_here)
        self.documents.documentChosen.connect(self.open_document)
        self.documents.message.connect(self.message)
        self.documents.searchChanged.connect(self.editor.article.mark_words)
        self.editor.documentShown.connect(self._shown)
        self.editor.rowsChanged.connect(self.documents.update_rows)
        self.editor.statusSet.connect(self._status_set)
        self.editor.message.connect(self.message)
        self.editor.selectionDescribed.connect(self._describe_selection)
        self.labels_panel.labelClicked.connect(lambda name: self.editor.on_command("label", name))
        self.label_actions = LabelActions(self, store, self.ops, self.editor, self._show_labels, notify)
        self.labels_panel.addRequested.connect(self.label_actions.add_label)
        self.labels_panel.colourRequested.connect(self.label_actions.change_colour)
        self.actions_by_name = build_menus(self, self._handlers())
        self.review_action = self.actions_by_name["toggle_review"]
        self.actions_by_name["toggle_ask_on_accept"].setChecked(accept_dialog.asking())
        self.actions_by_name["toggle_uncertainty_order"].setChecked(uncertainty_order())
        self.editor.askOnAcceptChanged.connect(self.actions_by_name["toggle_ask_on_accept"].setChecked)
        self.editor.bind_undo_actions(self.actions_by_name["undo"], self.actions_by_name["redo"])
        self.statusBar().addPermanentWidget(self.documents.progress_label)
        # a message longer than even MessageBar's lines: the whole of it on hover
        self.statusBar().messageChanged.connect(lambda m: self.statusBar().setToolTip(plain.tooltip(m) if m else ""))
        self._user_changed(user, False)
        self.article.setPlaceholderText("Opening the article…")  # until the first one is read and shown
        last = window_state.restore(self, self.splitter)
        self.documents.refresh(lambda labels: self._first_article(labels, last))

    def _layout(self) -> None:
        self.splitter = QSplitter()
        self.splitter.addWidget(self.documents)
        self.splitter.addWidget(self.editor)
        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(self.labels_panel)
        side.addWidget(self.versions)
        self.splitter.addWidget(side)
        # A resize goes mostly to the article: three quarters of what the window gains or loses.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 0)
        # The list can be collapsed (drag it shut, or Ctrl+\\); the article and labels cannot.
        self.splitter.setCollapsible(0, True)
        self.splitter.setCollapsible(1, False)
        self.splitter.setCollapsible(2, False)
        self.documents.setMinimumWidth(220)
        self.editor.setMinimumWidth(380)
        self.setMinimumSize(800, 520)
        self.setCentralWidget(self.splitter)
        self.widths = PanelWidths(self.splitter, self.documents.full_width)
        self.before_review: list[int] | None = None  # the panel widths review mode took its room from
        self.resize(1400, 900)
        self._share_width()

    def _share_width(self) -> None:
        """The article keeps at least half the width; the list what its columns need, 30 % or more."""
        self.widths.share(max(self.splitter.width(), self.minimumWidth()))

    def toggle_list(self) -> None:
        """Ctrl+\\: hide the list, or show it again as wide as it was."""
        self.widths.toggle_list(max(self.splitter.width(), self.minimumWidth()))

    def _handlers(self) -> dict[str, Callable[[], object]]:
        files, models, team, editor = self.files, self.models, self.team, self.editor
        return {
            "ask_import_files": files.ask_import_files, "ask_import_folder": files.ask_import_folder,
            "ask_export": files.ask_export, "close": self.close,
            "undo": editor.undo, "redo": editor.redo, "accept_all": editor.accept_all,
            "add_label": self.label_actions.add_label, "focus_search": self.documents.search.setFocus,
            "accept_document": lambda: editor.set_status(DocumentStatus.ACCEPTED),
            "reject_document": lambda: editor.set_status(DocumentStatus.REJECTED),
            "flag_document": lambda: editor.set_status(DocumentStatus.FLAGGED),
            "next_document": lambda: self.step_document(1), "previous_document": lambda: self.step_document(-1),
            "next_unfinished": self.next_unfinished,
            "suggest_new": lambda: models.start_preannotation(rerun=False),
            "suggest_again": lambda: models.start_preannotation(rerun=True),
            "start_training": models.start_training, "start_evaluation": models.start_evaluation,
            "use_latest_model": models.use_latest_model, "use_default_model": models.use_default_model,
            "show_model_history": self.learning_actions.show_history,
            "set_learning_every": self.learning_actions.set_every,
            "toggle_uncertainty_order": lambda: self.learning_actions.set_uncertainty_order(
                self.actions_by_name["toggle_uncertainty_order"].isChecked()),
            "ask_user_name": team.ask_user_name,
            "toggle_review": lambda: team.toggle_review(self.review_action.isChecked()),
            "show_agreement": team.show_agreement, "show_shortcuts": self.show_shortcuts,
            "toggle_list": self.toggle_list,
            "label_all_corpus": self.occurrences.label_all_corpus,
            "show_consistency": self.occurrences.show_consistency,
            "next_attention": self.attention.next_attention, "resolve_attention": self.attention.resolve_attention,
            "toggle_ask_on_accept": lambda: accept_dialog.ask_again(
                self.actions_by_name["toggle_ask_on_accept"].isChecked()),
        }

    # -- what is shown ------------------------------------------------------------------------

    @property
    def view(self) -> DocumentView | None:
        return self.session.view

    @property
    def article(self) -> ArticleView:
        return self.editor.article

    def set_quiet(self, quiet: bool = True) -> None:
        """Tests: no modal dialogs (results are kept on the menus' ``last_*`` attributes instead)."""
        self.editor.quiet = self.models.quiet = self.team.quiet = self.occurrences.quiet = quiet
        self.learning_actions.quiet = quiet

    def _first_article(self, labels: list[Label], last: int | None) -> None:
        self._show_labels(labels)
        self._preload(self.documents.languages)
        first, store = self.documents.first_id(), self.store

        def open_first(_exc: AnnotatorError | None = None) -> None:
            if first is not None:
                self.open_document(first)
            else:
                self.article.setPlaceholderText(NO_ARTICLES)

        if last is None:
            open_first()
        else:  # the article open when the window closed, if it is still there
            self.ops.run(Op(lambda: store.document(last).id, self.open_document, open_first, "find the last article"))

    def _preload(self, languages: list[str]) -> None:
        """Every language's tokenizer and pipeline, loaded in the background at start: opening an
        article or suggesting entities never waits for a model to load."""
        session, pipelines = self.session, self.models.pipelines

        def work() -> None:
            for language in languages:
                session.preload(language)
            for language in languages:
                try:
                    pipelines.get(language)
                except Exception:  # noqa: BLE001 - a missing pipeline is reported when it is used
                    continue

        threading.Thread(target=work, name="annotator-preload", daemon=True).start()

    def open_document(self, document_id: int) -> None:
        self.ops.step(lambda: self.editor.open_document(document_id))

    def _shown(self, document_id: int) -> None:
        self.documents.select(document_id)
        language = self._language()
        # Train and Evaluate work on one language: the open article's. Say which in the menu.
        self.actions_by_name["start_training"].setText(f"Train the '{language}' model on accepted corrections")
        self.actions_by_name["start_evaluation"].setText(f"Evaluate the '{language}' model: base vs latest trained")
        self.learning_actions.document_shown(language)
        self.team.refresh_versions()

    def step_document(self, delta: int) -> None:
        self._go(lambda then: self.documents.neighbour(delta, then), "no more documents in this direction")

    def next_unfinished(self) -> None:
        """In corpus (list) order, or most uncertain first (Model menu; scores computed in the background)."""
        self.learning_actions.next_unfinished(
            lambda: self._go(self.documents.next_unfinished, "every document in the list is finished"))

    def _status_set(self, status: DocumentStatus) -> None:
        if status is DocumentStatus.ACCEPTED:
            self.learning.accepted(self._language())  # K accepted: learn in the background
        self.next_unfinished()

    def _go(self, find: Callable[[Callable[[int | None], None]], None], nowhere: str) -> None:
        """Once what is in flight has landed (the list may move), ask the database which article
        ``find`` names, then open it."""
        def found(chosen: int | None) -> None:
            if chosen is None:
                self.message(nowhere)
            else:
                self.editor.open_document(chosen)

        self.ops.step(lambda: find(found))

    def _language(self) -> str:
        view = self.session.view
        return view.info.language if view else "en"

    def _user_changed(self, user: str, reviewing: bool) -> None:
        self.setWindowTitle(f"annotator — {'gold version (review)' if user == GOLD else user}")
        sizes = self.splitter.sizes()
        if reviewing:  # room for one column per annotator; leaving gives back the widths it took them from
            self.before_review = self.before_review or sizes
            self.splitter.setSizes([sizes[0], max(300, sum(sizes) - sizes[0] - 470), 470])
        elif self.before_review is not None:
            self.splitter.setSizes(self.before_review)
            self.before_review = None
        if self.documents.loaded:  # the list counts are the annotator's own
            self.documents.refresh()

    def _show_labels(self, labels: list[Label]) -> None:
        self.documents.set_labels(labels)  # the label filter offers new labels too
        self.editor.set_labels(labels)
        self.labels_panel.set_labels(labels)

    # -- background jobs ----------------------------------------------------------------------

    @property
    def job(self) -> Job | None:
        return self.jobs.job

    def _job_progressed(self) -> None:
        # Show suggestions arriving without flooding: at most every second, and 10x what the last
        # refresh cost the GUI thread, so a 100,000-document list keeps the window responsive.
        if self._list_throttle.ready() and self.ops.idle():
            self._list_throttle.ran(self.documents.refresh_cost)
            # new suggestions in the open article: show them; the first article as soon as one exists
            self.documents.refresh(self._after_job)

    def _job_ended(self, message: str, warn: bool) -> None:
        self.message(message, warn=warn)
        self.documents.refresh(self._after_job)

    def _after_job(self, labels: list[Label]) -> None:
        self._show_labels(labels)
        if self.session.document_id is not None:
            self.editor.reload(only_if_changed=True)
        elif (first := self.documents.first_id()) is not None:
            self.editor.open_document(first)
        elif self.jobs.job is None:  # e.g. the sample import was cancelled: say what to do, not "Importing…"
            self.article.setPlaceholderText(NO_ARTICLES)

    def _imported(self, report: ImportReport, said: str) -> None:
        # the suggestions job's "done" replaced what the import said within a second: say both
        if report.added:
            QTimer.singleShot(0, lambda: self.models.start_preannotation(
                after=lambda: self.message(f"{said}; entities suggested for the new articles")))

    def first_start(self) -> None:
        """Empty store: import the seeds, then suggest entities, each in the background (the first
        article opens when the import ends, not after the suggestions). Otherwise suggest entities for
        documents that have none yet."""
        store, user = self.store, self.session.user
        seeds = seeds_folder()

        def decide(state: tuple[int, bool]) -> None:
            count, waiting = state
            if count == 0 and seeds is not None:
                def work(progress: ProgressSink, cancel: CancelToken) -> object:
                    return import_paths(store, [seeds], ImportOptions(author=user), progress, cancel)

                # started from the import's end, in the same event: no moment without a job between them
                def then(_report: object) -> None:
                    self.models.start_preannotation()

                self.article.setPlaceholderText("Importing the sample articles…")
                self.jobs.start(Job("importing the sample articles", work), then)
            elif waiting:
                self.models.start_preannotation()

        self.ops.run(Op(lambda: (store.document_count(), bool(store.ids_needing_suggestions())), decide,
                        lambda exc: self.message(str(exc), True), "look at the corpus"))

    # -- state --------------------------------------------------------------------------------

    def message(self, text: str, warn: bool = False) -> None:
        self._described = ""
        self.statusBar().showMessage(("⚠ " if warn else "") + text, 8000)

    def _describe_selection(self, text: str) -> None:
        """The selected entity, in the status bar while it stays selected (never a stale one)."""
        bar = self.statusBar()
        if text:
            self._described = text
            bar.showMessage(text)
        elif self._described and bar.currentMessage() == self._described:
            self._described = ""
            bar.clearMessage()

    def show_shortcuts(self) -> None:
        shortcuts_dialog(self).exec()
        plain.give_back_keys(self)  # no window manager (Xvfb) gives the focus back: shortcuts would be dead

    def event(self, event: QEvent) -> bool:
        # A modal dialog closed: without a window manager nothing gives the keyboard back, and every
        # dialog made by Qt's static helpers (QInputDialog.getItem, QColorDialog.getColor...) or ours
        # without plain.give_back_keys left Ctrl+L, Ctrl+Z... dead and letters going to the article.
        if event.type() == QEvent.Type.WindowUnblocked:
            QTimer.singleShot(0, self._keys_back)
        return super().event(event)

    def _keys_back(self) -> None:
        if (self.isVisible() and QGuiApplication.focusWindow() is None and QApplication.activeModalWidget() is None
                and QApplication.activePopupWidget() is None):
            self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        job = self.jobs.job
        if job is not None and not self.editor.quiet and plain.message_box(
            self, QMessageBox.Icon.Question, "Quit annotator",
            f"'{job.title}' is still running. Quit and cancel it?\n\nWhat it has committed so far stays; "
            "the unfinished part is dropped.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        ) != QMessageBox.StandardButton.Yes:
            event.ignore()
            return
        window_state.save(self, self.splitter, self.session.document_id)
        self.learning.stop()
        self.jobs.stop()  # every committed batch stays; the running one is abandoned whole
        self.ops.shutdown()
        super().closeEvent(event)

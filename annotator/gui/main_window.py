"""The main window: document list, article, label palette, and the keyboard flow that ties them.

Every edit is one store call (committed at once) pushed as an undo command; the window refreshes
from the ``Changes`` it returns. Long jobs (import, model loading, pre-annotation) run in the thread
pool with a progress bar and Cancel in the status bar.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.changes import Changes
from annotator.core.compare import compare
from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError, ConflictError, NotFound, StoreUnavailable
from annotator.core.progress import CancelToken, ProgressSink
from annotator.core.snapping import TokenBounds
from annotator.core.span import GOLD, Layer, Span, SpanData
from annotator.core.users import check_user_name
from annotator.gui.article_view import ArticleView
from annotator.gui.commands import StoreEditCommand
from annotator.gui.document_list import ID_ROLE, DocumentFilter, DocumentTableModel
from annotator.gui.label_palette import AddLabelDialog, LabelPalette
from annotator.gui.model_panel import EvaluationDialog
from annotator.gui.team_panel import AgreementDialog, VersionsPanel
from annotator.gui.workers import Job, pool
from annotator.io.bundled import seeds_folder
from annotator.io.exporter import ExportFormat, export
from annotator.io.importer import ImportOptions, import_paths
from annotator.io.selection import ExportOptions
from annotator.io.spacy_docs import Tokenizers
from annotator.nlp.evaluate import BeforeAfter, before_after
from annotator.nlp.pipelines import PipelineConfig, Pipelines, token_bounds
from annotator.nlp.preannotate import preannotate
from annotator.nlp.train import TrainReport, TrainSettings, train
from annotator.store import Store
from annotator.store.records import DocumentView

SHORTCUTS: list[tuple[str, str]] = [
    ("1–9, letters", "apply the label with that key to the selection (or relabel the selected entity)"),
    ("Enter", "confirm the selected suggestion"),
    ("Delete / Backspace", "delete the selected entity or dismiss the suggestion"),
    ("Tab / Shift+Tab", "select the next / previous entity"),
    ("[ / ]", "grow the selected entity by one token at its start / end"),
    ("{ / }", "shrink the selected entity by one token at its start / end"),
    ("Esc", "clear the selection"),
    ("Ctrl+Shift+A", "accept all suggestions in this article"),
    ("Ctrl+Return", "accept the article (mark done) and go to the next unfinished one"),
    ("Ctrl+Shift+R", "reject the article (excluded from training) and go on"),
    ("Ctrl+Shift+F", "flag the article and go on"),
    ("Alt+Right / Alt+Left", "next / previous article (skip)"),
    ("Ctrl+Shift+Right", "next unfinished article"),
    ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo any edit, status changes included"),
    ("Ctrl+L", "add a label to the scheme"),
    ("Ctrl+O / Ctrl+Shift+O", "import files / a folder"),
    ("Ctrl+E", "export training data"),
    ("Ctrl+F", "search the document list"),
    ("Ctrl+T", "train the model on the accepted corrections"),
    ("Ctrl+Shift+G", "review mode: edit the gold version, take an annotator's version"),
]


class MainWindow(QMainWindow):
    def __init__(self, store: Store, user: str, pipelines: Pipelines | None = None) -> None:
        super().__init__()
        self.store, self.user = store, user
        self.annotator = user  # the person; self.user becomes the gold layer in review mode
        self.pipelines = pipelines or Pipelines()
        self.tokenizers = Tokenizers()
        self.undo_stack = QUndoStack(self)
        self.view: DocumentView | None = None
        self.job: Job | None = None
        self._bounds: dict[int, TokenBounds] = {}
        self._last_list_refresh = 0.0
        self._list_refresh_cost = 0.0
        self._quiet_dialogs = False  # tests read last_training / last_evaluation instead of modal dialogs
        self.last_training: TrainReport | None = None
        self.last_evaluation: tuple[object, object] | None = None
        self.last_agreement: list[object] | None = None
        self.setWindowTitle(f"annotator — {user}")
        self._build()
        self._build_actions()
        self.reload_labels()
        self.refresh_list()
        self._restore_state()

    # -- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.table_model = DocumentTableModel()
        self.proxy = DocumentFilter()
        self.proxy.setSourceModel(self.table_model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        # Fixed widths: ResizeToContents would measure every row, all 100,000 of them. The title keeps
        # a readable width; the list scrolls sideways when the panel is narrow.
        for col, width in zip(range(6), (200, 40, 112, 56, 52, 70), strict=True):
            self.table.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(col, width)
        self.table.horizontalHeader().setMinimumSectionSize(24)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search titles…")
        self.status_filter = QComboBox()
        self.status_filter.addItem("any status", None)
        for status in DocumentStatus:
            self.status_filter.addItem(status.value, status.value)
        self.language_filter = QComboBox()
        self.label_filter = QComboBox()
        for widget in (self.status_filter, self.language_filter, self.label_filter):
            widget.currentIndexChanged.connect(self._apply_filters)
        self.search.textChanged.connect(self._apply_filters)

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(4, 4, 4, 4)
        lv.addWidget(self.search)
        row = QHBoxLayout()
        row.addWidget(self.status_filter)
        row.addWidget(self.language_filter)
        row.addWidget(self.label_filter)
        lv.addLayout(row)
        lv.addWidget(self.table, 1)

        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.PlainText)  # titles are article text: never rich text
        self.header.setWordWrap(True)
        self.header.setStyleSheet("font-size: 14pt; font-weight: bold; padding: 4px")
        self.info = QLabel()
        self.info.setTextFormat(Qt.TextFormat.PlainText)
        self.info.setWordWrap(True)  # else its long line sets the article column's minimum width
        self.article = ArticleView()
        self.article.command.connect(self._on_command)
        self.article.spanSelected.connect(self._on_span_selected)
        centre = QWidget()
        cv = QVBoxLayout(centre)
        cv.setContentsMargins(4, 4, 4, 4)
        cv.addWidget(self.header)
        cv.addWidget(self.info)
        cv.addWidget(self.article, 1)

        self.versions = VersionsPanel()
        self.versions.takeRequested.connect(self.take_version)
        self.versions.rowActivated.connect(self._show_range)
        self.versions.hide()
        self.palette = LabelPalette()
        self.palette.setMinimumWidth(190)
        self.palette.labelClicked.connect(lambda name: self._on_command("label", name))
        self.palette.addRequested.connect(self.add_label)

        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(centre)
        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(self.palette)
        side.addWidget(self.versions)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([540, 660, 200])  # every list column visible at 1400 px
        self.setCentralWidget(self.splitter)

        self.progress_label = QLabel()
        self.job_label = QLabel()
        self.job_bar = QProgressBar()
        self.job_bar.setMaximumWidth(220)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_job)
        for w in (self.job_label, self.job_bar, self.cancel_button):
            w.hide()
            self.statusBar().addPermanentWidget(w)
        self.statusBar().addPermanentWidget(self.progress_label)
        self.resize(1400, 900)

    def _build_actions(self) -> None:
        def action(menu, text: str, shortcut: str | QKeySequence | None, slot: Callable[[], object]) -> QAction:  # type: ignore[no-untyped-def]
            act = QAction(text, self)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(lambda _=False: slot())
            menu.addAction(act)
            return act

        bar = self.menuBar()
        file = bar.addMenu("&File")
        action(file, "Import files…", "Ctrl+O", self._ask_import_files)
        action(file, "Import folder…", "Ctrl+Shift+O", self._ask_import_folder)
        action(file, "Export training data…", "Ctrl+E", self._ask_export)
        file.addSeparator()
        action(file, "Quit", QKeySequence.StandardKey.Quit, self.close)
        edit = bar.addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "Undo")
        undo.setShortcut(QKeySequence("Ctrl+Z"))
        redo = self.undo_stack.createRedoAction(self, "Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit.addAction(undo)
        edit.addAction(redo)
        edit.addSeparator()
        action(edit, "Accept all suggestions", "Ctrl+Shift+A", self.accept_all)
        action(edit, "Add label…", "Ctrl+L", self.add_label)
        action(edit, "Search documents", "Ctrl+F", self.search.setFocus)
        doc = bar.addMenu("&Document")
        action(doc, "Accept (done) and next", "Ctrl+Return", lambda: self.set_status(DocumentStatus.ACCEPTED))
        action(doc, "Reject and next", "Ctrl+Shift+R", lambda: self.set_status(DocumentStatus.REJECTED))
        action(doc, "Flag and next", "Ctrl+Shift+F", lambda: self.set_status(DocumentStatus.FLAGGED))
        doc.addSeparator()
        action(doc, "Next document", "Alt+Right", lambda: self.step_document(1))
        action(doc, "Previous document", "Alt+Left", lambda: self.step_document(-1))
        action(doc, "Next unfinished", "Ctrl+Shift+Right", self.next_unfinished)
        model = bar.addMenu("&Model")
        action(model, "Suggest entities for new documents", None, lambda: self.start_preannotation(rerun=False))
        action(model, "Re-run the model on unfinished documents", None, lambda: self.start_preannotation(rerun=True))
        model.addSeparator()
        action(model, "Train on accepted corrections", "Ctrl+T", self.start_training)
        action(model, "Evaluate: base vs latest trained model", None, self.start_evaluation)
        action(model, "Use the latest trained model for suggestions", None, self.use_latest_model)
        action(model, "Go back to the default model", None, self.use_default_model)
        team = bar.addMenu("&Team")
        action(team, "Change annotator name…", None, self.ask_user_name)
        self.review_action = action(team, "Review mode: edit the gold version", "Ctrl+Shift+G", self.toggle_review)
        self.review_action.setCheckable(True)
        action(team, "Agreement between annotators…", None, self.show_agreement)
        help_menu = bar.addMenu("&Help")
        action(help_menu, "Keyboard shortcuts", "F1", self.show_shortcuts)

    # -- list ---------------------------------------------------------------------------------

    def refresh_list(self) -> None:
        current = self.view.info.id if self.view else None
        rows = self.store.list_documents()
        self.table_model.reset(rows)
        languages = sorted({r.language for r in rows})
        self._refill(self.language_filter, "any language", languages)
        self._refill(self.label_filter, "any label", [lb.name for lb in self.store.labels()])
        self._update_progress()
        if current is not None:
            self._select_row(current)

    def _refill(self, combo: QComboBox, anything: str, values: list[str]) -> None:
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(anything, None)
        for v in values:
            combo.addItem(v, v)
        combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen else 0)
        combo.blockSignals(False)

    def _apply_filters(self) -> None:
        label = self.label_filter.currentData()
        status = self.status_filter.currentData()  # Qt hands the enum back as a plain str
        self.proxy.set_filters(DocumentStatus(status) if status else None, self.language_filter.currentData(),
                               self.store.documents_with_label(label) if label else None, self.search.text())

    def _update_progress(self) -> None:
        rows = self.table_model.summaries()
        done = sum(1 for r in rows if r.status is DocumentStatus.ACCEPTED)
        self.progress_label.setText(f"accepted {done} of {len(rows)}")

    def _select_row(self, document_id: int) -> None:
        row = self.table_model.row_of(document_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.table_model.index(row, 0))
        if index.isValid():
            self.table.selectionModel().blockSignals(True)
            self.table.setCurrentIndex(index)
            self.table.selectionModel().blockSignals(False)
            self.table.scrollTo(index)

    def _on_row_changed(self, current, _previous) -> None:  # type: ignore[no-untyped-def]
        if current.isValid():
            self.open_document(int(current.data(ID_ROLE)))

    def _visible_ids(self) -> list[int]:
        """Every listed id in display order: O(n), for tests and one-off uses, not per keystroke."""
        return [self._id_at(r) for r in range(self.proxy.rowCount())]

    def _id_at(self, proxy_row: int) -> int:
        return int(self.proxy.index(proxy_row, 0).data(ID_ROLE))

    def _proxy_row(self, document_id: int | None) -> int | None:
        """Where a document sits in the filtered, sorted list (None if filtered out), without a scan."""
        row = self.table_model.row_of(document_id) if document_id is not None else None
        if row is None:
            return None
        index = self.proxy.mapFromSource(self.table_model.index(row, 0))
        return index.row() if index.isValid() else None

    # -- documents ----------------------------------------------------------------------------

    def open_document(self, document_id: int) -> None:
        try:
            self.view = self.store.view(document_id, self.user)
        except AnnotatorError as exc:
            self.message(str(exc))
            return
        self.article.show_document(self.view.text, self.view.entities)
        self._update_header()
        self._refresh_versions()
        self._select_row(document_id)
        self.article.setFocus()

    def _update_header(self) -> None:
        if self.view is None:
            self.header.setText("")
            self.info.setText("")
            return
        info = self.view.info
        self.header.setText(info.title or info.source)
        by = f" by {info.status_by}" if info.status_by else ""
        self.info.setText(
            f"{info.source} · {info.language} · {info.status.value}{by} · {len(self.view.confirmed)} confirmed, "
            f"{len(self.view.suggestions)} suggestions"
            + (f" from {info.suggested_by}" if info.suggested_by else "")
            + self._model_versus_person()
        )

    def _model_versus_person(self) -> str:
        """How the model's suggestions fared against the person, counting only suggestions the person
        has decided on (confirmed, overridden or dismissed): one still shown is not yet an error."""
        if self.view is None or not self.view.confirmed or not self.view.model:
            return ""
        undecided = {s.id for s in self.view.suggestions}
        decided = [SpanData(s.start, s.end, s.label) for s in self.view.model if s.id not in undecided]
        gold = [SpanData(s.start, s.end, s.label) for s in self.view.confirmed]
        counts = Counter(d.outcome.value for d in compare(decided, gold))
        return " · model vs you: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))

    def step_document(self, delta: int) -> None:
        count = self.proxy.rowCount()
        if not count:
            return
        current = self._proxy_row(self.view.info.id if self.view else None)
        j = (current + delta) if current is not None else (0 if delta > 0 else count - 1)
        if 0 <= j < count:
            self.open_document(self._id_at(j))
        else:
            self.message("no more documents in this direction")

    def next_unfinished(self) -> None:
        """The next unfinished document below the current one, wrapping around; stops at the first
        hit, so a 100,000-document list is not scanned on every key press."""
        count = self.proxy.rowCount()
        current = self._proxy_row(self.view.info.id if self.view else None)
        start = current + 1 if current is not None else 0
        for k in range(count):
            row = (start + k) % count
            if row == current:
                continue
            doc_id = self._id_at(row)
            if not self.table_model.summary_of(doc_id).status.finished:
                self.open_document(doc_id)
                return
        self.message("every document in the list is finished")

    # -- editing ------------------------------------------------------------------------------

    def edit(self, op: Callable[[], Changes]) -> Changes | None:
        """Run one store edit; a refusal becomes a message, success an undo step."""
        while True:
            try:
                changes = op()
                break
            except ConflictError as exc:
                # Someone else changed this document since we read it: show theirs, lose nothing.
                self.message(f"{exc}; the document was reloaded — make your edit again", warn=True)
                if self.view is not None:
                    self.open_document(self.view.info.id)
                return None
            except StoreUnavailable as exc:
                self.message(str(exc), warn=True)
                if self._quiet_dialogs or QMessageBox.question(
                    self, "Database unavailable", f"{exc}\n\nTry this edit again?",
                    QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Cancel,
                ) != QMessageBox.StandardButton.Retry:
                    return None
            except AnnotatorError as exc:
                self.message(str(exc), warn=True)
                return None
        self.undo_stack.push(StoreEditCommand(self.store, changes, self.apply_changes))
        self.apply_changes(changes)
        return changes

    def apply_changes(self, changes: Changes) -> None:
        for doc_id in changes.document_ids:
            with suppress(NotFound):  # deleted meanwhile by another client
                self.table_model.update(self.store.summary(doc_id))
        self._update_progress()
        if self.view is None or self.view.info.id not in changes.document_ids:
            if changes.document_ids:  # an undo of an edit in another document: show it
                self.open_document(next(iter(changes.document_ids)))
            return
        old = {(s.id, s.start, s.end, s.label, s.layer) for s in self.view.entities}
        self.view = self.store.view(self.view.info.id, self.user)
        new = {(s.id, s.start, s.end, s.label, s.layer) for s in self.view.entities}
        dirty = [(start, end) for _, start, end, _, _ in old ^ new]
        self.article.update_spans(self.view.entities, dirty)
        self._update_header()
        added = [s for s in changes.added if not s.rejected]
        if len(added) == 1:  # a created, relabelled, resized or confirmed entity stays selected
            self.article.select_span(next((s for s in self.view.entities if s.id == added[0].id), None))
        elif changes.removed and not added:
            self.article.select_span(None)

    def _seen_version(self) -> int | None:
        """The document version this window last read: an edit against an older one is a conflict."""
        return self.view.info.version if self.view is not None else None

    def bounds(self) -> TokenBounds:
        assert self.view is not None
        doc_id = self.view.info.id
        if doc_id not in self._bounds:
            self._bounds[doc_id] = token_bounds(self.tokenizers.get(self.view.info.language), self.view.text)
        return self._bounds[doc_id]

    def _on_command(self, name: str, arg: str) -> None:
        if self.view is None:
            return
        handler = {
            "label": lambda: self.apply_label(arg),
            "delete": self.delete_selected,
            "confirm": self.confirm_selected,
            "next-span": lambda: self.article.step_span(True),
            "previous-span": lambda: self.article.step_span(False),
            "clear": lambda: self.article.select_span(None),
            "grow-start": lambda: self.resize_selected("grow", True),
            "grow-end": lambda: self.resize_selected("grow", False),
            "shrink-start": lambda: self.resize_selected("shrink", True),
            "shrink-end": lambda: self.resize_selected("shrink", False),
        }.get(name)
        if handler is not None:
            handler()

    def apply_label(self, label: str) -> None:
        """With text selected: create an entity there (snapped to tokens). Otherwise relabel (or, with
        the same label, confirm) the selected entity."""
        assert self.view is not None
        doc_id = self.view.info.id
        selection = self.article.selection()
        if selection is not None:
            snap = self.bounds().snap(*selection)
            if not snap.ok:
                self.message(f"cannot create an entity: {snap.reason}", warn=True)
                return
            start, end, seen = snap.start, snap.end, self._seen_version()
            assert start is not None and end is not None
            self.edit(lambda: self.store.add_span(doc_id, start, end, label, self.user, expected_version=seen))
            return
        span = self.article.selected_span
        if span is None:
            self.message("select some text (or an entity) first")
            return
        if span.label == label and span.layer is Layer.MODEL:
            seen = self._seen_version()
            self.edit(lambda: self.store.confirm_suggestion(span.id, self.user, expected_version=seen))
        elif span.label != label:
            seen = self._seen_version()
            self.edit(lambda: self.store.relabel_span(span.id, label, self.user, expected_version=seen))

    def delete_selected(self) -> None:
        span = self.article.selected_span
        if span is None:
            self.message("click an entity (or press Tab) to select it first")
            return
        seen = self._seen_version()
        self.edit(lambda: self.store.delete_span(span.id, self.user, expected_version=seen))

    def confirm_selected(self) -> None:
        span = self.article.selected_span
        if span is None or span.layer is not Layer.MODEL:
            self.message("select a suggestion (pale, dashed) to confirm it")
            return
        seen = self._seen_version()
        self.edit(lambda: self.store.confirm_suggestion(span.id, self.user, expected_version=seen))

    def resize_selected(self, how: str, at_start: bool) -> None:
        span = self.article.selected_span
        if span is None:
            self.message("select an entity first")
            return
        bounds = self.bounds()
        new = bounds.grow(span.start, span.end, at_start) if how == "grow" else \
            bounds.shrink(span.start, span.end, at_start)
        if new is None:
            edge = "it is a single token" if how == "shrink" else "the text ends there"
            aligned = bounds.aligned(span.start, span.end)
            self.message(f"cannot {how} this entity: " + (edge if aligned else "it does not sit on token boundaries"))
            return
        seen = self._seen_version()
        self.edit(lambda: self.store.resize_span(span.id, new[0], new[1], self.user, expected_version=seen))

    def accept_all(self) -> None:
        if self.view is not None:
            doc_id = self.view.info.id
            seen = self._seen_version()
            self.edit(lambda: self.store.accept_all_suggestions(doc_id, self.user, expected_version=seen))

    def set_status(self, status: DocumentStatus) -> None:
        if self.view is None:
            return
        doc_id = self.view.info.id
        seen = self._seen_version()
        if self.edit(lambda: self.store.set_status(doc_id, status, self.user, expected_version=seen)) is not None:
            self.next_unfinished()

    def add_label(self) -> None:
        dialog = AddLabelDialog(self)
        if dialog.exec():
            try:
                self.store.add_label(dialog.label())
            except AnnotatorError as exc:
                QMessageBox.warning(self, "Label not added", str(exc))
                return
            self.reload_labels()
            self.message(f"label {dialog.label().name} added")

    def reload_labels(self) -> None:
        labels = self.store.labels()
        self.article.set_labels(labels)
        self.palette.set_labels(labels)

    def _on_span_selected(self, span: Span | None) -> None:
        if span is not None and self.view is not None:
            state = "suggestion (Enter confirms)" if span.layer is Layer.MODEL else "confirmed"
            self.statusBar().showMessage(f"{span.label}: {self.view.text[span.start:span.end]!r} — {state}")

    # -- background jobs ----------------------------------------------------------------------

    def start_job(self, job: Job, on_done: Callable[[object], None] | None = None) -> bool:
        if self.job is not None:
            self.message(f"wait for '{self.job.title}' to finish (or cancel it)")
            return False
        self.job = job
        self.job_label.setText(job.title)
        self.job_bar.setRange(0, 0)
        for w in (self.job_label, self.job_bar, self.cancel_button):
            w.show()
        job.signals.progress.connect(self._on_job_progress)
        job.signals.finished.connect(lambda result: self._end_job(f"{job.title}: done", result, on_done))
        job.signals.failed.connect(lambda error: self._end_job(f"{job.title} failed: {error}", None, None, True))
        job.signals.cancelled.connect(lambda: self._end_job(f"{job.title}: cancelled", None, None))
        pool().start(job)
        return True

    def _on_job_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.job_bar.setRange(0, total)
            self.job_bar.setValue(done)
        self.job_label.setText(message)
        now = time.monotonic()
        # Show suggestions arriving without flooding: wait at least 1 s, and 10x what the last refresh
        # cost, so a 100,000-document list (~1 s to reload) keeps the window responsive.
        if now - self._last_list_refresh > max(1.0, 10 * self._list_refresh_cost):
            self.refresh_list()
            self._list_refresh_cost = time.monotonic() - now
            self._last_list_refresh = time.monotonic()

    def _end_job(self, message: str, result: object, on_done: Callable[[object], None] | None,
                 warn: bool = False) -> None:
        self.job = None
        for w in (self.job_label, self.job_bar, self.cancel_button):
            w.hide()
        self.refresh_list()
        if self.view is not None:
            self.open_document(self.view.info.id)
        elif self.proxy.rowCount():
            self.open_document(self._id_at(0))
        self.message(message, warn=warn)
        if on_done is not None:
            on_done(result)

    def cancel_job(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.job_label.setText(f"{self.job.title}: cancelling…")

    def start_preannotation(self, rerun: bool = False) -> bool:
        store, pipelines = self.store, self.pipelines

        def work(progress: ProgressSink, cancel: CancelToken) -> object:
            return preannotate(store, pipelines, rerun=rerun, progress=progress, cancel=cancel)

        return self.start_job(Job("suggesting entities", work))

    def first_start(self) -> None:
        """Empty store: import the seeds and suggest entities, in the background. Otherwise suggest
        entities for documents that have none yet."""
        seeds = seeds_folder()
        store, pipelines, user = self.store, self.pipelines, self.user
        if store.document_count() == 0 and seeds is not None:
            def work(progress: ProgressSink, cancel: CancelToken) -> object:
                import_paths(store, [seeds], ImportOptions(author=user), progress)
                return preannotate(store, pipelines, progress=progress, cancel=cancel)

            self.start_job(Job("importing the sample articles", work))
        elif store.ids_needing_suggestions():
            self.start_preannotation()

    # -- team -------------------------------------------------------------------------------

    def set_user(self, user: str) -> None:
        self.user = user
        self.undo_stack.clear()  # undo steps belong to the layer they were made in
        shown = "gold version (review)" if user == GOLD else user
        self.setWindowTitle(f"annotator — {shown}")
        if self.view is not None:
            self.open_document(self.view.info.id)

    def ask_user_name(self) -> None:
        name, ok = QInputDialog.getText(self, "Annotator", "Your name (recorded with every edit):",
                                        text=self.annotator)
        if not ok:
            return
        try:
            self.annotator = check_user_name(name)
        except AnnotatorError as exc:
            QMessageBox.warning(self, "Name not changed", str(exc))
            return
        QSettings().setValue("user/name", self.annotator)
        if not self.review_action.isChecked():
            self.set_user(self.annotator)

    def toggle_review(self) -> None:
        reviewing = self.review_action.isChecked()
        self.set_user(GOLD if reviewing else self.annotator)
        self.versions.setVisible(reviewing)
        sizes = self.splitter.sizes()
        side = 470 if reviewing else 210  # room for one column per annotator while reviewing
        self.splitter.setSizes([sizes[0], max(300, sum(sizes) - sizes[0] - side), side])
        self._refresh_versions()

    def _refresh_versions(self) -> None:
        if self.view is None or not self.versions.isVisible():
            return
        doc_id = self.view.info.id

        def spans_of(user: str) -> list[SpanData]:
            return [SpanData(s.start, s.end, s.label) for s in self.store.view(doc_id, user).confirmed]

        versions = {name: spans_of(name) for name in self.store.annotators(doc_id)}
        self.versions.show_versions(self.view.text, versions, spans_of(GOLD))

    def _show_range(self, start: int, end: int) -> None:
        span = next((s for s in self.article.spans if s.start == start and s.end == end), None)
        if span is not None:
            self.article.select_span(span)
        else:
            self.article.select_range(start, end)

    def take_version(self, name: str) -> None:
        if self.view is None:
            return
        doc_id = self.view.info.id
        seen = self._seen_version()
        self.edit(lambda: self.store.adopt_version(doc_id, name, GOLD, expected_version=seen))
        self._refresh_versions()

    def show_agreement(self) -> None:
        from annotator.nlp.agreement import agreement

        pairs = agreement(self.store)
        self.last_agreement = pairs
        if not self._quiet_dialogs:
            AgreementDialog(pairs, self).exec()

    # -- the model loop -----------------------------------------------------------------------

    def _language(self) -> str:
        return self.view.info.language if self.view else "en"

    def start_training(self, settings: TrainSettings | None = None) -> bool:
        store, pipelines, language = self.store, self.pipelines, self._language()
        chosen = settings or TrainSettings()

        def work(progress: ProgressSink, cancel: CancelToken) -> object:
            return train(store, pipelines, language, settings=chosen, progress=progress, cancel=cancel)

        def done(report: object) -> None:
            assert isinstance(report, TrainReport)
            self.last_training = report
            dialog = EvaluationDialog(
                f"Trained {report.model.name}", report.before, report.after,
                (pipelines.get(language).author, report.model.author), [e.f for e in report.epochs], self)
            self.message(f"trained {report.model.name}: dev F {report.before.overall.f:.3f} → "
                         f"{report.after.overall.f:.3f}; Model → Use the latest trained model to suggest with it")
            if not self._quiet_dialogs:
                dialog.exec()

        return self.start_job(Job(f"training the {language} model", work), done)

    def start_evaluation(self) -> bool:
        store, language = self.store, self._language()

        def work(progress: ProgressSink, cancel: CancelToken) -> object:
            return before_after(store, language, progress=progress, cancel=cancel)

        def done(result: object) -> None:
            assert isinstance(result, BeforeAfter)
            self.last_evaluation = (result.before, result.after)
            if not self._quiet_dialogs:
                EvaluationDialog("Evaluation on the dev split", result.before, result.after,
                                 (result.before_name, result.after_name or ""), result.epochs_f, self).exec()

        return self.start_job(Job("evaluating", work), done)

    def use_latest_model(self) -> bool:
        language = self._language()
        trained = self.store.trained_models(language)
        if not trained:
            self.message(f"no trained '{language}' model yet: Model → Train first", warn=True)
            return False
        self.store.set_suggestion_model(language, trained[-1].path)
        self._reload_pipelines()
        return self.start_preannotation(rerun=True)

    def use_default_model(self) -> bool:
        self.store.set_suggestion_model(self._language(), None)
        self._reload_pipelines()
        return self.start_preannotation(rerun=True)

    def _reload_pipelines(self) -> None:
        self.pipelines = Pipelines(PipelineConfig.from_env().with_choices(self.store.suggestion_models()))

    # -- files --------------------------------------------------------------------------------

    def _ask_import_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import articles", "",
                                                "Articles (*.txt *.jsonl *.ndjson *.spacy);;All files (*)")
        if paths:
            self.import_files(paths)

    def _ask_import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of articles")
        if folder:
            self.import_files([folder])

    def import_files(self, paths: list[str]) -> bool:
        """All or nothing, in the background; new documents then get suggestions."""
        store, user = self.store, self.user

        def work(progress: ProgressSink, cancel: CancelToken) -> object:
            return import_paths(store, paths, ImportOptions(author=user), progress)

        def done(report: object) -> None:
            added = len(report.added)  # type: ignore[attr-defined]
            dupes = len(report.duplicates)  # type: ignore[attr-defined]
            self.message(f"imported {added} document(s)" + (f", skipped {dupes} duplicate(s)" if dupes else ""))
            self.reload_labels()
            if added:
                QTimer.singleShot(0, self.start_preannotation)

        return self.start_job(Job("importing", work), done)

    def _ask_export(self) -> None:
        formats = [f.value for f in ExportFormat]
        fmt, ok = QInputDialog.getItem(self, "Export training data",
                                       "Format (accepted documents, your corrections):", formats, 0, False)
        if not ok:
            return
        if fmt == ExportFormat.SPACY.value:
            target = QFileDialog.getExistingDirectory(self, "Folder for train.spacy / dev.spacy")
        else:
            suffix = ".conll" if fmt == ExportFormat.CONLL.value else ".jsonl"
            target, _ = QFileDialog.getSaveFileName(self, "Export to", f"export{suffix}")
        if target:
            self.export_to(Path(target), ExportFormat(fmt))

    def export_to(self, target: Path, fmt: ExportFormat, options: ExportOptions | None = None) -> bool:
        store, chosen = self.store, options or ExportOptions()

        def work(progress: ProgressSink, cancel: CancelToken) -> object:
            return export(store, target, fmt, chosen, progress, cancel)

        def done(report: object) -> None:
            files = ", ".join(str(f) for f in report.files)  # type: ignore[attr-defined]
            self.message(f"exported {report.documents} document(s) to {files}")  # type: ignore[attr-defined]

        return self.start_job(Job("exporting", work), done)

    # -- state --------------------------------------------------------------------------------

    def message(self, text: str, warn: bool = False) -> None:
        self.statusBar().showMessage(("⚠ " if warn else "") + text, 8000)

    def show_shortcuts(self) -> None:
        rows = "\n".join(f"{keys:<24} {what}" for keys, what in SHORTCUTS)
        box = QMessageBox(self)
        box.setWindowTitle("Keyboard shortcuts")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(rows)
        box.exec()

    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        splitter = settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        last = settings.value("window/last_document")
        try:
            target = int(last) if last is not None else None
        except (TypeError, ValueError):
            target = None
        if target is not None and self._proxy_row(target) is not None:
            self.open_document(target)
        elif self.proxy.rowCount():
            self.open_document(self._id_at(0))

    def closeEvent(self, event: QCloseEvent) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter", self.splitter.saveState())
        if self.view is not None:
            settings.setValue("window/last_document", self.view.info.id)
        settings.sync()
        if self.job is not None:  # every committed batch stays; the running one is abandoned whole
            self.job.cancel()
            pool().waitForDone(30_000)
        super().closeEvent(event)


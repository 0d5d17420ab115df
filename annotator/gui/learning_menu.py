"""What the Model menu's learning items do, and the model shown in the status bar:

- Background learning: every K accepted articles… (the project setting ``learning.every``; 0: off);
- Model history… (every kept model, its F per version as a chart, rollback: ``model_history.py``);
- Next unfinished: most uncertain first (a choice remembered in QSettings; corpus order otherwise).

Every store read is an op on the database worker; training and ranking run in ``BackgroundLearning``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QInputDialog, QLabel, QPushButton, QStatusBar, QWidget

from annotator.core.plural import plural
from annotator.gui import plain
from annotator.gui.fixed_lines import FixedLinesLabel
from annotator.gui.learning import BackgroundLearning
from annotator.gui.model_history import ModelHistoryDialog, score_text, scored_on
from annotator.gui.ops import Op, Ops
from annotator.nlp.background import ModelPoint, current_point, learning_every, model_history, set_learning_every
from annotator.nlp.pipelines import base_pipeline
from annotator.store import Store

ORDER_KEY = "learning/next_order"  # "corpus" or "uncertainty"
Notify = Callable[[str, bool], None]


def uncertainty_order() -> bool:
    return QSettings().value(ORDER_KEY, "corpus") == "uncertainty"


def status_text(language: str, point: ModelPoint | None, chosen: str | None,
                base: str | None = None) -> tuple[str, str]:
    """The status bar's model, short (the bar is shared with messages at 1024 wide), and in full for
    its tooltip: version and F with its interval and the size of what it was measured on. ``base``:
    the language's installed pipeline (None: nothing suggests, the articles are annotated by hand)."""
    if point is None and chosen is None and base is None:
        return (f"{language}: no model", f"{language}: no installed pipeline suggests entities in this language; "
                "annotate by hand (Model → Train learns from the accepted articles)")
    if point is None:
        return (f"{language} model: {Path(chosen).name if chosen else 'base'}",
                f"{language} model: {chosen or f'the base pipeline {base}'} (not trained here)")
    what = "cross-validated F" if point.mode == "cv" else "dev F"
    short = f"{language} model {point.version}: F " + ("–" if point.f is None else f"{point.f:.2f}")
    return short, f"{language} model {point.version}: {what} {score_text(point)} ({scored_on(point)})"


class LearningActions:
    def __init__(self, parent: QWidget, store: Store, ops: Ops, learning: BackgroundLearning,
                 language: Callable[[], str], notify: Notify, status_bar: QStatusBar) -> None:
        self.parent, self.store, self.ops, self.learning = parent, store, ops, learning
        self.editor = learning.editor
        self.language, self.notify = language, notify
        self.quiet = False  # tests: no input dialog
        self.history: ModelHistoryDialog | None = None
        self.model_label = QLabel()
        self.model_label.setTextFormat(Qt.TextFormat.PlainText)  # versions and paths are data
        status_bar.addPermanentWidget(self.model_label)
        # The open article's uncertainty while "most uncertain first" is on (the list has no column for it).
        self.uncertainty_label = QLabel()
        status_bar.addPermanentWidget(self.uncertainty_label)
        # Background learning's progress, with its own Cancel (the JobRunner's is the analyst's jobs').
        self.progress_label = FixedLinesLabel(2, widest=420)  # never under the button; whole text in its tooltip
        self.cancel_button = QPushButton("Cancel learning")
        self.cancel_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay with the article
        self.cancel_button.clicked.connect(learning.supersede)
        for widget in (self.progress_label, self.cancel_button):
            widget.hide()
            status_bar.addPermanentWidget(widget)
        learning.progressed.connect(self._progressed)
        self._shown_language: str | None = None
        learning.modelChanged.connect(self._model_changed)
        learning.ranked.connect(lambda _language: self.show_uncertainty())

    # -- the status bar ---------------------------------------------------------------------------

    def _progressed(self, text: str) -> None:
        self.progress_label.setText(f"background {text}" if text else "")
        for widget in (self.progress_label, self.cancel_button):
            widget.setVisible(bool(text))

    def document_shown(self, language: str) -> None:
        if language != self._shown_language:
            self._shown_language = language
            self.refresh_status()
        self.show_uncertainty()

    def show_uncertainty(self) -> None:
        scores = self.learning.scores.get(self.language()) if uncertainty_order() else None
        doc_id = self.editor.session.document_id
        if not scores or doc_id not in scores:
            self.uncertainty_label.setText("")
            return
        rank = list(scores).index(doc_id) + 1
        self.uncertainty_label.setText(f"uncertainty {scores[doc_id]:.2f} (rank {rank} of {len(scores)} unfinished)")

    def refresh_status(self) -> None:
        store, language = self.store, self.language()

        def read() -> tuple[ModelPoint | None, str | None, str | None]:
            return current_point(store, language), store.suggestion_models().get(language), base_pipeline(language)

        def show(got: tuple[ModelPoint | None, str | None, str | None]) -> None:
            short, whole = status_text(language, *got)
            self.model_label.setText(short)
            self.model_label.setToolTip(plain.tooltip(whole))

        self.ops.run(Op(read, show,
                        lambda exc: self.notify(str(exc), True), "read the current model"))

    def _model_changed(self, language: str) -> None:
        if language == self.language():
            self.refresh_status()
        if uncertainty_order():
            self.learning.rank(language)

    # -- K ------------------------------------------------------------------------------------------

    def set_every(self, every: int | None = None) -> None:
        """Ask for K (unless given) and keep it in the project's settings."""
        store = self.store

        def save(k: int) -> None:
            self.ops.run(Op(lambda: set_learning_every(store, k),
                            lambda _: self.notify(f"background learning: after every {plural(k, 'accepted article')}"
                                                  if k else "background learning is off", False),
                            lambda exc: self.notify(str(exc), True), "save the learning setting"))

        if every is not None:
            save(every)
            return

        def ask(current: int) -> None:
            k, ok = QInputDialog.getInt(self.parent, "Background learning",
                                        "Train a new model after every K accepted articles (0: never):",
                                        current, 0, 10_000)
            if ok:
                save(k)

        self.ops.run(Op(lambda: learning_every(store), ask, lambda exc: self.notify(str(exc), True),
                        "read the learning setting"))

    # -- history and rollback -------------------------------------------------------------------------

    def show_history(self) -> None:
        store, language = self.store, self.language()

        def read() -> tuple[list[ModelPoint], str]:
            return model_history(store, language), base_pipeline(language) or f"blank:{language}"

        def show(got: tuple[list[ModelPoint], str]) -> None:
            self.history = ModelHistoryDialog(language, got[0], got[1], self.parent)
            self.history.makeCurrent.connect(lambda path: self.make_current(language, path))
            if not self.quiet:
                self.history.open()

        self.ops.run(Op(read, show, lambda exc: self.notify(str(exc), True), "read the model history"))

    def make_current(self, language: str, path: str | None) -> None:
        self.notify(f"making {path or 'the base pipeline'} suggest for '{language}'; re-suggesting in the "
                    "background", False)
        self.learning.choose(language, path)

    # -- next unfinished ------------------------------------------------------------------------------

    def set_uncertainty_order(self, on: bool) -> None:
        QSettings().setValue(ORDER_KEY, "uncertainty" if on else "corpus")
        self.show_uncertainty()
        if on and self.language() not in self.learning.scores:
            self.learning.rank(self.language())
            self.notify("ranking the unfinished articles by the model's uncertainty, in the background", False)

    def next_unfinished(self, corpus_order: Callable[[], None]) -> None:
        """Ctrl+Shift+Right: in the order chosen in the Model menu."""
        if not uncertainty_order():
            corpus_order()
            return
        editor = self.editor
        self.ops.step(lambda: self.next_uncertain(editor.session.document_id, editor.open_document, corpus_order))

    def next_uncertain(self, current: int | None, open_document: Callable[[int], None],
                       corpus_order: Callable[[], None]) -> None:
        """The most uncertain unfinished article other than ``current``; corpus order until the scores
        are in (the status of each candidate is checked on the database worker)."""
        language = self.language()
        scores = self.learning.scores.get(language)
        if scores is None:
            self.learning.rank(language)
            self.notify("the uncertainty ranking is still being computed: corpus order for now", False)
            corpus_order()
            return
        ranked = [d for d in scores if d != current]
        store = self.store

        def first_unfinished() -> int | None:
            return next((d for d in ranked if not store.document(d).status.finished), None)

        def chosen(doc_id: int | None) -> None:
            if doc_id is None:
                corpus_order()
            else:
                open_document(doc_id)

        self.ops.run(Op(first_unfinished, chosen, lambda exc: self.notify(str(exc), True), "next uncertain"))

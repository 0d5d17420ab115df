"""The editor panel: the open article with its header, the key commands that edit it, and undo.

Keys become ``Edit``s built by the Qt-free ``AnnotationSession`` at key-press time; each runs on the
database worker (``Ops``) and its result comes back here to be drawn. Every edit is committed before
it reaches the undo stack; undo and redo run ``Store.revert`` through the same worker and move the
stack only when the store says they happened, so a refused undo leaves the stack where it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QMessageBox, QVBoxLayout, QWidget
from shiboken6 import isValid

from annotator.core.changes import Changes
from annotator.core.compare import compare
from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError, ConflictError, StoreUnavailable
from annotator.core.imported import attention_text
from annotator.core.labels import Label
from annotator.core.plural import plural
from annotator.core.span import Layer, Span, SpanData
from annotator.gui import plain
from annotator.gui.accept_dialog import asking, unreviewed_on_accept
from annotator.gui.article_view import ArticleView
from annotator.gui.fixed_lines import FixedLinesLabel
from annotator.gui.ops import Op, Ops
from annotator.gui.session import AnnotationSession, Edit, EditResult, Loaded, Redraw
from annotator.store.edits import Unreviewed


class EditStep(QUndoCommand):
    """A committed edit on the undo stack. It holds the ``Changes`` that undo reverts and, once
    undone, those that redo reverts; the store work is done by the panel before the stack moves."""

    def __init__(self, changes: Changes) -> None:
        super().__init__(changes.description or "edit")
        self.changes = changes  # what undo reverts
        self.inverse: Changes | None = None  # what redo reverts (set by an undo)

    def redo(self) -> None:  # the store work already happened (the edit, or a revert)
        pass

    def undo(self) -> None:
        pass


class EditorPanel(QWidget):
    documentShown = Signal(int)  # the id of the article now shown
    rowsChanged = Signal(object)  # tuple[DocumentSummary, ...] after an edit
    statusSet = Signal(object)  # DocumentStatus: an article was accepted/rejected/flagged (go on)
    message = Signal(str, bool)  # (text, warn)
    selectionDescribed = Signal(str)  # what the selected entity is; "" when nothing is selected
    askOnAcceptChanged = Signal(bool)  # the person kept an answer to "unreviewed suggestions?"
    labelAllRequested = Signal()  # "=": the selected entity's label on its other occurrences

    def __init__(self, ops: Ops, session: AnnotationSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops, self.session = ops, session
        self.quiet = False  # tests: no modal "retry?" question
        self.undo_stack = QUndoStack(self)
        # The title on one line (elided, whole in its tooltip): the article starts at the same height
        # for every article. Titles are article text: plain, never rich text.
        self.header = FixedLinesLabel(1)
        title_font = self.header.font()
        title_font.setPointSize(14)
        title_font.setBold(True)
        self.header.setFont(title_font)
        self.header.setContentsMargins(4, 4, 4, 4)
        # Always two lines (the last elided, the whole in its tooltip): the article never moves down
        # when "model vs you" or "needs attention" appears, and a long line sets no minimum width.
        self.info = FixedLinesLabel(2)
        self.article = ArticleView()
        self.article.command.connect(self.on_command)
        self.article.spanSelected.connect(self._on_span_selected)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.info)
        layout.addWidget(self.article, 1)

    def bind_undo_actions(self, undo: QAction, redo: QAction) -> None:
        """Menu actions follow the stack: enabled when there is something to undo/redo, named after it."""
        self.undo_stack.canUndoChanged.connect(undo.setEnabled)
        self.undo_stack.canRedoChanged.connect(redo.setEnabled)
        def name(action: QAction, verb: str, step: str) -> None:
            if isValid(action):  # the window's actions go before the stack when the window closes
                action.setText(f"{verb} {step}".strip())

        self.undo_stack.undoTextChanged.connect(lambda t: name(undo, "Undo", t))
        self.undo_stack.redoTextChanged.connect(lambda t: name(redo, "Redo", t))
        undo.setEnabled(self.undo_stack.canUndo())
        redo.setEnabled(self.undo_stack.canRedo())

    # -- opening ----------------------------------------------------------------------------

    def open_document(self, document_id: int, then: Callable[[], None] | None = None) -> None:
        """Read the article (and tokenize it) on the worker, then show it."""
        def shown(loaded: Loaded) -> None:
            self.session.opened(loaded)
            self.article.show_document(loaded.view.text, loaded.view.entities)
            self.update_header()
            self.documentShown.emit(loaded.view.info.id)
            self.article.setFocus()
            if then is not None:
                then()

        self.ops.run(Op(lambda: self.session.load(document_id), shown,
                        lambda exc: self.message.emit(str(exc), True), "open the article"))

    def reload(self, only_if_changed: bool = False, then: Callable[[], None] | None = None) -> None:
        """Re-read the open article, keeping the place: the scroll position and the selected entity
        (when it is still there). With ``only_if_changed``, redraw only if its version moved (e.g. the
        app's own background pre-annotation replaced its suggestions)."""
        doc_id, before = self.session.document_id, self.session.current
        if doc_id is None or before is None:
            return
        selected = self.article.selected_span
        scroll = self.article.verticalScrollBar().value()

        def shown(loaded: Loaded) -> None:
            if self.session.document_id != doc_id:
                return  # the person moved on meanwhile
            if only_if_changed and loaded.view.info.version == self.session.seen_version(doc_id):
                return
            self.session.opened(loaded)
            self.article.show_document(loaded.view.text, loaded.view.entities)
            if selected is not None:
                same = next((s for s in loaded.view.entities if (s.start, s.end, s.label) ==
                             (selected.start, selected.end, selected.label)), None)
                self.article.select_span(same)
            self.article.verticalScrollBar().setValue(scroll)  # after selecting: the place, not the span
            self.update_header()
            if then is not None:
                then()

        self.ops.run(Op(lambda: self.session.load(doc_id), shown,
                        lambda exc: self.message.emit(str(exc), True), "reload the article"))

    def set_labels(self, labels: list[Label]) -> None:
        self.article.set_labels(labels)

    def update_header(self) -> None:
        view = self.session.view
        if view is None:
            self.header.setText("")
            self.info.setText("")
            return
        info = view.info
        self.header.setText(info.title or info.source)
        by = f" by {info.status_by}" if info.status_by else ""
        self.info.setText(
            f"{info.source} · {info.language} · {info.status.value}{by} · {len(view.confirmed)} confirmed, "
            f"{len(view.suggestions)} unreviewed"
            + (f" from {info.suggested_by}" if info.suggested_by else "")
            + self._model_versus_person()
            + (f" · needs attention: {attention_text(info.attention)}" if info.attention else "")
        )

    def _model_versus_person(self) -> str:
        """How the model's suggestions fared against the person, counting only suggestions the person
        has decided on (confirmed, overridden or dismissed): one still shown is not yet an error."""
        view = self.session.view
        if view is None or not view.confirmed or not view.model:
            return ""
        undecided = {s.id for s in view.suggestions}
        decided = [SpanData(s.start, s.end, s.label) for s in view.model if s.id not in undecided]
        gold = [SpanData(s.start, s.end, s.label) for s in view.confirmed]
        counts = Counter(d.outcome.value for d in compare(decided, gold))
        return " · model vs you: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))

    def _on_span_selected(self, span: Span | None) -> None:
        """Say what is selected; with nothing selected, say nothing (a description of an entity that
        was just deleted, or belongs to the article left behind, would mislead)."""
        view = self.session.view
        if span is not None and view is not None:
            state = "suggestion (Enter confirms)" if span.layer is Layer.MODEL else "confirmed"
            self.selectionDescribed.emit(f"{span.label}: {view.text[span.start:span.end]!r} — {state}")
        else:
            self.selectionDescribed.emit("")

    # -- keys -------------------------------------------------------------------------------

    def on_command(self, name: str, arg: str) -> None:
        """A key from the article. It waits behind any edit in flight, then acts on what is shown."""
        self.ops.step(lambda: self._command(name, arg))

    def _command(self, name: str, arg: str) -> None:
        if self.session.current is None:
            return
        article = self.article
        handler: Callable[[], object] | None = {
            "label": lambda: self.apply_label(arg),
            "delete": self.delete_selected,
            "confirm": self.confirm_selected,
            "next-span": lambda: article.step_span(True),
            "previous-span": lambda: article.step_span(False),
            "label-all": self.labelAllRequested.emit,
            "unbound": lambda: self.message.emit(f"no label has the key '{arg}' — Ctrl+L adds a label", True),
            "next-suggestion": lambda: self._step_suggestion(True),
            "previous-suggestion": lambda: self._step_suggestion(False),
            "clear": article.clear_selection,
            "grow-start": lambda: self.resize_selected(True, True),
            "grow-end": lambda: self.resize_selected(True, False),
            "shrink-start": lambda: self.resize_selected(False, True),
            "shrink-end": lambda: self.resize_selected(False, False),
        }.get(name)
        if handler is not None:
            handler()

    def _step_suggestion(self, forward: bool) -> None:
        if not self.article.step_span(forward, suggestions_only=True):
            self.message.emit("no suggestion left to review in this article — Ctrl+Return accepts it", False)

    def apply_label(self, label: str) -> None:
        """With text selected: create an entity there (snapped to tokens). Otherwise relabel (or, with
        the same label, confirm) the selected entity."""
        selection = self.article.selection()
        if selection is not None:
            snap = self.session.snap(*selection)
            if not snap.ok or snap.start is None or snap.end is None:
                self.message.emit(f"cannot create an entity: {snap.reason}", True)
                return
            self.article.clear_text_selection()  # used up: a selection present when the result lands is newer
            self.run_edit(self.session.add_entity(snap.start, snap.end, label))
            return
        span = self.article.selected_span
        if span is None:
            self.message.emit("select some text (or an entity) first", False)
            return
        edit = self.session.label_entity(span, label)
        if edit is not None:
            self.run_edit(edit)

    def delete_selected(self) -> None:
        span = self.article.selected_span
        if span is None:
            self.message.emit("click an entity (or press Tab) to select it first", False)
            return
        self.run_edit(self.session.delete(span))

    def confirm_selected(self) -> None:
        span = self.article.selected_span
        if span is None or span.layer is not Layer.MODEL:
            self.message.emit("select a suggestion (pale, dashed) to confirm it", False)
            return
        self.run_edit(self.session.confirm(span))

    def resize_selected(self, grow: bool, at_start: bool) -> None:
        span = self.article.selected_span
        if span is None:
            self.message.emit("select an entity first", False)
            return
        edit = self.session.resize(span, grow, at_start)
        if isinstance(edit, str):
            self.message.emit(edit, True)
        else:
            self.run_edit(edit)

    def accept_all(self) -> None:
        def step() -> None:
            if self.session.current is not None:
                self.run_edit(self.session.accept_all())

        self.ops.step(step)

    def set_status(self, status: DocumentStatus) -> None:
        """Accept / reject / flag the article and go on. Accepting with suggestions nobody reviewed
        asks once what they are (unless the person chose an answer for good)."""
        def step() -> None:
            view = self.session.view
            if view is None:
                return
            unreviewed: Unreviewed = "confirm"
            if status is DocumentStatus.ACCEPTED and view.suggestions:
                answer = unreviewed_on_accept(self, len(view.suggestions), self.quiet)
                self.askOnAcceptChanged.emit(asking())
                if answer == "review":
                    self.article.select_span(view.suggestions[0])
                    return
                if answer is None:
                    self.message.emit(f"not marked {status.value}: nothing changed", False)
                    return
                unreviewed = answer
            left = len(view.suggestions) if status is DocumentStatus.ACCEPTED else 0
            title = view.info.title if len(view.info.title) <= 60 else view.info.title[:59] + "…"
            said = (f"{status.value} '{title}'" + (f"; {plural(left, 'unreviewed suggestion')} "
                                                   f"{unreviewed}ed" if left else "") + " — Ctrl+Z undoes")

            def went_on() -> None:  # the next article opens: say what happened to this one
                self.message.emit(said, False)
                self.statusSet.emit(status)

            self.run_edit(self.session.set_status(status, unreviewed), went_on)

        self.ops.step(step)

    # -- running edits ----------------------------------------------------------------------

    def run_edit(self, edit: Edit, then: Callable[[], None] | None = None) -> None:
        """Run ``edit`` on the worker; success becomes an undo step and a redraw, a refusal a message."""
        show = self.session.document_id

        def done(result: EditResult) -> None:
            self.undo_stack.push(EditStep(result.changes))
            self._draw(result, edit.advance_from)
            if then is not None:
                then()

        self.ops.run(Op(lambda: self.session.run_edit(edit, show), done,
                        lambda exc: self._refused(exc, lambda: self.run_edit(edit, then)), edit.description))

    def _refused(self, exc: AnnotatorError, retry: Callable[[], None], undoing: bool = False) -> None:
        if isinstance(exc, ConflictError):
            # Someone else changed the article since this window read it: show theirs, lose nothing. Said
            # once it is shown: the reselected entity's description used to replace the message at once.
            said = f"{exc}. The article now shows the current version" + (
                "; the undo history was cleared." if undoing else "; make your edit again.")
            if undoing:
                self.undo_stack.clear()  # older steps were made on a state that no longer exists
            self.reload(then=lambda: self.message.emit(said, True))
        elif isinstance(exc, StoreUnavailable):
            self.message.emit(str(exc), True)
            if not self.quiet and plain.message_box(
                self, QMessageBox.Icon.Question, "Database unavailable", f"{exc}\n\nTry again?",
                QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Cancel,
            ) == QMessageBox.StandardButton.Retry:
                retry()
        else:
            self.message.emit(str(exc), True)

    def _draw(self, result: EditResult, advance_from: int | None = None, reverted: bool = False) -> None:
        redraw: Redraw = self.session.applied(result, advance_from, reverted)
        self.rowsChanged.emit(result.summaries)
        view = self.session.view
        if view is None:
            return
        if redraw.reopened:
            self.article.show_document(view.text, view.entities)
            self.documentShown.emit(view.info.id)
            if redraw.select is not None:
                self.article.select_span(redraw.select)
        else:
            self.article.update_spans(view.entities, redraw.dirty)
            if self.article.selection() is not None:
                pass  # text selected while the edit was being saved: the person's newer choice wins
            elif redraw.select is not None:
                self.article.select_span(redraw.select)
            elif redraw.clear:
                self.article.select_span(None)
                if advance_from is not None:
                    self.message.emit(f"that was the last entity; {len(view.suggestions)} unreviewed — "
                                      "Ctrl+Return accepts the article", False)
        self.update_header()

    # -- undo / redo ------------------------------------------------------------------------

    def undo(self) -> None:
        self.ops.step(lambda: self._revert(undo=True))

    def redo(self) -> None:
        self.ops.step(lambda: self._revert(undo=False))

    def _revert(self, undo: bool) -> None:
        index = self.undo_stack.index()
        if (undo and index == 0) or (not undo and index >= self.undo_stack.count()):
            self.message.emit(f"nothing to {'undo' if undo else 'redo'}", False)
            return
        step = self.undo_stack.command(index - 1 if undo else index)
        assert isinstance(step, EditStep)
        target = step.changes if undo else step.inverse
        assert target is not None
        expected = self.session.expected_versions(target)
        show = self.session.document_id

        def done(result: EditResult) -> None:
            if undo:
                step.inverse = result.changes
                self.undo_stack.undo()
            else:
                step.changes = result.changes
                self.undo_stack.redo()
            self._draw(result, reverted=True)
            verb = "undid" if undo else "redid"
            self.message.emit(f"{verb}: {target.description}", False)

        self.ops.run(Op(lambda: self.session.run_revert(target, show, expected), done,
                        lambda exc: self._refused(exc, lambda: self._revert(undo), undoing=True),
                        "undo" if undo else "redo"))

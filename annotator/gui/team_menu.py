"""The Team menu: the annotator's name, review mode (edit the gold version, take someone's version)
and the agreement table. Per-annotator versions and agreement are read on the database worker."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from annotator.core.agreement import PairAgreement
from annotator.core.errors import AnnotatorError
from annotator.core.span import GOLD, SpanData
from annotator.core.users import check_user_name
from annotator.gui import plain
from annotator.gui.editor_panel import EditorPanel
from annotator.gui.ops import Op, Ops
from annotator.gui.team_panel import AgreementDialog, VersionsPanel
from annotator.store import Store

Notify = Callable[[str, bool], None]
Versions = tuple[str, dict[str, list[SpanData]], list[SpanData]]


class TeamActions:
    def __init__(self, parent: QWidget, store: Store, ops: Ops, editor: EditorPanel, versions: VersionsPanel,
                 notify: Notify, user_changed: Callable[[str, bool], None]) -> None:
        self.parent, self.store, self.ops, self.editor, self.versions = parent, store, ops, editor, versions
        self.notify, self.user_changed = notify, user_changed
        self.annotator = editor.session.user  # the person; the session's user is GOLD in review mode
        self.reviewing = False
        self.quiet = False
        self.last_agreement: list[PairAgreement] | None = None
        versions.takeRequested.connect(self.take_version)
        versions.rowActivated.connect(self._show_range)

    def set_user(self, user: str) -> None:
        """Edit as ``user`` from now on (the gold layer in review mode)."""
        def step() -> None:
            self.editor.session.user = user
            self.editor.undo_stack.clear()  # undo steps belong to the layer they were made in
            self.user_changed(user, self.reviewing)
            self.editor.reload()
            self.refresh_versions()

        self.ops.step(step)

    def ask_user_name(self) -> None:
        name, ok = QInputDialog.getText(self.parent, "Annotator", "Your name (recorded with every edit):",
                                        text=self.annotator)
        if not ok:
            return
        try:
            self.annotator = check_user_name(name)
        except AnnotatorError as exc:
            plain.message_box(self.parent, QMessageBox.Icon.Warning, "Name not changed", str(exc))
            return
        QSettings().setValue("user/name", self.annotator)
        if not self.reviewing:
            self.set_user(self.annotator)

    def toggle_review(self, reviewing: bool) -> None:
        self.reviewing = reviewing
        self.versions.setVisible(reviewing)
        self.set_user(GOLD if reviewing else self.annotator)

    def refresh_versions(self) -> None:
        """(after the article is shown) Every annotator's version of it, read on the worker."""
        view = self.editor.session.view
        if view is None or not self.reviewing:
            return
        store, doc_id, text = self.store, view.info.id, view.text

        def read() -> Versions:
            def spans_of(user: str) -> list[SpanData]:
                return [SpanData(s.start, s.end, s.label) for s in store.view(doc_id, user).confirmed]

            return text, {name: spans_of(name) for name in store.annotators(doc_id)}, spans_of(GOLD)

        def show(data: Versions) -> None:
            if self.editor.session.document_id == doc_id:  # still the article shown
                self.versions.show_versions(*data)

        self.ops.run(Op(read, show, lambda exc: self.notify(str(exc), True), "read the versions"))

    def _show_range(self, start: int, end: int) -> None:
        article = self.editor.article
        span = next((s for s in article.spans if s.start == start and s.end == end), None)
        if span is not None:
            article.select_span(span)
        else:
            article.select_range(start, end)

    def take_version(self, name: str) -> None:
        def step() -> None:
            if self.editor.session.current is not None:
                self.editor.run_edit(self.editor.session.adopt(name), self.refresh_versions)

        self.ops.step(step)

    def show_agreement(self) -> None:
        from annotator.nlp.agreement import agreement

        store = self.store

        def show(pairs: list[PairAgreement]) -> None:
            self.last_agreement = pairs
            if not self.quiet:
                AgreementDialog(pairs, self.parent).exec()

        self.ops.run(Op(lambda: agreement(store), show, lambda exc: self.notify(str(exc), True), "agreement"))

"""Annotate all occurrences and the corpus consistency view.

``=`` on a selected entity gives its label to every other token-aligned occurrence of its text in the
article, at once; Edit → Label all occurrences in the corpus… (Ctrl+Shift+L) shows a preview to
untick first. Both are one edit, one undo step, and touch only the person's own layer (nobody else's
confirmed work). Team → Consistency lists strings labelled in more than one way across the corpus.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QInputDialog,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.plural import plural
from annotator.core.span import Span
from annotator.gui.editor_panel import EditorPanel
from annotator.gui.ops import Op, Ops
from annotator.gui.session import Edit
from annotator.nlp.occurrences import Occurrence, find_occurrences
from annotator.store import Store
from annotator.store.records import LabelVariants

Notify = Callable[[str, bool], None]


class OccurrencePreview(QDialog):
    """Every occurrence with its context and current label, ticked; untick what should stay."""

    def __init__(self, text: str, label: str, found: Sequence[Occurrence], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Label all occurrences as {label}")
        self.resize(760, 480)
        self.found = list(found)
        layout = QVBoxLayout(self)
        intro = QLabel()
        intro.setTextFormat(Qt.TextFormat.PlainText)
        shown = " ".join(text.split())  # an entity across a line break reads as one line here
        intro.setText(f"'{shown}' occurs {plural(len(found), 'time')}. Untick those that are not {label}.")
        layout.addWidget(intro)
        self.table = QTableWidget(len(found), 3)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)  # ticks only: nothing to type
        self.table.setHorizontalHeaderLabels(["document", "context", "now"])
        for row, occ in enumerate(self.found):
            doc = QTableWidgetItem(occ.title)
            doc.setFlags(doc.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            doc.setCheckState(Qt.CheckState.Checked if occ.current != label or not occ.confirmed
                              else Qt.CheckState.Unchecked)
            self.table.setItem(row, 0, doc)
            self.table.setItem(row, 1, QTableWidgetItem(f"…{occ.before} [{shown}] {occ.after}…"))
            now = occ.current or "—"
            self.table.setItem(row, 2, QTableWidgetItem(now + ("" if occ.confirmed or not occ.current else " (sugg.)")))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(0, 200)  # titles are elided; the context gets the room
        self.table.setWordWrap(False)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> list[Occurrence]:
        return [occ for row, occ in enumerate(self.found)
                if (item := self.table.item(row, 0)) is not None and item.checkState() == Qt.CheckState.Checked]


class ConsistencyDialog(QDialog):
    """Strings labelled in more than one way, most disagreeing documents first."""

    def __init__(self, variants: Sequence[LabelVariants], open_at: Callable[[LabelVariants], None],
                 fix: Callable[[LabelVariants], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Consistency: strings labelled in more than one way")
        self.resize(720, 460)
        self.variants = list(variants)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(len(self.variants), 3)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)  # double-click opens the article
        self.table.setHorizontalHeaderLabels(["text", "labels (documents)", "documents disagreeing"])
        for row, v in enumerate(self.variants):
            self.table.setItem(row, 0, QTableWidgetItem(v.text))
            self.table.setItem(row, 1, QTableWidgetItem(", ".join(f"{lb} ×{len(d)}" for lb, d in v.labels.items())))
            self.table.setItem(row, 2, QTableWidgetItem(str(v.disagreeing)))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.cellDoubleClicked.connect(lambda row, _col: open_at(self.variants[row]))
        layout.addWidget(self.table, 1)
        hint = QLabel("Double-click: open an article where it disagrees. Label all…: one label everywhere.")
        layout.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        fix_button = buttons.addButton("Label all…", QDialogButtonBox.ButtonRole.ActionRole)
        fix_button.clicked.connect(lambda: self._fix(fix))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if not self.variants:
            hint.setText("Every string is labelled one way only.")

    def _fix(self, fix: Callable[[LabelVariants], None]) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.variants):
            fix(self.variants[row])


class OccurrenceActions:
    def __init__(self, parent: QWidget, store: Store, ops: Ops, editor: EditorPanel, notify: Notify,
                 open_document: Callable[[int, Callable[[], None] | None], None]) -> None:
        self.parent, self.store, self.ops, self.editor, self.notify = parent, store, ops, editor, notify
        self.open_document = open_document
        self.quiet = False  # tests: accept every preview as it is
        self.last_preview: OccurrencePreview | None = None
        self.last_variants: list[LabelVariants] | None = None

    def _decision(self) -> tuple[str, str] | None:
        """(text, label) of the selected entity: the decision to repeat."""
        span: Span | None = self.editor.article.selected_span
        view = self.editor.session.view
        if span is None or view is None:
            self.notify("select an entity first: its label is applied to the other occurrences", True)
            return None
        return view.text[span.start:span.end], span.label

    def label_all_here(self) -> None:
        """``=``: the selected entity's label on every occurrence of its text in this article."""
        def step() -> None:
            decision, session = self._decision(), self.editor.session
            if decision is None or session.document_id is None:
                return
            text, label = decision
            doc_id, store, user = session.document_id, self.store, session.user

            def found(occurrences: list[Occurrence]) -> None:
                self._apply(text, label, [o for o in occurrences if (o.current, o.confirmed) != (label, True)])

            self.ops.run(Op(lambda: find_occurrences(store, text, user, doc_id), found,
                            lambda exc: self.notify(str(exc), True), "find occurrences"))

        self.ops.step(step)

    def label_all_corpus(self, text: str | None = None, label: str | None = None) -> None:
        """Every occurrence in the corpus, in a preview to untick first."""
        def step() -> None:
            decision = (text, label) if text and label else self._decision()
            if decision is None:
                return
            needle, chosen = decision
            store, user = self.store, self.editor.session.user

            def preview(occurrences: list[Occurrence]) -> None:
                dialog = OccurrencePreview(needle, chosen, occurrences, self.parent)
                self.last_preview = dialog
                if self.quiet or dialog.exec():
                    self._apply(needle, chosen, dialog.chosen())

            self.ops.run(Op(lambda: find_occurrences(store, needle, user), preview,
                            lambda exc: self.notify(str(exc), True), "find occurrences"))

        self.ops.step(step)

    def _apply(self, text: str, label: str, occurrences: Sequence[Occurrence]) -> None:
        if not occurrences:
            self.notify(f"every occurrence of '{text}' is already {label}", False)
            return
        places: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for o in occurrences:
            places[o.document_id].append((o.start, o.end))
        session, user = self.editor.session, self.editor.session.user
        expected = {d: v for d in places if (v := session.seen_version(d)) is not None}
        first = min(places)
        edit = Edit(f"label {len(occurrences)} × '{text}' {label}", session.document_id or first,
                    lambda st: st.label_places(user, label, places, expected))
        self.editor.run_edit(edit, lambda: self.notify(
            f"labelled {plural(len(occurrences), 'occurrence')} of '{text}' as {label} in "
            f"{plural(len(places), 'article')}", False))

    def show_consistency(self) -> None:
        store, user = self.store, self.editor.session.user

        def show(variants: list[LabelVariants]) -> None:
            self.last_variants = variants
            if not self.quiet:
                ConsistencyDialog(variants, self._open_at, self._fix, self.parent).exec()

        self.ops.run(Op(lambda: store.label_variants(user), show, lambda exc: self.notify(str(exc), True),
                        "consistency"))

    def _open_at(self, variants: LabelVariants) -> None:
        """Open an article where the string carries a minority label, with the occurrence selected."""
        majority = max(variants.labels, key=lambda lb: len(variants.labels[lb]))
        minority = next((d for lb, ds in variants.labels.items() if lb != majority for d in ds), None)
        if minority is None:
            return

        def select() -> None:
            article = self.editor.article
            hit = next((s for s in article.spans if article.toPlainText() and
                        self.editor.session.view is not None and
                        self.editor.session.view.text[s.start:s.end] == variants.text and s.label != majority), None)
            article.select_span(hit)

        self.open_document(minority, select)

    def _fix(self, variants: LabelVariants) -> None:
        labels = list(variants.labels)
        label, ok = QInputDialog.getItem(self.parent, "Label all occurrences",
                                         f"One label for every '{variants.text}':", labels, 0, False)
        if ok:
            self.label_all_corpus(variants.text, label)

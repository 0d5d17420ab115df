"""The document-list panel: search, filters and the sortable table, and moving through the corpus.

The rows come from ``Store.list_documents`` read on the database worker; after an edit only the
rows it changed are replaced. Choosing a row asks the window to open that article.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.document import DocumentStatus
from annotator.core.labels import Label
from annotator.gui.document_list import ID_ROLE, DocumentFilter, DocumentTableModel
from annotator.gui.ops import Op, Ops
from annotator.store import Store
from annotator.store.records import DocumentSummary

ListData = tuple[list[DocumentSummary], list[Label]]


class DocumentPanel(QWidget):
    documentChosen = Signal(int)  # the person picked a row
    message = Signal(str, bool)

    def __init__(self, ops: Ops, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops, self.store = ops, store
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
            widget.currentIndexChanged.connect(self.apply_filters)
        self.search.textChanged.connect(self.apply_filters)
        self.progress_label = QLabel()  # shown in the window's status bar

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        row = QHBoxLayout()
        row.addWidget(self.status_filter)
        row.addWidget(self.language_filter)
        row.addWidget(self.label_filter)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        self.current_id: int | None = None  # the article the editor shows (kept selected)
        self.refresh_cost = 0.0

    # -- loading ------------------------------------------------------------------------------

    def refresh(self, then: Callable[[list[Label]], None] | None = None) -> None:
        """Re-read every row (and the label scheme) on the worker, then show them."""
        store = self.store

        def read() -> ListData:
            return store.list_documents(), store.labels()

        def show(data: ListData) -> None:
            began = time.monotonic()
            rows, labels = data
            self.table_model.reset(rows)
            self._refill(self.language_filter, "any language", sorted({r.language for r in rows}))
            self.set_labels(labels)
            self.update_progress()
            if self.current_id is not None:
                self.select(self.current_id)
            self.refresh_cost = time.monotonic() - began
            if then is not None:
                then(labels)

        self.ops.run(Op(read, show, lambda exc: self.message.emit(str(exc), True), "read the document list"))

    def set_labels(self, labels: list[Label]) -> None:
        self._refill(self.label_filter, "any label", [lb.name for lb in labels])

    def update_rows(self, summaries: tuple[DocumentSummary, ...]) -> None:
        for summary in summaries:
            self.table_model.update(summary)
        self.update_progress()

    def update_progress(self) -> None:
        rows = self.table_model.summaries()
        done = sum(1 for r in rows if r.status is DocumentStatus.ACCEPTED)
        self.progress_label.setText(f"accepted {done} of {len(rows)}")

    def _refill(self, combo: QComboBox, anything: str, values: list[str]) -> None:
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(anything, None)
        for v in values:
            combo.addItem(v, v)
        combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen else 0)
        combo.blockSignals(False)

    def apply_filters(self) -> None:
        label = self.label_filter.currentData()
        status = self.status_filter.currentData()  # Qt hands the enum back as a plain str
        language, search = self.language_filter.currentData(), self.search.text()

        def apply(with_label: set[int] | None) -> None:
            # Filtering may drop the shown article's row; Qt then makes another row current. That is
            # not the person choosing an article (it stole the search box's focus mid-word): keep the
            # shown article open and only re-mark its row if it is still listed.
            selection = self.table.selectionModel()
            selection.blockSignals(True)
            try:
                self.proxy.set_filters(DocumentStatus(status) if status else None, language, with_label, search)
            finally:
                selection.blockSignals(False)
            if self.current_id is not None:
                self.select(self.current_id)

        if label:
            store = self.store
            self.ops.run(Op(lambda: store.documents_with_label(label), apply,
                            lambda exc: self.message.emit(str(exc), True), "filter by label"))
        else:
            apply(None)

    # -- position -----------------------------------------------------------------------------

    def select(self, document_id: int) -> None:
        """Mark the shown article's row, without re-opening it."""
        self.current_id = document_id
        row = self.table_model.row_of(document_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.table_model.index(row, 0))
        if index.isValid():
            self.table.selectionModel().blockSignals(True)
            self.table.setCurrentIndex(index)
            self.table.selectionModel().blockSignals(False)
            self.table.scrollTo(index)

    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.documentChosen.emit(int(current.data(ID_ROLE)))

    def visible_ids(self) -> list[int]:
        """Every listed id in display order: O(n), for tests and one-off uses, not per keystroke."""
        return [self.id_at(r) for r in range(self.proxy.rowCount())]

    def id_at(self, proxy_row: int) -> int:
        return int(self.proxy.index(proxy_row, 0).data(ID_ROLE))

    def proxy_row(self, document_id: int | None) -> int | None:
        """Where a document sits in the filtered, sorted list (None if filtered out), without a scan."""
        row = self.table_model.row_of(document_id) if document_id is not None else None
        if row is None:
            return None
        index = self.proxy.mapFromSource(self.table_model.index(row, 0))
        return index.row() if index.isValid() else None

    def neighbour(self, delta: int) -> int | None:
        """The article ``delta`` rows away from the current one in the list as shown."""
        count = self.proxy.rowCount()
        if not count:
            return None
        current = self.proxy_row(self.current_id)
        j = (current + delta) if current is not None else (0 if delta > 0 else count - 1)
        return self.id_at(j) if 0 <= j < count else None

    def next_unfinished(self) -> int | None:
        """The next unfinished article below the current one, wrapping around; stops at the first hit,
        so a 100,000-document list is not scanned on every key press."""
        count = self.proxy.rowCount()
        current = self.proxy_row(self.current_id)
        start = current + 1 if current is not None else 0
        for k in range(count):
            row = (start + k) % count
            if row == current:
                continue
            doc_id = self.id_at(row)
            if not self.table_model.summary_of(doc_id).status.finished:
                return doc_id
        return None

    def first_id(self) -> int | None:
        return self.id_at(0) if self.proxy.rowCount() else None

"""The document-list panel: search, filters and the sortable table, and moving through the corpus.

The rows are pages of ``Store.list_page`` read on the database worker as the person scrolls; filters,
search and sorting are the database's. After an edit only the rows it changed are replaced. Choosing a
row asks the window to open that article; moving to the next one asks the database which it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError
from annotator.core.labels import Label
from annotator.gui.document_list import ID_ROLE, SORTS, STATUS_MARK, UNSURE, DocumentTableModel
from annotator.gui.list_columns import ColumnFit
from annotator.gui.ops import Op, Ops
from annotator.store import Store
from annotator.store.listing import PAGE, Cursor, ListQuery, Page, Sort
from annotator.store.records import DocumentSummary
from annotator.store.search import words as search_words

NEEDS_ATTENTION = "needs attention"  # the status filter's entry for documents an import marked

ListData = tuple[list[Page], list[Label], tuple[int, int, list[str]]]


class DocumentPanel(QWidget):
    documentChosen = Signal(int)  # the person picked a row
    message = Signal(str, bool)
    searchChanged = Signal(list)  # the words searched in article text ([]: none), to mark in the article

    def __init__(self, ops: Ops, store: Store, user: Callable[[], str | None] = lambda: None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops, self.store, self.user = ops, store, user
        self.sort, self.descending = Sort.IMPORTED, False
        self.loaded = False  # the first refresh has come back
        self.languages: list[str] = []
        self._generation = 0  # bumped by every refresh: pages read for an older list are dropped
        self.table_model = DocumentTableModel()
        self.table_model.fetchRequested.connect(self._fetch_more)
        self.table_model.pageWanted.connect(self._read_page)
        self.table_model.pageFilled.connect(self._page_filled)
        self.table_model.sortRequested.connect(self._sorted)
        self.table_model.unsortable.connect(lambda: QTimer.singleShot(0, self._unsortable))
        self.table = QTableView()
        self.table.setModel(self.table_model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        # Widths measured from the font, never from the rows read (ResizeToContents would read them
        # all); the title takes the rest, elided; a narrow panel hides Unsure, Edited, Lang in turn.
        self.columns = ColumnFit(self.table, {1: ["en"], 2: [f"{m} {s.value}" for s, m in STATUS_MARK.items()],
                                              3: ["9999"], 4: ["9999"], 5: ["28 Sep"], UNSURE: ["0.00"]},
                                 drop_order=(UNSURE, 5, 1), optional=UNSURE)
        self.table.setWordWrap(False)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search titles…")
        self.in_text = QCheckBox("in text")
        self.in_text.setToolTip("Search the articles' text too (whole words; the last one may be the start "
                                "of a word); the words are marked in the open article")
        self.in_text.toggled.connect(self._search_scope)
        self.status_filter = QComboBox()
        self.status_filter.addItem("any status", None)
        for status in DocumentStatus:
            self.status_filter.addItem(status.value, status.value)
        self.status_filter.addItem(NEEDS_ATTENTION, NEEDS_ATTENTION)  # what an import kept as the file said
        self.language_filter = QComboBox()
        self.label_filter = QComboBox()
        for widget in (self.status_filter, self.language_filter, self.label_filter):
            widget.currentIndexChanged.connect(self.apply_filters)
            # as wide as "any language" asks, whatever the longest label name: the panel stays narrow
            widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            widget.setMinimumContentsLength(len("any language"))
        self.search.textChanged.connect(self.apply_filters)
        self.search.returnPressed.connect(self._open_first)  # and the keys go back to the article
        self.progress_label = QLabel()  # shown in the window's status bar

        layout = self.outer = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.in_text)
        layout.addLayout(search_row)
        self.filters = QGridLayout()  # one row when there is room, else the label filter on a second
        self._filters_in_one_row: bool | None = None
        self._place_filters()
        layout.addLayout(self.filters)
        layout.addWidget(self.table, 1)
        self.current_id: int | None = None  # the article the editor shows (kept selected)
        self._choosing: int | None = None  # a row picked while its page was being read again
        self.refresh_cost = 0.0

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_filters()

    def _place_filters(self) -> None:
        combos = (self.status_filter, self.language_filter, self.label_filter)
        margins = self.outer.contentsMargins()
        room = self.width() - margins.left() - margins.right()
        one_row = room >= sum(c.sizeHint().width() for c in combos) + 2 * max(0, self.filters.horizontalSpacing())
        if one_row == self._filters_in_one_row:
            return
        self._filters_in_one_row = one_row
        for combo in combos:
            self.filters.removeWidget(combo)
        self.filters.addWidget(self.status_filter, 0, 0)
        self.filters.addWidget(self.language_filter, 0, 1)
        if one_row:
            self.filters.addWidget(self.label_filter, 0, 2)
        else:
            self.filters.addWidget(self.label_filter, 1, 0, 1, 2)
        for col in range(3):
            self.filters.setColumnStretch(col, 1 if one_row or col < 2 else 0)

    def full_width(self) -> int:
        """The panel width that shows every column and the filters on one row."""
        margins = self.outer.contentsMargins()
        scroll = self.table.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        table = self.columns.full_width() + 2 * self.table.frameWidth() + scroll
        filters = sum(c.sizeHint().width() for c in (self.status_filter, self.language_filter, self.label_filter))
        return max(table, filters + 2 * max(0, self.filters.horizontalSpacing())) + margins.left() + margins.right()

    def show_unsure(self, scores: dict[int, float]) -> None:
        """The model's uncertainty per article, in a column shown once there are scores."""
        self.table_model.set_unsure(scores)
        self.columns.show_optional(bool(scores))

    def _search_scope(self, in_text: bool) -> None:
        self.search.setPlaceholderText("Search titles and text…" if in_text else "Search titles…")
        if self.search.text().strip():
            self.apply_filters()
        else:
            self.searchChanged.emit([])

    # -- loading ------------------------------------------------------------------------------

    def query(self) -> ListQuery:
        """What the widgets ask for, as a database query."""
        status = self.status_filter.currentData()  # Qt hands the enum back as a plain str
        attention = status == NEEDS_ATTENTION
        return ListQuery(user=self.user(), status=DocumentStatus(status) if status and not attention else None,
                         attention=attention,
                         language=self.language_filter.currentData(), label=self.label_filter.currentData(),
                         search=self.search.text(), in_text=self.in_text.isChecked(), sort=self.sort,
                         descending=self.descending)

    def refresh(self, then: Callable[[list[Label]], None] | None = None, keep_rows: bool = True) -> None:
        """Read the list again from the top, with the labels and the status line, on the worker; then
        show them. ``keep_rows``: as many rows as were read (within reason), so the place is kept."""
        store, query = self.store, self.query()
        limit = max(PAGE, min(self.table_model.rowCount(), 10 * PAGE)) if keep_rows else PAGE
        self._generation += 1
        generation = self._generation

        def read() -> ListData:
            return _pages(store, query, limit), store.labels(), store.list_facts()

        def show(data: ListData) -> None:
            began = time.monotonic()
            pages, labels, (accepted, total, languages) = data
            if generation == self._generation:  # a later refresh is on its way: skip this one's rows
                self._show_pages(pages, keep_rows)
            self.languages = languages
            self._refill(self.language_filter, "any language", languages)
            self.set_labels(labels)
            self._set_progress(accepted, total)
            self.loaded = True
            self.refresh_cost = time.monotonic() - began
            if then is not None:
                then(labels)

        self.ops.run(Op(read, show, self._failed, "read the document list"))

    def _show_pages(self, pages: list[Page], keep_rows: bool) -> None:
        # Re-reading may drop the shown article's row; Qt may then make another row current. That is
        # not the person choosing an article (it stole the search box's focus mid-word): keep the shown
        # article open and only re-mark its row if it is still listed.
        selection = self.table.selectionModel()
        selection.blockSignals(True)
        try:
            self.table_model.reset(*pages)
            self._choosing = None
        finally:
            selection.blockSignals(False)
        if not keep_rows:  # another order or filter: from the top, not from where the old list was
            self.table.scrollToTop()
            q = self.query()
            if not pages[0].rows and (q.status or q.attention or q.language or q.label or q.search.strip()):
                self.message.emit("no document matches these filters (the boxes above the list)", False)
        if self.current_id is not None:
            self.select(self.current_id)

    def _fetch_more(self) -> None:
        """The view scrolled to the end of what is read: the next page, on the worker."""
        store, query, after, generation = self.store, self.query(), self.table_model.after, self._generation
        if after is None:
            return

        def show(page: Page) -> None:
            if generation == self._generation:
                self.table_model.extend(page)
            else:
                self.table_model.fetching = False

        def failed(exc: AnnotatorError) -> None:
            self.table_model.fetching = False
            self._failed(exc)

        self.ops.run(Op(lambda: store.list_page(query, after), show, failed, "read more of the document list"))

    def _read_page(self, page: int, start: Cursor | None) -> None:
        """A page dropped from memory is shown again: read it again from where it started, on the worker."""
        store, query, generation = self.store, self.query(), self._generation

        def show(read: Page) -> None:
            if generation == self._generation:
                self.table_model.fill(page, read)

        self.ops.run(Op(lambda: store.list_page(query, start), show, self._failed, "read the document list again"))

    def _page_filled(self, first: int, last: int) -> None:
        """A page read again: open the row picked while it was being read."""
        chosen, self._choosing = self._choosing, None
        current = self.table.currentIndex()
        if chosen is not None and first <= chosen <= last and current.row() == chosen:
            document_id = self.table_model.id_at(chosen)
            if document_id is not None:
                self.documentChosen.emit(document_id)
        elif chosen is not None and not first <= chosen <= last:
            self._choosing = chosen

    def _sorted(self, sort: Sort, descending: bool) -> None:
        if (sort, descending) != (self.sort, self.descending):
            self.sort, self.descending = sort, descending
            if self.loaded:
                self.refresh(keep_rows=False)

    def _unsortable(self) -> None:
        """The uncertainty column is the app's, not the database's: put the sort indicator back."""
        column = SORTS.index(self.sort) if self.sort in SORTS else -1
        order = Qt.SortOrder.DescendingOrder if self.descending else Qt.SortOrder.AscendingOrder
        self.table.horizontalHeader().setSortIndicator(column, order)
        self.message.emit("the list cannot be sorted by how unsure the model is; Model → Next unfinished: "
                          "most uncertain first opens the articles in that order", False)

    def _failed(self, exc: AnnotatorError) -> None:
        self.message.emit(str(exc), True)

    def set_labels(self, labels: list[Label]) -> None:
        self._refill(self.label_filter, "any label", [lb.name for lb in labels])

    def update_rows(self, summaries: tuple[DocumentSummary, ...]) -> None:
        """The rows an edit changed; the status line is counted again when a status moved."""
        moved = False
        for summary in summaries:
            old = self.table_model.update(summary)
            moved = moved or old is None or old.status is not summary.status
        if moved:
            store = self.store
            self.ops.run(Op(store.list_facts, lambda facts: self._set_progress(facts[0], facts[1]), self._failed,
                            "count accepted documents"))

    def _set_progress(self, accepted: int, total: int) -> None:
        self.progress_label.setText(f"accepted {accepted} of {total}")

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
        self.searchChanged.emit(search_words(self.search.text()) if self.in_text.isChecked() else [])
        self.refresh(keep_rows=False)

    # -- position -----------------------------------------------------------------------------

    def select(self, document_id: int) -> None:
        """Mark the shown article's row (when it has been read), without re-opening it."""
        self.current_id = document_id
        row = self.table_model.row_of(document_id)
        if row is None:
            return
        index = self.table_model.index(row, 0)
        self.table.selectionModel().blockSignals(True)
        self.table.setCurrentIndex(index)
        self.table.selectionModel().blockSignals(False)
        # With its signals blocked the view never heard of the new selection: it would leave the old
        # row painted as selected and the new one only in its first cell. Repaint the rows shown.
        self.table.viewport().update()
        self.table.scrollTo(index)

    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        document_id = current.data(ID_ROLE)
        if document_id is None:  # its page is being read again: opened when it is back (_page_filled)
            self._choosing = current.row()
        else:
            self._choosing = None
            self.documentChosen.emit(int(document_id))

    def _open_first(self) -> None:
        """Return in the search box: the first article found (it was a dead key; the next label key
        typed into the search), once the list of what was typed last has landed."""
        def step() -> None:
            document_id = self.table_model.id_at(0) if self.table_model.rowCount() else None
            if document_id is not None:
                self.documentChosen.emit(document_id)

        self.ops.step(step)

    def visible_ids(self) -> list[int]:
        """The ids of the rows held, in display order: every row read while the list is no longer than
        the pages held (tests and one-off uses)."""
        return [r.id for r in self.table_model.summaries()]

    def first_id(self) -> int | None:
        return self.table_model.id_at(0) if self.table_model.rowCount() else None

    def neighbour(self, delta: int, then: Callable[[int | None], None]) -> None:
        """``then(id)`` of the article after (``delta`` > 0) or before the current one in the list as
        shown, asked of the database (the row may not have been read yet)."""
        store, query, current = self.store, self.query(), self.current_id
        row = self.table_model.row_of(current)
        if row is not None and 0 <= row + delta < self.table_model.rowCount():  # held: no query
            held = self.table_model.id_at(row + delta)
            if held is not None:
                then(held)
                return
        self.ops.run(Op(lambda: store.list_neighbour(query, current, forward=delta > 0), then, self._failed,
                        "find the next article"))

    def next_unfinished(self, then: Callable[[int | None], None]) -> None:
        """``then(id)`` of the next unfinished article below the current one, wrapping around."""
        store, query, current = self.store, self.query(), self.current_id
        self.ops.run(Op(lambda: store.list_neighbour(query, current, unfinished=True), then, self._failed,
                        "find the next unfinished article"))


def _pages(store: Store, query: ListQuery, limit: int) -> list[Page]:
    """The list's first ``limit`` rows (at least a page), a page at a time (the model holds pages)."""
    pages = [store.list_page(query)]
    while pages[-1].after is not None and len(pages) * PAGE < limit:
        pages.append(store.list_page(query, pages[-1].after))
    return pages

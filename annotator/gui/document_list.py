"""The corpus as a table model over the store's list queries (``Store.list_page``): filtered and
sorted by the database, read a page at a time as the person scrolls."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from annotator.core.document import DocumentStatus
from annotator.gui import plain
from annotator.store.listing import Cursor, Page, Sort
from annotator.store.records import DocumentSummary

Index = QModelIndex | QPersistentModelIndex
# Short headers so every column fits beside the article; the tooltips spell them out.
COLUMNS = ("Title", "Lang", "Status", "Entities", "Sugg.", "Edited", "Unsure")
COLUMN_TIPS = ("Title (or file name)", "Language", "Review status", "Your entities (dismissals not counted)",
               "Model suggestions you still see (not confirmed, dismissed or under one of your entities)",
               "Last edited (time today, date before)",
               "How unsure the current model is about the article (0-1, beam NER), once it has ranked the "
               "unfinished articles; Model → Next unfinished: most uncertain first goes by it")
UNSURE = len(COLUMNS) - 1  # shown, not sorted by the database (the scores live in the app, not the store)
SORTS = (Sort.TITLE, Sort.LANGUAGE, Sort.STATUS, Sort.ENTITIES, Sort.SUGGESTIONS, Sort.EDITED)
STATUS_MARK = {
    DocumentStatus.NEW: "○", DocumentStatus.PREANNOTATED: "◔", DocumentStatus.IN_PROGRESS: "◑",
    DocumentStatus.ACCEPTED: "●", DocumentStatus.REJECTED: "✕", DocumentStatus.FLAGGED: "⚑",
}
ID_ROLE = Qt.ItemDataRole.UserRole + 2


class DocumentTableModel(QAbstractTableModel):
    """The rows of the list read so far, a page at a time (Qt's ``canFetchMore``/``fetchMore``): the
    store stays the source of truth, filters and order are the database's (``ListQuery``), and memory
    holds what was scrolled through, never the whole corpus. Rows are replaced, not edited."""

    fetchRequested = Signal()  # the view wants the next page (the panel reads it on the database worker)
    sortRequested = Signal(object, bool)  # (Sort, descending): a header was clicked
    unsortable = Signal()  # the header of a column the database cannot sort by was clicked

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[DocumentSummary] = []
        self._row_of: dict[int, int] = {}
        self.after: Cursor | None = None  # where the next page starts; None: no more rows
        self.fetching = False
        self.unsure: dict[int, float] = {}  # document id -> the current model's uncertainty

    def reset(self, page: Page) -> None:
        self.beginResetModel()
        self._rows, self._row_of = [], {}
        self._append(page.rows)
        self.after, self.fetching = page.after, False
        self.endResetModel()

    def extend(self, page: Page) -> None:
        """The next page: rows already listed (an edit moved them in the order) are not repeated."""
        fresh = [r for r in page.rows if r.id not in self._row_of]
        self.fetching = False
        self.after = page.after
        if fresh:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(fresh) - 1)
            self._append(fresh)
            self.endInsertRows()

    def _append(self, rows: Iterable[DocumentSummary]) -> None:
        for r in rows:
            self._row_of[r.id] = len(self._rows)
            self._rows.append(r)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self.after is not None and not self.fetching

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self.fetching = True
            self.fetchRequested.emit()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The database sorts: ask for the list again in this order (-1: import order)."""
        if column == UNSURE:
            self.unsortable.emit()
            return
        key = SORTS[column] if 0 <= column < len(SORTS) else Sort.IMPORTED
        self.sortRequested.emit(key, order == Qt.SortOrder.DescendingOrder)

    def set_unsure(self, scores: dict[int, float]) -> None:
        """The model's uncertainty per document (``nlp.uncertainty``), shown in the last column."""
        self.unsure = dict(scores)
        if self._rows:
            self.dataChanged.emit(self.index(0, UNSURE), self.index(len(self._rows) - 1, UNSURE))

    def update(self, summary: DocumentSummary) -> DocumentSummary | None:
        """Replace a listed row; returns the row it replaced (None: not listed)."""
        row = self._row_of.get(summary.id)
        if row is None:
            return None
        old, self._rows[row] = self._rows[row], summary
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        return old

    def summaries(self) -> list[DocumentSummary]:
        return list(self._rows)

    def summary_of(self, document_id: int) -> DocumentSummary:
        return self._rows[self._row_of[document_id]]

    def row_of(self, document_id: int | None) -> int | None:
        return self._row_of.get(document_id) if document_id is not None else None

    def id_at(self, row: int) -> int:
        return self._rows[row].id

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return COLUMN_TIPS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        doc = self._rows[index.row()]
        col = index.column()
        if role == ID_ROLE:
            return doc.id
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                doc.title or doc.source,
                doc.language,
                f"{STATUS_MARK[doc.status]} {doc.status.value}",
                str(doc.human_count),
                str(doc.model_count),
                _short_time(doc.updated_at),
                f"{self.unsure[doc.id]:.2f}" if doc.id in self.unsure else "",
            )[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            edited = doc.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
            return plain.tooltip(f"{doc.title or doc.source}\n{doc.source} ({doc.language}), last edited {edited}\n"
                                 f"{doc.status.value}, {doc.human_count} yours, {doc.model_count} suggestions left")
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (3, 4, UNSURE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _short_time(moment: datetime) -> str:
    """Mail-client style: the time for today, the date before, the year only when it differs; keeps
    the column narrow (sorting uses the timestamp, not this text)."""
    local, now = moment.astimezone(), datetime.now().astimezone()
    if local.date() == now.date():
        return local.strftime("%H:%M")
    return local.strftime("%d %b" if local.year == now.year else "%d %b %Y")

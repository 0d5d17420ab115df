"""The corpus as a table model over the store's list queries (``Store.list_page``): filtered and
sorted by the database, read a page at a time as the person scrolls."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from annotator.core.document import DocumentStatus
from annotator.core.plural import plural
from annotator.gui import plain
from annotator.gui.list_pages import KEEP, PageCache
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
    store stays the source of truth, filters and order are the database's (``ListQuery``). Only the
    pages near what was shown last are held (``PageCache``); a row of a dropped page shows "…" and its
    page is asked for again (``pageWanted``, read on the database worker), so memory stays the same
    however far the list is scrolled. Rows are replaced, not edited; row numbers never move."""

    fetchRequested = Signal()  # the view wants the next page (the panel reads it on the database worker)
    pageWanted = Signal(int, object)  # (page, its start cursor): a dropped page is shown again
    pageFilled = Signal(int, int)  # (first row, last row) of a page read again
    sortRequested = Signal(object, bool)  # (Sort, descending): a header was clicked
    unsortable = Signal()  # the header of a column the database cannot sort by was clicked

    def __init__(self, keep_pages: int = KEEP) -> None:
        super().__init__()
        self.pages = PageCache(keep_pages)
        self._asked: set[int] = set()  # pages asked for again and not back yet
        self.after: Cursor | None = None  # where the next page starts; None: no more rows
        self.fetching = False
        self.unsure: dict[int, float] = {}  # document id -> the current model's uncertainty

    def reset(self, page: Page, *more: Page) -> None:
        """The list read again from the top: ``page`` and the pages that follow it (keeping the place)."""
        self.beginResetModel()
        self.pages.clear()
        self._asked.clear()
        start: Cursor | None = None
        for read in (page, *more):
            self.pages.append(start, read.rows)
            start = read.after
        self.after, self.fetching = start, False
        self.endResetModel()

    def extend(self, page: Page) -> None:
        """The next page: rows held (an edit moved them in the order) are not repeated."""
        fresh = [r for r in page.rows if self.pages.row_of(r.id) is None]
        self.fetching = False
        start, self.after = self.after, page.after
        if fresh:
            count = len(self.pages)
            self.beginInsertRows(QModelIndex(), count, count + len(fresh) - 1)
            self.pages.append(start, fresh)
            self.endInsertRows()

    def fill(self, page: int, read: Page) -> None:
        """A dropped page read again (from ``pageWanted``)."""
        self._asked.discard(page)
        if not 0 <= page < self.page_count():
            return
        rows = self.pages.fill(page, read.rows)
        if rows:
            self.dataChanged.emit(self.index(rows[0], 0), self.index(rows[-1], len(COLUMNS) - 1))
            self.pageFilled.emit(rows[0], rows[-1])

    def page_count(self) -> int:
        return self.pages.page_count()

    def _row(self, row: int) -> DocumentSummary | None:
        """The row when its page is held; else None, and the page is asked for (once)."""
        found = self.pages.get(row)
        if found is None:
            page = self.pages.page_of(row)
            if not self.pages.held(page) and page not in self._asked:
                self._asked.add(page)
                self.pageWanted.emit(page, self.pages.start(page))
        return found

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
        if len(self.pages):
            self.dataChanged.emit(self.index(0, UNSURE), self.index(len(self.pages) - 1, UNSURE))

    def update(self, summary: DocumentSummary) -> DocumentSummary | None:
        """Replace a held row; returns the row it replaced (None: not held; a dropped page is read
        again from the store when shown, changes and all)."""
        row = self.pages.row_of(summary.id)
        if row is None:
            return None
        old = self.pages.replace(row, summary)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        return old

    def summaries(self) -> list[DocumentSummary]:
        """The rows held, in list order (all of them while the list is no longer than the pages held)."""
        return list(self.pages.held_rows())

    def summary_of(self, document_id: int) -> DocumentSummary:
        """A held row (KeyError when its page is not held)."""
        row = self.pages.row_of(document_id)
        found = self.pages.get(row) if row is not None else None
        if found is None:
            raise KeyError(document_id)
        return found

    def row_of(self, document_id: int | None) -> int | None:
        """The row of a document whose page is held (None: not read, or its page was dropped)."""
        return self.pages.row_of(document_id) if document_id is not None else None

    def id_at(self, row: int) -> int | None:
        """The id of a row whose page is held (None otherwise: ask the store)."""
        found = self.pages.get(row)
        return found.id if found is not None else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.pages)

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
        col = index.column()
        doc = self._row(index.row())
        if doc is None:  # its page is being read again ("…"), or the row was gone when it was
            reading = not self.pages.held(self.pages.page_of(index.row()))
            return ("…" if reading and col == 0 else "") if role == Qt.ItemDataRole.DisplayRole else None
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
            left = plural(doc.model_count, "suggestion")
            return plain.tooltip(f"{doc.title or doc.source}\n{doc.source} ({doc.language}), last edited {edited}\n"
                                 f"{doc.status.value}, {doc.human_count} yours, {left} left")
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

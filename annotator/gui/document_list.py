"""The corpus as a sortable, filterable table: a model over ``Store.list_documents`` rows and a proxy
that filters by status, language, label and text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from annotator.core.document import DocumentStatus
from annotator.gui import plain
from annotator.store.records import DocumentSummary

Index = QModelIndex | QPersistentModelIndex
# Short headers so every column fits beside the article; the tooltips spell them out.
COLUMNS = ("Title", "Lang", "Status", "Entities", "Sugg.", "Edited")
COLUMN_TIPS = ("Title (or file name)", "Language", "Review status", "Entities confirmed by a person",
               "Model suggestions nobody has confirmed yet", "Last edited (time today, date before)")
STATUS_MARK = {
    DocumentStatus.NEW: "○", DocumentStatus.PREANNOTATED: "◔", DocumentStatus.IN_PROGRESS: "◑",
    DocumentStatus.ACCEPTED: "●", DocumentStatus.REJECTED: "✕", DocumentStatus.FLAGGED: "⚑",
}
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2


class DocumentTableModel(QAbstractTableModel):
    """Holds the summaries only; the store stays the source of truth (rows are replaced, not edited)."""

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[DocumentSummary] = []
        self._row_of: dict[int, int] = {}

    def reset(self, rows: list[DocumentSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._row_of = {r.id: i for i, r in enumerate(self._rows)}
        self.endResetModel()

    def update(self, summary: DocumentSummary) -> None:
        row = self._row_of.get(summary.id)
        if row is None:
            return
        self._rows[row] = summary
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def summaries(self) -> list[DocumentSummary]:
        return list(self._rows)

    def summary_of(self, document_id: int) -> DocumentSummary:
        return self._rows[self._row_of[document_id]]

    def row_of(self, document_id: int) -> int | None:
        return self._row_of.get(document_id)

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
            )[col]
        if role == SORT_ROLE:
            return (doc.title.lower(), doc.language, list(DocumentStatus).index(doc.status), doc.human_count,
                    doc.model_count, doc.updated_at.timestamp())[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            edited = doc.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
            return plain.tooltip(f"{doc.title or doc.source}\n{doc.source}, last edited {edited}\n"
                                 f"{doc.status.value}, {doc.human_count} confirmed, {doc.model_count} suggested")
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _short_time(moment: datetime) -> str:
    """Mail-client style: the time for today, the date before, the year only when it differs; keeps
    the column narrow (sorting uses the timestamp, not this text)."""
    local, now = moment.astimezone(), datetime.now().astimezone()
    if local.date() == now.date():
        return local.strftime("%H:%M")
    return local.strftime("%d %b" if local.year == now.year else "%d %b %Y")


class DocumentFilter(QSortFilterProxyModel):
    def __init__(self) -> None:
        super().__init__()
        self.setSortRole(SORT_ROLE)
        self.status: DocumentStatus | None = None
        self.language: str | None = None
        self.with_label: set[int] | None = None  # ids of documents holding the chosen label
        self.search = ""

    def set_filters(self, status: DocumentStatus | None, language: str | None, with_label: set[int] | None,
                    search: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9: invalidateFilter is deprecated
            self.beginFilterChange()
        self.status, self.language, self.with_label, self.search = status, language, with_label, search.lower()
        if hasattr(self, "endFilterChange"):
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, DocumentTableModel)
        doc = model._rows[source_row]
        if self.status is not None and doc.status is not self.status:
            return False
        if self.language is not None and doc.language != self.language:
            return False
        if self.with_label is not None and doc.id not in self.with_label:
            return False
        return not self.search or self.search in doc.title.lower() or self.search in doc.source.lower()

"""The document list's columns fit the panel: the short columns are as wide as their header (with room
for the sort arrow on the sorted one) or their widest text, and no wider; the title takes what is left
and is elided. When the panel is too narrow for all of them with a readable title
(``TITLE_READABLE``), the least needed columns step aside -- Unsure (and always while the model has not
ranked anything), then Edited, then Lang -- rather than the title shrinking to a dozen characters or
the list scrolling sideways and cutting Status or the counts. The row tooltip still says what they
hold (and the article's header the open one's language)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView
from shiboken6 import isValid

TITLE_WIDE = 170  # px: what the title gets when the window has room for everything
TITLE_READABLE = 140  # px, about 20 characters: below it, the least needed columns step aside
PADDING = 8  # px either side of a cell's text together (margins and the focus frame: 3 + 3 in Fusion)


class ColumnFit(QObject):
    """Keeps ``table``'s columns fitted to its width. ``samples[col]``: the widest texts a column shows;
    ``drop_order``: which columns step aside first when the width is short (``optional`` hides one
    until ``show_optional(True)``)."""

    def __init__(self, table: QTableView, samples: dict[int, Sequence[str]], drop_order: Sequence[int],
                 optional: int) -> None:
        super().__init__(table)
        self.table, self.samples, self.drop_order, self.optional = table, samples, tuple(drop_order), optional
        self.optional_shown = False
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(24)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, self._columns()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
        # Only the title is ever elided (the other columns fit their widest text), at its end: a headline
        # is read from its start (in the middle, "Secreta…gstand…" was neither; the tooltip has it whole)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.sortIndicatorChanged.connect(lambda *_: self.fit())
        table.viewport().installEventFilter(self)
        self.fit()

    def _columns(self) -> int:
        return self.table.model().columnCount()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # a Resize of the viewport; none once the table is being destroyed (its children go last)
        if event.type() == QEvent.Type.Resize and isValid(self.table) and watched is self.table.viewport():
            self.fit()
        return False

    def show_optional(self, shown: bool) -> None:
        if shown != self.optional_shown:
            self.optional_shown = shown
            self.fit()

    def _arrow(self) -> int:
        """What the sort arrow adds to the sorted column's header."""
        header = self.table.horizontalHeader()
        style = header.style()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
        return style.pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, header) + 2 * margin

    def width_of(self, col: int, sorted_by: bool | None = None) -> int:
        """What column ``col`` needs: its header (and sort arrow when sorted by it) or its widest text."""
        header = self.table.horizontalHeader()
        text = str(self.table.model().headerData(col, Qt.Orientation.Horizontal) or "")
        margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
        need = header.fontMetrics().horizontalAdvance(text) + 2 * margin + PADDING
        if sorted_by is None:
            sorted_by = header.isSortIndicatorShown() and header.sortIndicatorSection() == col
        if sorted_by:
            need += self._arrow()
        metrics = self.table.fontMetrics()
        widest = max((metrics.horizontalAdvance(s) for s in self.samples.get(col, ())), default=0)
        return max(need, widest + PADDING)

    def full_width(self) -> int:
        """The table width (viewport) that shows every column with a readable title, sorted by any of them."""
        shown = [c for c in range(1, self._columns()) if c != self.optional or self.optional_shown]
        widths = [self.width_of(c, False) for c in shown]
        arrow = max((self.width_of(c, True) - w for c, w in zip(shown, widths, strict=True)), default=0)
        return TITLE_WIDE + sum(widths) + arrow

    def fit(self) -> None:
        widths = {c: self.width_of(c) for c in range(1, self._columns())}
        hidden = set() if self.optional_shown else {self.optional}
        available = self.table.viewport().width()
        for col in self.drop_order:
            if TITLE_READABLE + sum(w for c, w in widths.items() if c not in hidden) <= available:
                break
            hidden.add(col)
        for col, width in widths.items():
            self.table.setColumnHidden(col, col in hidden)
            if col not in hidden:
                self.table.setColumnWidth(col, width)

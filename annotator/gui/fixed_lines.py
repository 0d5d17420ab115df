"""A label that always takes the same number of lines: its text is wrapped into them and the last
one is elided ("…") when it does not fit, the whole text in the tooltip. Above the article a line
that appears (e.g. "model vs you" after the first confirmation) would push the text down mid-work."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent, QTextLayout, QTextOption
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from annotator.gui import plain


class FixedLinesLabel(QLabel):
    """``text()`` is the whole text (plain, never rich); what is drawn is at most ``lines`` lines.
    ``widest``: ask for the width that spreads the text evenly over the lines, up to this (a label in
    the status bar); else ask for little and take what the layout gives."""

    def __init__(self, lines: int = 2, widest: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines, self.widest = lines, widest
        self.setTextFormat(Qt.TextFormat.PlainText)
        # never sets a minimum width (elided instead); in the status bar, asks for its spread width
        self.setSizePolicy(QSizePolicy.Policy.Ignored if widest is None else QSizePolicy.Policy.Preferred,
                           QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self._height())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.setFixedHeight(self._height())

    def setContentsMargins(self, left: int, top: int, right: int, bottom: int) -> None:  # type: ignore[override]
        super().setContentsMargins(left, top, right, bottom)
        self.setFixedHeight(self._height())

    def _height(self) -> int:
        margins = self.contentsMargins()
        return self.fontMetrics().lineSpacing() * self.lines + margins.top() + margins.bottom() + 2

    def sizeHint(self) -> QSize:
        if self.widest is None or not self.text():
            return QSize(100, self._height())
        metrics = self.fontMetrics()
        spread = metrics.horizontalAdvance(self.text()) // self.lines + 3 * metrics.averageCharWidth()
        margins = self.contentsMargins()
        return QSize(min(self.widest, spread + margins.left() + margins.right()), self._height())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self._height())

    def setText(self, text: str) -> None:
        super().setText(text)
        self.updateGeometry()
        self._tip()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._tip()

    def shown_lines(self) -> list[str]:
        """The lines drawn, the last elided when the text needs more."""
        width = max(1, self.contentsRect().width())
        text = self.text()
        layout = QTextLayout(text, self.font())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        layout.beginLayout()
        starts: list[tuple[int, int]] = []
        while len(starts) < self.lines:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            starts.append((line.textStart(), line.textLength()))
        layout.endLayout()
        shown = [text[a:a + n].rstrip() for a, n in starts]
        if starts and starts[-1][0] + starts[-1][1] < len(text):  # more than fits: elide the last line
            rest = text[starts[-1][0]:].replace("\n", " ")
            shown[-1] = self.fontMetrics().elidedText(rest, Qt.TextElideMode.ElideRight, width)
        return shown

    def _tip(self) -> None:
        shown = self.shown_lines()
        cut = bool(shown) and shown[-1].endswith("…") and not self.text().endswith("…")
        self.setToolTip(plain.tooltip(self.text()) if cut else "")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        rect = self.contentsRect()
        metrics = self.fontMetrics()
        for i, line in enumerate(self.shown_lines()):
            painter.drawText(QPointF(rect.left(), rect.top() + i * metrics.lineSpacing() + metrics.ascent()), line)

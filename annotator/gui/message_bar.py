"""The window's status bar, whose messages are read whole: QStatusBar draws a message on one line
and cuts it where the permanent widgets (model, progress, a job's bar) begin, so at 1024 px a long
success message ("exported 3 documents to /home/…/train.spacy …") lost its end. Here a message is
wrapped over as many lines as it needs in the room left of them (the bar grows, up to ``MAX_LINES``;
beyond that the last line is elided and the whole message is in the bar's tooltip)."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QStatusBar, QStyle, QStyleOption, QWidget

MIN_LINES = 2  # a job's label is two lines: the bar does not jump when a job starts
MAX_LINES = 4
FLAGS = Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap


class MessageBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.permanent: list[QWidget] = []
        self.messageChanged.connect(lambda _m: self._fit())
        self._fit()

    def addPermanentWidget(self, widget: QWidget, stretch: int = 0) -> None:  # type: ignore[override]
        super().addPermanentWidget(widget, stretch)
        self.permanent.append(widget)

    def message_rect(self) -> QRect:
        """Where a message is drawn: from the left edge to the first visible permanent widget."""
        right = self.width() - 12
        shown = [w.x() for w in self.permanent if w.isVisible()]
        if shown:
            right = min(right, min(shown) - 2)
        return QRect(6, 0, max(0, right - 6), self.height())

    def lines_needed(self, text: str) -> int:
        width = max(1, self.message_rect().width())
        height = self.fontMetrics().boundingRect(QRect(0, 0, width, 10_000), int(FLAGS), text).height()
        return max(1, -(-height // self.fontMetrics().lineSpacing()))

    def _fit(self) -> None:
        lines = min(MAX_LINES, max(MIN_LINES, self.lines_needed(self.currentMessage())))
        self.setMinimumHeight(lines * self.fontMetrics().lineSpacing() + 6)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def paintEvent(self, event: QPaintEvent) -> None:
        message = self.currentMessage()
        if not message:
            super().paintEvent(event)
            return
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(QStyle.PrimitiveElement.PE_PanelStatusBar, option, painter, self)
        for widget in self.permanent:
            if widget.isVisible():
                frame = QStyleOption()
                frame.rect = widget.geometry().adjusted(-2, -1, 2, 1)
                frame.palette = self.palette()
                frame.state = QStyle.StateFlag.State_None
                self.style().drawPrimitive(QStyle.PrimitiveElement.PE_FrameStatusBarItem, frame, painter, widget)
        painter.setPen(self.palette().windowText().color())
        rect = self.message_rect()
        metrics = self.fontMetrics()
        if self.lines_needed(message) * metrics.lineSpacing() > rect.height():  # more than MAX_LINES: elide the end
            room = (rect.height() // metrics.lineSpacing()) * rect.width()
            message = metrics.elidedText(" ".join(message.split()), Qt.TextElideMode.ElideRight,
                                         room - 4 * metrics.averageCharWidth())
        painter.drawText(rect, int(FLAGS), message)

"""Model → Model history: every kept model of a language (version, date, documents trained on, F with
its bootstrap interval, on which documents and how many entities), "Make current" for any of them or
for the base pipeline (rollback), and a chart of F per model version over time, drawn with QPainter
(the PySide6 Essentials wheel has no QtCharts)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.plural import plural
from annotator.gui import plain
from annotator.nlp.background import ModelPoint

COLUMNS = ("version", "trained", "trained on", "F [95% interval]", "base F", "scored on", "current")


def scored_on(point: ModelPoint) -> str:
    """Where a score comes from, in words: cross-validated or a dev split, documents and entities."""
    how = "cross-validated on" if point.mode == "cv" else "dev split of"
    return f"{how} {plural(len(point.documents), 'document')}, {plural(point.entities, 'entity', 'entities')}"


def score_text(point: ModelPoint) -> str:
    if point.f is None:
        return "no score"
    ci = f" [{point.ci95[0]:.2f}–{point.ci95[1]:.2f}]" if point.ci95 else ""
    return f"{point.f:.3f}{ci}"


class ModelChart(QWidget):
    """F per model version, oldest left: a dot with its 95 % interval as a whisker, the base
    pipeline's F on the same documents as a grey tick, the current model ringed."""

    def __init__(self, points: Sequence[ModelPoint], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points = [p for p in points if p.f is not None]
        self.setMinimumHeight(190)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect().adjusted(44, 10, -14, -50))
        painter.setPen(QColor("#888888"))
        painter.drawRect(r)
        values = [v for p in self.points for v in (p.f, p.base_f, *(p.ci95 or ())) if v is not None]
        lo = max(0.0, min([*values, 0.9]) - 0.05)
        painter.drawText(QPointF(4, r.top() + 10), "1.00")
        painter.drawText(QPointF(4, r.bottom()), f"{lo:.2f}")
        painter.drawText(QPointF(r.left(), r.bottom() + 44),
                         "F per model version over time (dot: F, bar: 95 % interval, "
                         "grey: base model on the same documents)")
        if not self.points:
            painter.drawText(r, Qt.AlignmentFlag.AlignCenter, "no trained model yet")
            return
        n = len(self.points)

        def at(i: int, v: float) -> QPointF:
            x = r.left() + r.width() * (i + 0.5) / n
            return QPointF(x, r.bottom() - r.height() * (v - lo) / (1.0 - lo))

        line: list[QPointF] = []
        for i, p in enumerate(self.points):
            assert p.f is not None
            centre = at(i, p.f)
            line.append(centre)
            painter.setPen(QPen(QColor("#1f77b4"), 1))
            if p.ci95 is not None:
                painter.drawLine(at(i, p.ci95[0]), at(i, p.ci95[1]))
            if p.base_f is not None:
                painter.setPen(QPen(QColor("#999999"), 2))
                base = at(i, p.base_f)
                painter.drawLine(QPointF(base.x() - 6, base.y()), QPointF(base.x() + 6, base.y()))
            painter.setPen(QColor("#333333"))
            painter.drawText(QPointF(centre.x() - 18, r.bottom() + 14), p.version)
            painter.drawText(QPointF(centre.x() - 30, r.bottom() + 27), f"{p.created_at:%m-%d %H:%M}")
        painter.setPen(QPen(QColor("#1f77b4"), 2))
        for a, b in zip(line, line[1:], strict=False):
            painter.drawLine(a, b)
        for p, centre in zip(self.points, line, strict=True):
            painter.setBrush(QColor("#ff7f0e") if p.current else QColor("#1f77b4"))
            painter.drawEllipse(centre, 5 if p.current else 3.5, 5 if p.current else 3.5)


class ModelHistoryDialog(QDialog):
    makeCurrent = Signal(object)  # the chosen model's path (str), or None for the base pipeline

    def __init__(self, language: str, points: Sequence[ModelPoint], base: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points = list(points)
        self.setWindowTitle(f"Models of '{language}'")
        self.resize(860, 560)
        layout = QVBoxLayout(self)
        current = next((p for p in self.points if p.current), None)
        summary = QLabel(f"Suggesting now: {current.version if current else base}. "
                         "Scores are exact span + label, with a 95 % bootstrap interval (resampling documents, or "
                         "sentences while there are fewer than 10); "
                         "cross-validated scores and dev-split scores are measured on different documents.")
        summary.setTextFormat(Qt.TextFormat.PlainText)
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.table = QTableWidget(len(self.points), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, p in enumerate(self.points):
            cells = (p.version, f"{p.created_at:%Y-%m-%d %H:%M}", plural(p.trained_on, "document"), score_text(p),
                     "-" if p.base_f is None else f"{p.base_f:.3f}", scored_on(p), "✓" if p.current else "")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)  # plain text: sources and names come from data
                item.setToolTip(plain.tooltip(", ".join(p.documents) if col == 5 else p.path))
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        if self.points:
            self.table.selectRow(len(self.points) - 1)
        layout.addWidget(self.table, 1)
        self.chart = ModelChart(self.points)
        layout.addWidget(self.chart)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.make_current_button = QPushButton("Make current")
        self.make_current_button.setEnabled(bool(self.points))
        self.base_button = QPushButton(f"Use the base pipeline ({base})")
        buttons.addButton(self.make_current_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.base_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.make_current_button.clicked.connect(self._make_current)
        self.base_button.clicked.connect(lambda: self._chosen(None))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def select_version(self, version: str) -> None:
        row = next(i for i, p in enumerate(self.points) if p.version == version)
        self.table.selectRow(row)

    def _make_current(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self._chosen(self.points[rows[0].row()].path)

    def _chosen(self, path: str | None) -> None:
        self.makeCurrent.emit(path)
        self.accept()

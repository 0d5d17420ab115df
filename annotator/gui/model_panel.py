"""Before/after scores of a trained model: a per-label table and a small chart of F per epoch, dev or
cross-validated as the training scored it (drawn with QPainter: the Essentials wheel has no QtCharts)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.compare import Scores
from annotator.core.plural import plural


class EpochChart(QWidget):
    def __init__(self, f_values: Sequence[float], parent: QWidget | None = None, what: str = "dev F") -> None:
        super().__init__(parent)
        self.values, self.what = list(f_values), what
        self.setMinimumHeight(140)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self.rect().adjusted(40, 10, -10, -24)
        painter.setPen(QColor("#888888"))
        painter.drawRect(r)
        lo = min(self.values + [1.0]) if self.values else 0.0
        lo = max(0.0, min(lo, 0.9) - 0.05)
        painter.drawText(2, r.top() + 10, "1.00")
        painter.drawText(2, r.bottom(), f"{lo:.2f}")
        painter.drawText(r.left(), r.bottom() + 18, f"{self.what} per epoch")
        if len(self.values) < 1:
            return

        def point(i: int, v: float) -> QPointF:
            x = r.left() + (r.width() * i / max(1, len(self.values) - 1))
            y = r.bottom() - r.height() * (v - lo) / (1.0 - lo)
            return QPointF(x, y)

        painter.setPen(QPen(QColor("#1f77b4"), 2))
        pts = [point(i, v) for i, v in enumerate(self.values)]
        for a, b in zip(pts, pts[1:], strict=False):
            painter.drawLine(a, b)
        best = max(range(len(self.values)), key=lambda i: self.values[i])
        painter.setBrush(QColor("#ff7f0e"))
        painter.drawEllipse(pts[best], 4, 4)


class EvaluationDialog(QDialog):
    def __init__(self, title: str, before: Scores, after: Scores | None, names: tuple[str, str],
                 epochs_f: Sequence[float] = (), parent: QWidget | None = None, how: str = "",
                 scored: str = "dev F") -> None:
        """``how``: how the scores were made (a training's plan: cross-validated or on the dev split);
        ``scored``: what the chart's line is ("cross-validated F" while there is no dev split)."""
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(640, 560)
        layout = QVBoxLayout(self)
        self.summary = summary = QLabel(self._summary(before, after, names) + (f"\n{how}" if how else ""))
        summary.setTextFormat(Qt.TextFormat.PlainText)
        summary.setWordWrap(True)
        layout.addWidget(summary)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        columns = ["label", "before P", "before R", "before F"] + (["after P", "after R", "after F", "Δ F"]
                                                                   if after else [])
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(columns)
        labels = sorted(set(before.per_label) | set(after.per_label if after else {}))
        self.table.setRowCount(len(labels) + 1)
        for row, label in enumerate(labels + ["ALL"]):
            b = before.overall if label == "ALL" else before.per_label.get(label)
            a = (after.overall if label == "ALL" else after.per_label.get(label)) if after else None
            cells = [label] + ([f"{b.precision:.2f}", f"{b.recall:.2f}", f"{b.f:.2f}"] if b else ["-"] * 3)
            if after:
                cells += [f"{a.precision:.2f}", f"{a.recall:.2f}", f"{a.f:.2f}"] if a else ["-"] * 3
                cells.append(f"{(a.f if a else 0) - (b.f if b else 0):+.2f}")
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table, 1)
        if epochs_f:
            self.chart = EpochChart(epochs_f, what=scored)
            layout.addWidget(self.chart)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    @staticmethod
    def _summary(before: Scores, after: Scores | None, names: tuple[str, str]) -> str:
        def errors(sc: Scores) -> str:
            return ", ".join(f"{v} {k}" for k, v in sorted(sc.outcomes.items())) or "nothing to compare"

        text = f"{plural(before.documents, 'accepted document')}, exact span + label.\n" \
               f"before: {names[0]} — F {before.overall.f:.3f} ({errors(before)})"
        if after is not None:
            text += f"\nafter: {names[1]} — F {after.overall.f:.3f} ({errors(after)})"
        return text

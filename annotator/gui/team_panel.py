"""Team views: each annotator's version of the current article (to take one as gold), and the
agreement table between annotators."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.core.agreement import PairAgreement
from annotator.core.plural import plural
from annotator.core.span import SpanData
from annotator.gui import plain
from annotator.gui.layouts import clear_layout

DISAGREE = "#ffe0b2"


class VersionsPanel(QWidget):
    """Shown in review mode: every annotator's version side by side (one row per entity position,
    one column per person, then gold; rows where they disagree are highlighted), and a button per
    person to take their version as the gold one."""

    takeRequested = Signal(str)
    rowActivated = Signal(int, int)  # (start, end) of the entity in the row, to show it in the article

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._layout.addWidget(QLabel("<b>Versions</b> — reviewing the gold layer"))
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.cellClicked.connect(self._on_cell)
        self.table.verticalHeader().hide()
        self._layout.addWidget(self.table, 1)
        self._buttons_box = QVBoxLayout()
        self._layout.addLayout(self._buttons_box)
        self.buttons: dict[str, QPushButton] = {}
        self._rows: list[tuple[int, int]] = []

    def show_versions(self, text: str, versions: dict[str, list[SpanData]], gold: list[SpanData]) -> None:
        clear_layout(self._buttons_box)
        self.buttons = {}
        names = sorted(versions)
        columns = names + ["gold"]
        layers = [{(s.start, s.end): s.label for s in versions[n]} for n in names]
        layers.append({(s.start, s.end): s.label for s in gold})
        self._rows = sorted({place for layer in layers for place in layer})
        self.table.clear()
        self.table.setColumnCount(len(columns) + 1)
        self.table.setHorizontalHeaderLabels(["entity", *columns])
        self.table.setRowCount(len(self._rows))
        for row, (start, end) in enumerate(self._rows):
            labels = [layer.get((start, end), "—") for layer in layers]
            disagree = len(set(labels[:-1])) > 1
            cells = [text[start:end], *labels]
            for col, value in enumerate(cells):
                cell = QTableWidgetItem(value)
                if disagree:
                    cell.setBackground(QColor(DISAGREE))
                self.table.setItem(row, col, cell)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(0, min(self.table.columnWidth(0), 170))  # long entities are elided
        if not names:
            self._buttons_box.addWidget(QLabel("nobody has annotated this article yet"))
        gold_set = {(s.start, s.end, s.label) for s in gold}
        for name in names:
            theirs = {(s.start, s.end, s.label) for s in versions[name]}
            same = "same as gold" if theirs == gold_set and gold else plural(len(theirs), "entity", "entities")
            button = QPushButton(f"Take {plain.no_mnemonic(name)}'s version ({same})")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay with the gold version being edited
            button.clicked.connect(lambda _=False, n=name: self.takeRequested.emit(n))
            self._buttons_box.addWidget(button)
            self.buttons[name] = button

    def disagreements(self) -> int:
        """Rows where the annotators' labels differ (those are highlighted)."""
        cells = (self.table.item(r, 0) for r in range(self.table.rowCount()))
        return sum(1 for c in cells if c is not None and c.background().color().name() == DISAGREE)

    def _on_cell(self, row: int, _col: int) -> None:
        if 0 <= row < len(self._rows):
            self.rowActivated.emit(*self._rows[row])


class AgreementDialog(QDialog):
    def __init__(self, pairs: Sequence[PairAgreement], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Agreement between annotators")
        self.resize(620, 420)
        layout = QVBoxLayout(self)
        if not pairs:
            layout.addWidget(QLabel("No article has been annotated by two people yet."))
        self.table = QTableWidget(0, 5)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setHorizontalHeaderLabels(["pair", "label / document", "documents", "span F", "token kappa"])
        for p in pairs:
            self._row(f"{p.a} vs {p.b}", "all", p.spans.documents, p.f, p.kappa)
            for label, prf in sorted(p.per_label_f().items()):
                self._row("", label, None, prf.f, p.kappa_for(label))
            for doc_id, (f, k) in sorted(p.per_document.items()):
                self._row("", f"document {doc_id}", None, f, k)
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _row(self, pair: str, what: str, docs: int | None, f: float, kappa: float | None) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, text in enumerate([pair, what, "" if docs is None else str(docs), f"{f:.3f}",
                                    "n/a" if kappa is None else f"{kappa:.3f}"]):
            self.table.setItem(row, col, QTableWidgetItem(text))

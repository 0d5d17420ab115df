"""Team views: each annotator's version of the current article (to take one as gold), and the
agreement table between annotators."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
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


class VersionsPanel(QWidget):
    """Shown in review mode: who annotated this article, how close each is to the gold version."""

    takeRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self.buttons: dict[str, QPushButton] = {}

    def show_versions(self, rows: Sequence[tuple[str, int, float | None]]) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.buttons = {}
        title = QLabel("<b>Versions</b> — reviewing the gold layer")
        self._layout.addWidget(title)
        if not rows:
            self._layout.addWidget(QLabel("nobody has annotated this article yet"))
        for name, count, f in rows:
            vs_gold = "no gold yet" if f is None else f"F {f:.2f} vs gold"
            button = QPushButton(f"Take {name}'s ({count} entities, {vs_gold})")
            button.clicked.connect(lambda _=False, n=name: self.takeRequested.emit(n))
            self._layout.addWidget(button)
            self.buttons[name] = button
        self._layout.addStretch(1)


class AgreementDialog(QDialog):
    def __init__(self, pairs: Sequence[PairAgreement], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Agreement between annotators")
        self.resize(620, 420)
        layout = QVBoxLayout(self)
        if not pairs:
            layout.addWidget(QLabel("No article has been annotated by two people yet."))
        self.table = QTableWidget(0, 5)
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

"""F1: every keyboard command in two columns, keys and what they do (``actions.help_rows``)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from annotator.gui.actions import help_rows


def shortcuts_dialog(parent: QWidget) -> QDialog:
    """Two columns, keys and what they do (spaces in a proportional font left them ragged)."""
    rows = help_rows()
    dialog = QDialog(parent)
    dialog.setWindowTitle("Keyboard shortcuts")
    table = QTableWidget(len(rows), 2, dialog)
    table.setHorizontalHeaderLabels(["key", "does"])
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setWordWrap(False)
    for row, (keys, what) in enumerate(rows):
        table.setItem(row, 0, QTableWidgetItem(keys))
        table.setItem(row, 1, QTableWidgetItem(what))
    table.resizeColumnsToContents()
    table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, dialog)
    buttons.accepted.connect(dialog.accept)
    layout = QVBoxLayout(dialog)
    layout.addWidget(table)
    layout.addWidget(buttons)
    width = table.columnWidth(0) + table.sizeHintForColumn(1) + 60
    room = parent.screen().availableGeometry()  # never taller than the screen: OK stays reachable
    dialog.resize(min(width, max(600, parent.width() - 80), room.width() - 40),
                  min(760, max(400, parent.height() - 80), room.height() - 60))
    return dialog

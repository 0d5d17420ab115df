"""Strings from data (article text, titles, labels, file names, annotator names) shown as plain text.

Qt guesses whether a string is rich text (``Qt.mightBeRichText``) in labels, message boxes and
tooltips, so an article whose first line is ``<img src=… width=40000>`` would be rendered as HTML.
Labels and boxes get ``PlainText`` explicitly; tooltips cannot be told, so their text is escaped
inside a rich-text wrapper that shows it literally.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def tooltip(text: str) -> str:
    """A tooltip that shows ``text`` exactly as written, line breaks kept, never as HTML."""
    escaped = html.escape(text, quote=False).replace("\n", "<br>")
    return f"<qt><span style='white-space:pre-wrap'>{escaped}</span></qt>"


def no_mnemonic(text: str) -> str:
    """Button and menu text: a single ``&`` would underline the next letter and vanish."""
    return text.replace("&", "&&")


def label(text: str = "", parent: QWidget | None = None) -> QLabel:
    widget = QLabel(parent)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setText(text)
    return widget


def message_box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str,
                buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok) -> QMessageBox.StandardButton:
    """A modal message whose text (often naming a file or quoting data) is plain text."""
    box = QMessageBox(icon, title, "", buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    answer = QMessageBox.StandardButton(box.exec())
    give_back_keys(parent)
    return answer


def give_back_keys(parent: QWidget | None) -> None:
    """After a modal dialog: the window takes the keyboard again. A window manager does this; without
    one (Xvfb, some kiosk setups) the window stayed inactive and its shortcuts did nothing."""
    if parent is not None:
        parent.window().activateWindow()


def show_report(parent: QWidget | None, title: str, text: str, details: str,
                icon: QMessageBox.Icon = QMessageBox.Icon.Information) -> QMessageBox:
    """A non-modal report (work goes on behind it), plain text, the full lines under "Show Details".
    It takes the keyboard, as a window manager would give it, and gives it back when it closes: without
    one (Xvfb) Return, meant to close it, went to the article behind and confirmed a suggestion there."""
    box = QMessageBox(icon, title, "", QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    if details:
        box.setDetailedText(details)
    box.setModal(False)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.finished.connect(lambda _result: give_back_keys(parent))
    box.show()
    box.raise_()
    box.activateWindow()
    return box

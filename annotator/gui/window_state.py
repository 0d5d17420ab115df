"""What the window remembers between runs (QSettings): geometry, panel sizes, the last article."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter


def restore(window: QMainWindow, splitter: QSplitter) -> int | None:
    """Put back geometry and panel sizes; return the article last open (None if unknown)."""
    settings = QSettings()
    geometry = settings.value("window/geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    sizes = settings.value("window/splitter")
    if isinstance(sizes, QByteArray):
        splitter.restoreState(sizes)
    last = settings.value("window/last_document")
    try:
        return int(last) if last is not None else None
    except (TypeError, ValueError):
        return None


def fit_to_screen(window: QMainWindow) -> bool:
    """A window no larger than the screen it opens on (the first start asks for 1400 x 900; on a
    1024 x 700 screen the status bar and the article's end were off the screen). True if it shrank."""
    room = window.screen().availableGeometry()
    if window.width() <= room.width() and window.height() <= room.height():
        return False
    # a little under the screen: a window manager's frame and title bar come on top
    window.resize(min(window.width(), int(room.width() * 0.97)), min(window.height(), int(room.height() * 0.94)))
    window.move(room.topLeft())
    return True


def save(window: QMainWindow, splitter: QSplitter, document_id: int | None) -> None:
    settings = QSettings()
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/splitter", splitter.saveState())
    if document_id is not None:
        settings.setValue("window/last_document", document_id)
    settings.sync()

"""Start the desktop app: QApplication, the store, the window, and the first-start import."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QInputDialog, QLabel, QMessageBox

from annotator.core.errors import AnnotatorError
from annotator.core.users import check_user_name, invisible, login_name
from annotator.gui import plain, window_state
from annotator.gui.main_window import MainWindow
from annotator.io.bundled import bundled_path
from annotator.nlp.pipelines import project_pipelines
from annotator.store import Store

ENV_SCREENSHOT = "ANNOTATOR_SCREENSHOT"  # save a screenshot there once the first job ends, then quit


def resolve_user(explicit: str | None, ask: Callable[[str, str], str | None]) -> str | None:
    """``--user`` wins; else the name kept in settings; else ask (prefilled with the login name) until
    the answer is a name the store takes (``check_user_name``; ``ask`` gets what was wrong with the
    last answer) and keep it. None when the person declines to give one."""
    if explicit:
        return explicit
    settings = QSettings()
    saved = settings.value("user/name")
    if isinstance(saved, str) and saved:
        return saved
    answer, problem = ask(login_name(), ""), ""
    while True:
        if not answer:
            return None
        try:
            name = check_user_name(answer)
            break
        except AnnotatorError as exc:
            problem = str(exc)
        answer = ask(answer, problem)
    settings.setValue("user/name", name)
    return name


def _ask_name(default: str, problem: str) -> str | None:
    """The name prompt; after a refused answer it says why (as plain text: the answer is quoted in
    it) and offers the answer again without its invisible characters."""
    prompt = "Your name (recorded with every edit you make):"
    dialog = QInputDialog()
    dialog.setWindowTitle("annotator")
    dialog.setLabelText(f"{problem[:1].upper()}{problem[1:]}.\n\n{prompt}" if problem else prompt)
    for shown_label in dialog.findChildren(QLabel):
        shown_label.setTextFormat(Qt.TextFormat.PlainText)
    dialog.setTextValue("".join(c for c in default if not invisible(c)))
    return dialog.textValue() if dialog.exec() else None


def run(db: str | None, user: str | None) -> int:
    QCoreApplication.setOrganizationName("annotator")
    QCoreApplication.setApplicationName("annotator")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    icon = bundled_path("resources/icon.png")
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))
    name = resolve_user(user, _ask_name)
    if name is None:
        return 1
    try:
        store = Store.open(db)
    except AnnotatorError as exc:
        plain.message_box(None, QMessageBox.Icon.Critical, "annotator", str(exc))
        return 1
    window = MainWindow(store, name, project_pipelines(store))
    fitted = window_state.fit_to_screen(window)
    window.show()
    if fitted:  # the panels shared out again over the smaller width
        window._share_width()
    QTimer.singleShot(0, window.first_start)
    # Once start-up has loaded Qt, spaCy and the pipelines (~200k long-lived objects), keep them out of
    # the cyclic collector: full collections over them paused every thread for 0.3-1.3 s while editing
    # a large article (benchmarks/gui_latency.py).
    QTimer.singleShot(15_000, gc.freeze)
    shot = os.environ.get(ENV_SCREENSHOT)
    if shot:
        _screenshot_when_idle(window, Path(shot))
    code = app.exec()
    store.close()
    return int(code)


def _screenshot_when_idle(window: MainWindow, path: Path) -> None:
    """For docs/: wait until background work is over, show a typical state, grab, quit."""

    def attempt() -> None:
        if window.job is not None or not window.ops.idle():
            QTimer.singleShot(300, attempt)
            return
        spans = window.article.spans
        if spans:
            window.article.select_span(spans[min(3, len(spans) - 1)])
        QTimer.singleShot(500, lambda: (window.grab().save(str(path)), window.close()))

    QTimer.singleShot(1000, attempt)

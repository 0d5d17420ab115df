"""GUI fixtures: offscreen Qt, isolated QSettings, a real store copied from a pre-annotated template,
and a check that no test leaves a worker thread running."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtCore import QCoreApplication, QSettings, QThreadPool  # noqa: E402

from annotator.core.document import NewDocument  # noqa: E402
from annotator.store import Store  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, qapp) -> None:  # type: ignore[no-untyped-def]
    QCoreApplication.setOrganizationName("annotator-tests")
    QCoreApplication.setApplicationName(f"annotator-{tmp_path.name}")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))


@pytest.fixture(autouse=True)
def _no_dangling_threads():  # type: ignore[no-untyped-def]
    yield
    pool = QThreadPool.globalInstance()
    assert pool.waitForDone(60_000), "a background job was still running after the test"


@pytest.fixture
def make_window(qtbot, pipelines):  # type: ignore[no-untyped-def]
    from annotator.gui.main_window import MainWindow

    def quiet(window: MainWindow) -> None:
        # Before qtbot closes it: a job still running (a test that failed part-way) would make closing
        # ask "Quit and cancel it?" in a modal box that nobody answers, and the run would hang.
        window.editor.quiet = True

    def make(store: Store, user: str = "alice") -> MainWindow:
        window = MainWindow(store, user, pipelines)
        qtbot.addWidget(window, before_close_func=quiet)
        window.show()
        qtbot.waitExposed(window)
        window.windowHandle().requestActivate()  # window shortcuts (Ctrl+Z, Ctrl+Return) need it
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        settle(qtbot, window)  # the list is read and the first article opened on the database worker
        return window

    return make


def settle(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """Wait (on the event loop, no sleeping) until the window's database work has all come back."""
    qtbot.waitUntil(window.ops.idle, timeout=60_000)


def single_document_store(tmp_path: Path, text: str, language: str = "en") -> Store:
    store = Store.open(str(tmp_path / "one.sqlite3"))
    store.import_documents([(NewDocument(text, "one.txt", language), [])])
    return store

"""Long jobs off the GUI thread: a ``QRunnable`` runs a plain function (the same one the CLI calls)
with a progress sink and a ``CancelToken``, and reports back through queued Qt signals."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from annotator.core.errors import AnnotatorError
from annotator.core.progress import Cancelled, CancelToken, ProgressSink


class JobSignals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()


class Job(QRunnable):
    """``work(progress, cancel)`` in the thread pool; exactly one of finished/failed/cancelled fires."""

    def __init__(self, title: str, work: Callable[[ProgressSink, CancelToken], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the window keeps a reference while the job runs
        self.title = title
        self.work = work
        self.cancel_token = CancelToken()
        self.signals = JobSignals()

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def run(self) -> None:
        try:
            result = self.work(self.signals.progress.emit, self.cancel_token)
        except Cancelled:
            self.signals.cancelled.emit()
        except AnnotatorError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # surfaced in the window, never lost in a thread
            self.signals.failed.emit(f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")
        else:
            if self.cancel_token.cancelled:
                self.signals.cancelled.emit()
            else:
                self.signals.finished.emit(result)


def pool() -> QThreadPool:
    return QThreadPool.globalInstance()

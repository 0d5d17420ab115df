"""Long jobs off the GUI thread (import, pre-annotation, training, export): a ``QRunnable`` runs a plain
function (the same one the CLI calls) with a progress sink and a ``CancelToken``, and reports back
through queued Qt signals; the ``JobRunner`` shows one job at a time in the status bar with Cancel."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressBar, QPushButton, QStatusBar

from annotator.core.errors import AnnotatorError
from annotator.core.progress import Cancelled, CancelToken, ProgressSink
from annotator.gui.fixed_lines import FixedLinesLabel


class JobSignals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()


class Job(QRunnable):
    """``work(progress, cancel)`` in the thread pool; exactly one of finished/failed/cancelled fires."""

    def __init__(self, title: str, work: Callable[[ProgressSink, CancelToken], Any], cancelled: str = "") -> None:
        super().__init__()
        self.setAutoDelete(False)  # the window keeps a reference while the job runs
        self.title = title
        self.cancelled_says = cancelled  # what a Cancel left behind, in words ("nothing was imported")
        self.work = work
        self.cancel_token = CancelToken()
        self.signals = JobSignals()

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def _progress(self, done: int, total: int, message: str) -> None:
        self.signals.progress.emit(done, total, message)

    def run(self) -> None:
        try:
            result = self.work(self._progress, self.cancel_token)
        except Cancelled:
            self.signals.cancelled.emit()
        except AnnotatorError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # surfaced in the window, never lost in a thread
            self.signals.failed.emit(f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")
        else:
            # Cancelled only if the work says it stopped part-way (a report with ``cancelled``, as
            # pre-annotation returns); work that ran to the end despite Cancel (an all-or-nothing
            # import) finished, and is reported so.
            if self.cancel_token.cancelled and getattr(result, "cancelled", False):
                self.signals.cancelled.emit()
            else:
                self.signals.finished.emit(result)


def pool() -> QThreadPool:
    return QThreadPool.globalInstance()


class JobRunner(QObject):
    """One background job at a time, shown in the status bar with a progress bar and Cancel."""

    ended = Signal(str, bool)  # (message, warn) once a job finished, failed or was cancelled
    progressed = Signal()  # a good moment to refresh the list (rate-limited by the window)

    def __init__(self, status_bar: QStatusBar) -> None:
        super().__init__(status_bar)
        self.job: Job | None = None
        # Job messages name files (plain text) and can be long: two lines at most, never under the bar,
        # the whole message in the tooltip when it is cut.
        self.label = FixedLinesLabel(2, widest=360)  # 1024 px wide: room left for the messages
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(140)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # hidden once clicked: keys went to the search box
        self.cancel_button.clicked.connect(self.cancel)
        for w in (self.label, self.bar, self.cancel_button):
            w.hide()
            status_bar.addPermanentWidget(w)
        self._last_progress = 0.0

    def start(self, job: Job, on_done: Callable[[Any], None] | None = None,
              on_failed: Callable[[str], None] | None = None) -> bool:
        """``on_failed`` gets the whole error (the status bar shows it for a few seconds, cut)."""
        if self.job is not None:
            self.ended.emit(f"wait for '{self.job.title}' to finish (or cancel it)", True)
            return False
        self.job = job
        self.label.setText(job.title)
        self.bar.setRange(0, 0)
        for w in (self.label, self.bar, self.cancel_button):
            w.show()
        job.signals.progress.connect(self._on_progress)
        job.signals.finished.connect(lambda result: self._end(
            f"{job.title}: done" + (" (it could not be stopped part-way: all of it was saved)"
                                    if job.cancel_token.cancelled else ""), False, result, on_done))
        job.signals.failed.connect(lambda error: self._end(f"{job.title} failed: {error}", True, error,
                                                           on_failed))
        job.signals.cancelled.connect(lambda: self._end(
            f"{job.title}: cancelled" + (f"; {job.cancelled_says}" if job.cancelled_says else ""), False, None, None))
        pool().start(job)
        return True

    def _on_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
        self.label.setText(message)
        self.progressed.emit()

    def _end(self, message: str, warn: bool, result: object, on_done: Callable[[Any], None] | None) -> None:
        self.job = None
        for w in (self.label, self.bar, self.cancel_button):
            w.hide()
        self.ended.emit(message, warn)
        if on_done is not None:
            on_done(result)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.label.setText(f"{self.job.title}: cancelling…")

    def stop(self, timeout_ms: int = 30_000) -> None:
        """On quit: cancel the running job and wait for it (every committed batch stays)."""
        if self.job is not None:
            self.job.cancel()
            pool().waitForDone(timeout_ms)


class Throttle:
    """Lets a repeated action through at most every max(``floor`` s, 10 x its own last cost)."""

    def __init__(self, floor: float = 1.0) -> None:
        self.floor, self.cost, self._last = floor, 0.0, 0.0

    def ready(self) -> bool:
        return time.monotonic() - self._last > max(self.floor, 10 * self.cost)

    def ran(self, cost: float) -> None:
        self.cost, self._last = cost, time.monotonic()

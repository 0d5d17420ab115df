"""Progress reporting and cancellation shared by long jobs, the CLI and GUI workers.

Long work is plain functions that take a ``ProgressSink`` and a ``CancelToken``; the CLI prints
progress to the terminal, a GUI worker turns it into Qt signals. Neither side knows the other.
"""

from __future__ import annotations

import threading
from typing import Protocol


class Cancelled(Exception):
    """Raised inside a long job when its ``CancelToken`` was cancelled; the job leaves committed
    batches in place and nothing half-written."""


class ProgressSink(Protocol):
    def __call__(self, done: int, total: int, message: str) -> None: ...


def no_progress(done: int, total: int, message: str) -> None:
    """A sink that ignores progress, for callers that do not show any."""


class CancelToken:
    """Thread-safe cancel flag checked by a job between batches."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()

"""Store work off the GUI thread, in order (Anki's ``CollectionOp``/``QueryOp`` idea).

Every database call the window makes is an ``Op``: a plain function run on the one database worker
thread, whose result (or error) comes back to the GUI thread through a queued signal. One worker
means one writer: edits commit in the order they were asked for.

Keys and clicks that act on what the window shows are *steps*: a step runs on the GUI thread only
when no op is in flight, so a key pressed while an edit is still being saved waits for that edit's
result to be shown and then applies to what is on screen (never lost, never applied to the document
the window has just left). An op started from a result handler runs before any queued step, so
"accept, then open the next article" finishes before the next key is read.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, Signal

from annotator.core.errors import AnnotatorError

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class Op(Generic[T]):
    """``work()`` on the database worker; then ``done(result)`` or ``failed(error)`` on the GUI thread.

    ``failed`` receives the ``AnnotatorError`` the store raised (conflict, refusal, lost connection);
    any other exception is a bug, logged with its traceback and reported as an ``AnnotatorError``.
    """

    work: Callable[[], T]
    done: Callable[[T], None]
    failed: Callable[[AnnotatorError], None] | None = None
    title: str = field(default="")


class _Bridge(QObject):
    finished = Signal(object, object)  # (Op, Future) — emitted on the worker, delivered on the GUI thread


class Ops(QObject):
    """The database worker and the queue of GUI steps waiting for it."""

    error = Signal(str)  # failures of ops that have no ``failed`` handler

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="annotator-db")
        self._bridge = _Bridge()
        # Queued even when an op is already done as its callback is attached (the callback then runs on
        # this thread): a result is always handled from the event loop, never inside run().
        self._bridge.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._steps: deque[Callable[[], None]] = deque()
        self._in_flight: Op[Any] | None = None
        self._closed = False

    # -- queries ------------------------------------------------------------------------------

    def idle(self) -> bool:
        """Nothing in flight and no step waiting: what tests and benchmarks wait for."""
        return self._in_flight is None and not self._steps

    def busy(self) -> bool:
        return self._in_flight is not None

    # -- running ------------------------------------------------------------------------------

    def step(self, action: Callable[[], None]) -> None:
        """Run ``action`` on the GUI thread as soon as no op is in flight (now, if none is)."""
        if self._closed:
            return
        self._steps.append(action)
        self._pump()

    def run(self, op: Op[T]) -> None:
        """Start ``op`` now if the worker is free, else after what is queued before it."""
        if self._closed:
            return
        if self._in_flight is not None:
            self.step(lambda: self.run(op))
            return
        self._in_flight = op
        future = self._executor.submit(op.work)
        future.add_done_callback(lambda f: self._bridge.finished.emit(op, f))

    def _deliver(self, op: Op[Any], future: Future[Any]) -> None:
        self._in_flight = None
        try:
            try:
                result = future.result()
            except AnnotatorError as exc:
                self._fail(op, exc)
            except Exception as exc:  # a bug: keep the window alive, say what happened, log the trace
                log.exception("database operation %r failed", op.title or op.work)
                self._fail(op, AnnotatorError(f"internal error in '{op.title or 'a database operation'}': "
                                              f"{type(exc).__name__}: {exc}"))
            else:
                op.done(result)
        finally:
            self._pump()

    def _fail(self, op: Op[Any], exc: AnnotatorError) -> None:
        if op.failed is not None:
            op.failed(exc)
        else:
            self.error.emit(str(exc))

    def _pump(self) -> None:
        while self._in_flight is None and self._steps and not self._closed:
            action = self._steps.popleft()
            try:
                action()
            except Exception:  # a failing step must not stall the queue behind it
                log.exception("GUI step failed")
                self.error.emit("internal error; see the log")

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking work; let the op in flight finish (its result is dropped)."""
        self._closed = True
        self._steps.clear()
        self._executor.shutdown(wait=wait, cancel_futures=True)

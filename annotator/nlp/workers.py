"""Worker processes that run the NER for pre-annotation, so every core is busy.

Each worker loads the pipelines it needs once, then turns batches of documents into entities
(``suggest.suggest``). Only texts go in and only ``(start, end, label)`` tuples come back; the parent
stays the one process that writes to the database.

How workers start: on Linux, from a process with no other thread (the command line), they are forked
and share the parent's loaded pipelines (no loading, no extra memory until written); anywhere else
(the GUI's background job thread, macOS, Windows) each is a fresh interpreter (``spawn``) that loads
its own, since forking a process with other threads running can deadlock the child.

A worker that dies (killed, out of memory, a crash in native code) costs no document: its batch is run
again one document at a time in a new worker, and a document that kills its worker on its own is
reported as failed. Ctrl+C is for the parent, which decides; workers ignore it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkContext, SpawnContext
from multiprocessing.process import BaseProcess

from annotator.core.errors import AnnotatorError
from annotator.nlp.pipelines import PipelineConfig, Pipelines
from annotator.nlp.suggest import Failed, Item, Limits, Outcome, suggest

ENV_PROCESSES = "ANNOTATOR_PROCESSES"


def cpu_count() -> int:
    """Cores this process may run on (the affinity mask where the OS has one, as in containers)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def resolve_processes(requested: int | None = None) -> int:
    """``requested``, else ``$ANNOTATOR_PROCESSES``, else every core. A packaged (frozen) app runs in
    one process: a worker started from it would start the app again."""
    if requested is None:
        value = os.environ.get(ENV_PROCESSES, "").strip()
        if value:
            try:
                requested = int(value)
            except ValueError:
                raise AnnotatorError(f"{ENV_PROCESSES}: {value!r} must be a number of processes (1 or more)") from None
            if requested < 1:
                raise AnnotatorError(f"{ENV_PROCESSES}: {value!r} must be a number of processes (1 or more)")
        else:
            requested = cpu_count()
    if requested < 1:
        raise AnnotatorError(f"the number of processes must be 1 or more, not {requested}")
    if getattr(sys, "frozen", False):
        return 1
    return requested


def default_start_method() -> str:
    """``fork`` where it is safe and available (Linux, no other thread), else ``spawn``."""
    alone = threading.current_thread() is threading.main_thread() and threading.active_count() == 1
    return "fork" if alone and sys.platform == "linux" else "spawn"


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    task: tuple[int, tuple[Item, ...]] | None = None  # (batch key, items) it is working on


@dataclass
class _Batch:
    remaining: set[int]
    outcomes: dict[int, Outcome] = field(default_factory=dict)


class WorkerPool:
    """``processes`` workers; ``submit`` batches, collect them whole with ``wait``, ``close`` at the end."""

    def __init__(self, pipelines: Pipelines, processes: int, limits: Limits | None = None,
                 start_method: str | None = None, preload: Sequence[str] = ()) -> None:
        self.start_method = start_method or default_start_method()
        fork = self.start_method == "fork"
        self._context: ForkContext | SpawnContext = (multiprocessing.get_context("fork") if fork
                                                     else multiprocessing.get_context("spawn"))
        self._limits = limits or Limits()
        self._source: Pipelines | PipelineConfig = pipelines.config
        if self.start_method == "fork":
            for language in preload:  # loaded once here, shared by every worker
                pipelines.get(language)
            self._source = pipelines
        self._pending: deque[tuple[int, tuple[Item, ...]]] = deque()
        self._batches: dict[int, _Batch] = {}
        self._idle_deaths = 0
        self.restarts = 0  # workers that died and were replaced
        self._workers: list[_Worker] = []
        try:
            for _ in range(processes):
                self._workers.append(self._start())
        except BaseException:
            self.close()
            raise

    @property
    def size(self) -> int:
        return len(self._workers)

    def submit(self, key: int, items: Sequence[Item]) -> None:
        """Queue a batch; its outcomes come back together from ``wait`` under ``key``."""
        batch = tuple(items)
        self._batches[key] = _Batch({item.document_id for item in batch})
        if batch:
            self._pending.append((key, batch))
        self._dispatch()

    def wait(self, timeout: float | None = None) -> list[tuple[int, dict[int, Outcome]]]:
        """Batches that finished (possibly none when ``timeout`` runs out first)."""
        done = self._finished()
        if done:
            return done
        busy = [w for w in self._workers if w.task is not None]
        if not busy:
            return []
        ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout))
        for worker in busy:
            if worker.conn not in ready and worker.process.sentinel not in ready:
                continue
            assert worker.task is not None
            key, items = worker.task
            try:
                reply_key, outcomes = worker.conn.recv()
            except (EOFError, OSError):
                self._died(worker)
                continue
            assert reply_key == key
            worker.task = None
            self._record(key, outcomes)
        self._dispatch()
        return self._finished()

    def close(self) -> None:
        """Stop every worker; work under way is abandoned (its batch was never written)."""
        for worker in self._workers:
            if worker.task is None:
                with contextlib.suppress(OSError):
                    worker.conn.send(None)
            else:
                worker.process.terminate()
        for worker in self._workers:
            worker.process.join(10)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        self._workers = []

    # -- internals ------------------------------------------------------------------------------

    def _start(self) -> _Worker:
        parent_end, child_end = self._context.Pipe()
        # A forked worker inherits the parent's ends of the other workers' pipes: it closes them, or
        # they would never see the end of file that tells them the parent is gone.
        inherited = [w.conn for w in self._workers] if self.start_method == "fork" else []
        process = self._context.Process(target=_work, args=(child_end, self._source, self._limits, inherited),
                                        name="annotator-ner", daemon=True)
        process.start()
        child_end.close()  # the worker's end lives in the worker only: its death reads as EOF here
        return _Worker(process, parent_end)

    def _dispatch(self) -> None:
        for worker in self._workers:
            if worker.task is None and self._pending:
                worker.task = self._pending.popleft()
                try:
                    worker.conn.send(worker.task)
                except OSError:
                    self._died(worker)

    def _died(self, worker: _Worker) -> None:
        """Replace a dead worker; run its batch again a document at a time, or fail the lone document."""
        worker.process.join(10)
        code = worker.process.exitcode
        task, worker.task = worker.task, None
        worker.conn.close()
        if code is not None and code > 0:  # Python failed in the worker (start-up, unpickling): not a document
            raise AnnotatorError(f"a pre-annotation worker process failed ({_exit(code)}; its error is printed above); "
                                 "--processes 1 runs the NER without worker processes")
        index = self._workers.index(worker)
        if task is None:
            self._idle_deaths += 1
            if self._idle_deaths > 2 * len(self._workers) + 2:
                raise AnnotatorError(f"pre-annotation worker processes keep dying on start ({_exit(code)})")
        self._workers[index] = self._start()
        self.restarts += 1
        if task is None:
            return
        key, items = task
        if len(items) > 1:
            self._pending.extendleft((key, (item,)) for item in reversed(items))
        else:
            self._record(key, {items[0].document_id: Failed(f"the worker process running it died ({_exit(code)})")})

    def _record(self, key: int, outcomes: dict[int, Outcome]) -> None:
        batch = self._batches[key]
        batch.outcomes.update(outcomes)
        batch.remaining.difference_update(outcomes)

    def _finished(self) -> list[tuple[int, dict[int, Outcome]]]:
        done = [key for key, batch in self._batches.items() if not batch.remaining]
        return [(key, self._batches.pop(key).outcomes) for key in done]


def _exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = ": out of memory, or killed" if name == "SIGKILL" else ""
        return f"{name}{hint}"
    return f"exit code {code}"


def _work(conn: Connection, source: Pipelines | PipelineConfig, limits: Limits,
          inherited: Sequence[Connection]) -> None:
    """A worker's life: batches in, outcomes out, until the parent says stop or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for other in inherited:
        other.close()
    pipelines = source if isinstance(source, Pipelines) else Pipelines(source)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        key, items = task
        try:
            outcomes = suggest(pipelines, items, limits)
        except Exception as exc:  # suggest() isolates documents; this is the worker itself failing
            outcomes = {item.document_id: Failed(f"{type(exc).__name__}: {exc}") for item in items}
        try:
            conn.send((key, outcomes))
        except OSError:
            return

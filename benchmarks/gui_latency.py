"""Keystroke-to-repaint latency of edits in the real window, and how long the GUI thread is ever blocked.

The real ``MainWindow`` (offscreen), the real spaCy tokenizer, a real store. Corpus: the five seed
articles, plus a synthetic ~200 kB article built from them (skip it with ``--no-large``), each with
model suggestions on capitalised runs of tokens (``Store.replace_suggestions``, author ``bench@1``).

One edit cycle, keys pressed with ``QTest.keyClick`` on the article:
  add      select a lowercase word, press 1 (PERSON)  -> a PERSON entity is drawn there
  relabel  the new entity is selected; press 3 (GPE) -> it is drawn as GPE
  delete   press Delete                             -> nothing is drawn there
  undo     press Ctrl+Z                             -> the GPE entity is drawn again
  confirm  select a suggestion (as a click would); press Enter -> drawn as a confirmed entity
Each timed from just before the key press until ``window.ops.idle()``, the article's spans hold the
expected entity, *and* the article viewport has painted after the result was handled (Qt's own
paint, not a forced one). ``--n`` cycles (default 50) per backend and article group, so N >= 50 per
edit kind. A key whose result is not drawn within 60 s is reported as lost.

Raw baseline, same run, same backend, same proxy: the store calls the edit needs, made directly on a
second database holding the same corpus (``add_span`` / ``relabel_span`` / ``delete_span`` /
``revert`` / ``confirm_suggestion``, then ``summary`` and ``view``), interleaved with the GUI runs
article by article. Ratio = GUI / raw. The raw store also counts its SQL statements and pool
checkouts per edit (on PostgreSQL each checkout is a pre-ping round trip).

Where the time goes: paint, the result handler (and its parts) and the worker's ``run_edit`` /
``run_revert`` are timed by wrapping those methods at class level before the window is built (the
benchmark changes nothing in ``annotator/``).

GUI-thread blocking: a 1 ms ``QTimer`` records ``perf_counter()``; a gap is the time between two
ticks (the first from the key press, the last to the end of the repaint). Gaps > 16 ms are
attributed by overlap: first to a garbage collection (a full one stops every thread), then to what
the GUI thread was doing (key handler, result handler incl. redraw, paint), then to the worker being
busy (it holds the GIL while it runs Python, and the CPUs are shared), else "unknown". Also measured
with nothing in flight (``--idle`` seconds). Every public ``Store`` call and every SQL statement the
window's store runs on the GUI thread is counted.

Backends: SQLite (a file); PostgreSQL (throwaway server on 127.0.0.1, as the tests start it)
reached directly, and through a TCP proxy (a subprocess, so it takes no GIL from the app) that delays
every chunk by 25 ms in each direction. Without PostgreSQL server binaries, SQLite only.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_latency.py [--n 50] [--delay-ms 25] [--no-large]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
USER = "bench"
FRAME_MS = 16.0
perf = time.perf_counter


# -- the delaying TCP proxy (run as a subprocess: ``--proxy UPSTREAM_PORT DELAY_MS``) --------------


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    """Forward every chunk ``delay`` seconds after it was read, in order, without serialising the
    delays (a delay line: chunks in flight overlap, as on a long cable)."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def send() -> None:
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                break
            writer.write(data)
            await writer.drain()
        writer.close()

    sender = asyncio.create_task(send())
    try:
        while data := await reader.read(1 << 16):
            queue.put_nowait((loop.time() + delay, data))
    except (ConnectionError, OSError):
        pass
    queue.put_nowait((loop.time() + delay, b""))
    with suppress(ConnectionError, OSError):
        await sender


async def _proxy(upstream: int, delay: float) -> None:
    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", upstream)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(_pump(client_r, up_w, delay), _pump(up_r, client_w, delay), return_exceptions=True)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


def proxy_main(upstream: int, delay_ms: float) -> None:
    # Exit with the parent: it holds our stdin open and never writes to it.
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    asyncio.run(_proxy(upstream, delay_ms / 1000))


class DelayProxy:
    def __init__(self, upstream: int, delay_ms: float) -> None:
        self.proc = subprocess.Popen([sys.executable, __file__, "--proxy", str(upstream), str(delay_ms)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# -- statistics and table -----------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """Percentile by linear interpolation (p in 0..100)."""
    if not values:
        return float("nan")
    xs = sorted(values)
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


# -- corpus -------------------------------------------------------------------------------------


@dataclass
class Article:
    """A document and what a cycle needs from it: words to label and suggestions to confirm."""

    id: int
    name: str
    words: list[tuple[int, int]]
    suggestions: list[tuple[int, int, str]]


def suggestions_for(nlp: Any, text: str) -> list[tuple[int, int, str]]:
    """Capitalised runs of alphabetic tokens (real spaCy tokenizer), labelled in turn PERSON/ORG/GPE."""
    out: list[tuple[int, int, str]] = []
    run: list[Any] = []
    labels = ("PERSON", "ORG", "GPE")

    def close() -> None:
        if run:
            out.append((run[0].idx, run[-1].idx + len(run[-1]), labels[len(out) % 3]))
            run.clear()

    for tok in nlp.tokenizer(text):
        if tok.is_alpha and tok.text[0].isupper() and len(tok) > 1 and (not run or tok.i == run[-1].i + 1):
            run.append(tok)
        else:
            close()
            if tok.is_alpha and tok.text[0].isupper() and len(tok) > 1:
                run.append(tok)
    close()
    return out


def lowercase_words(nlp: Any, text: str, taken: list[tuple[int, int, str]]) -> list[tuple[int, int]]:
    covered = {i for s, e, _ in taken for i in range(s, e)}
    return [(t.idx, t.idx + len(t)) for t in nlp.tokenizer(text)
            if t.is_alpha and t.text.islower() and len(t) >= 4 and t.idx not in covered]


def spread(items: list[Any], k: int) -> list[Any]:
    if len(items) < k:
        raise SystemExit(f"corpus too small: need {k}, have {len(items)}")
    return [items[i * len(items) // k] for i in range(k)]


def large_text() -> str:
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    parts, size, i = [], 0, 0
    while size < 200_000:
        part = f"Part {i + 1}.\n\n" + seeds[i % len(seeds)]
        parts.append(part)
        size += len(part) + 2
        i += 1
    return "\n\n".join(parts)


def fill(url: str, with_large: bool) -> list[int]:
    """Migrate a fresh database, import the seeds (and the large article), add suggestions."""
    from annotator.core.document import NewDocument
    from annotator.core.span import SpanData
    from annotator.io.importer import import_paths
    from annotator.io.spacy_docs import Tokenizers
    from annotator.store import Store

    tokenizers = Tokenizers()  # the app's: one blank pipeline per document language
    store = Store.open(url)
    try:
        import_paths(store, [SEEDS])
        if with_large:
            store.import_documents([(NewDocument(large_text(), "synthetic-200k.txt", "en"), [])])
        batch = {}
        for doc in store.list_documents():
            text = store.view(doc.id, USER).text
            batch[doc.id] = [SpanData(s, e, lb) for s, e, lb in suggestions_for(tokenizers.get(doc.language), text)]
        store.replace_suggestions(batch, "bench@1")
        return [d.id for d in store.list_documents()]
    finally:
        store.close()


def plan(url: str, doc_ids: list[int], cycles: dict[int, int]) -> list[Article]:
    from annotator.io.spacy_docs import Tokenizers
    from annotator.store import Store

    tokenizers = Tokenizers()  # words are whole tokens of the document's own language, as the app snaps
    store = Store.open(url)
    try:
        out = []
        for doc_id in doc_ids:
            view = store.view(doc_id, USER)
            sugg = [(s.start, s.end, s.label) for s in view.suggestions]
            k = cycles[doc_id]
            nlp = tokenizers.get(view.info.language)
            out.append(Article(doc_id, view.info.source, spread(lowercase_words(nlp, view.text, sugg), k),
                               spread(sugg, k)))
        return out
    finally:
        store.close()


# -- instrumentation (wraps, at class level, before the window exists; annotator/ is untouched) ---


@dataclass
class Probe:
    paints: list[tuple[float, float]] = field(default_factory=list)  # ArticleView.paintEvent
    handlers: list[tuple[float, float]] = field(default_factory=list)  # Ops._deliver: result -> redraw
    keys: list[tuple[float, float]] = field(default_factory=list)  # QTest.keyClick: the key handler
    worker: list[tuple[float, float]] = field(default_factory=list)  # session.run_edit/run_revert
    gcs: list[tuple[float, float]] = field(default_factory=list)
    gc_pauses: list[tuple[float, int, str]] = field(default_factory=list)  # (ms, generation, thread), all run
    gc_threads: list[str] = field(default_factory=list)  # thread of each entry in gcs
    inside: dict[str, list[tuple[float, float]]] = field(
        default_factory=lambda: {p: [] for p in HANDLER_PARTS if p != "gc"})
    sql_on_gui_thread: int = 0
    gui_thread_calls: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    _gc_start: float = 0.0

    def install(self) -> None:
        from annotator.gui.article_view import ArticleView
        from annotator.gui.ops import Ops
        from annotator.gui.session import AnnotationSession

        def timed(cls: type, name: str, into: list[tuple[float, float]]) -> None:
            original = getattr(cls, name)

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                start = perf()
                try:
                    return original(*args, **kwargs)
                finally:
                    into.append((start, perf()))

            wrapper.__name__ = name
            setattr(cls, name, wrapper)

        timed(ArticleView, "paintEvent", self.paints)
        timed(Ops, "_deliver", self.handlers)
        timed(AnnotationSession, "run_edit", self.worker)
        timed(AnnotationSession, "run_revert", self.worker)
        from annotator.gui.document_panel import DocumentPanel
        from annotator.gui.editor_panel import EditorPanel

        timed(AnnotationSession, "applied", self.inside["applied"])
        timed(ArticleView, "update_spans", self.inside["spans"])
        timed(EditorPanel, "update_header", self.inside["header"])
        timed(DocumentPanel, "update_rows", self.inside["rows"])
        gc.callbacks.append(self._on_gc)
        probe = self

        class Recorder(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                probe.errors.append(f"log {record.levelname} {record.name}: {record.getMessage()}"
                                    + (f" [{record.exc_info[1]!r}]" if record.exc_info else ""))

        logging.getLogger("annotator").addHandler(Recorder(logging.WARNING))
        previous = sys.excepthook

        def hook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
            probe.errors.append(f"uncaught {kind.__name__}: {exc}")
            previous(kind, exc, tb)

        sys.excepthook = hook

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_start = perf()
        else:
            end = perf()
            self.gcs.append((self._gc_start, end))
            thread = "GUI thread" if threading.current_thread() is threading.main_thread() else "worker"
            self.gc_threads.append(thread)
            self.gc_pauses.append(((end - self._gc_start) * 1000, info.get("generation", -1), thread))

    def clear(self) -> None:
        for xs in (self.paints, self.handlers, self.keys, self.worker, self.gcs, self.gc_threads,
                   *self.inside.values()):
            xs.clear()


def counting_store_class() -> type:
    """A real ``Store`` that counts public calls made on the GUI (main) thread."""
    from annotator.store import Store

    class CountingStore(Store):
        probe: Probe

        def __getattribute__(self, name: str) -> Any:
            attr = super().__getattribute__(name)
            if name.startswith("_") or not callable(attr):
                return attr

            def counted(*args: Any, **kwargs: Any) -> Any:
                if threading.current_thread() is threading.main_thread():
                    calls = CountingStore.probe.gui_thread_calls
                    calls[name] = calls.get(name, 0) + 1
                return attr(*args, **kwargs)

            return counted

    return CountingStore


class Ticks:
    """A 1 ms precise QTimer; while recording, every gap between ticks is kept as (start, end)."""

    def __init__(self, interval_ms: int = 1) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.last = perf()
        self.recording = False
        self.gaps: list[tuple[float, float]] = []
        self.timer.start()

    def _tick(self) -> None:
        now = perf()
        if self.recording:
            self.gaps.append((self.last, now))
        self.last = now

    def begin(self) -> None:
        self.last = perf()
        self.recording = True

    def end(self) -> None:
        self.gaps.append((self.last, perf()))
        self.recording = False


def overlap(a: tuple[float, float], spans: list[tuple[float, float]]) -> float:
    return sum(max(0.0, min(a[1], b[1]) - max(a[0], b[0])) for b in spans)


def attribute(gap: tuple[float, float], probe: Probe) -> str:
    """What a long gap was spent on: the GUI-thread work that covers most of it, else gc, else the
    worker running (the GIL), else unknown (scheduler, or a Qt internal)."""
    length = gap[1] - gap[0]
    gcs = [(g, t) for g, t in zip(probe.gcs, probe.gc_threads, strict=True) if overlap(gap, [g]) > 0]
    if gcs and overlap(gap, [g for g, _ in gcs]) >= length / 2:  # a full collection stops every thread
        return f"gc pause ({gcs[0][1]})"
    gui = {"key handler": overlap(gap, probe.keys), "result handler": overlap(gap, probe.handlers),
           "paint": overlap(gap, probe.paints)}
    name, covered = max(gui.items(), key=lambda kv: kv[1])
    if covered >= length / 2:
        return name
    if overlap(gap, probe.worker) >= length / 2:
        return "worker busy (GIL/CPU)"
    return "unknown"


# -- one backend ------------------------------------------------------------------------------


OPS = ("add", "relabel", "delete", "undo", "confirm")
PARTS = ("key", "to worker", "worker", "to handler", "handler", "to paint", "paint")
# The result handler's own parts (GUI thread), timed by wrapping them: applied = AnnotationSession.applied
# (which spans changed), spans = ArticleView.update_spans, header = EditorPanel.update_header,
# rows = DocumentPanel.update_rows (the list row); gc = collections that ran inside the handler.
HANDLER_PARTS = ("applied", "spans", "header", "rows", "gc")


@dataclass
class Result:
    backend: str
    group: str
    gui: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in OPS})
    raw: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in OPS})
    worker: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in OPS})
    # Where each GUI edit's time went: key handler, waiting to start on the worker, the worker's store
    # calls, the queued signal back, the result handler (redraw of spans, list row, header), the paint.
    parts: dict[str, dict[str, list[float]]] = field(
        default_factory=lambda: {op: {p: [] for p in PARTS} for op in OPS})
    inside: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in HANDLER_PARTS})
    statements: dict[str, list[int]] = field(default_factory=lambda: {op: [] for op in OPS})  # raw, per edit
    checkouts: dict[str, list[int]] = field(default_factory=lambda: {op: [] for op in OPS})  # raw, per edit
    gaps: list[float] = field(default_factory=list)  # ms, while edits were in flight
    long_gaps: list[tuple[float, str, str]] = field(default_factory=list)  # (ms, op, attributed to)
    paint_ms: list[float] = field(default_factory=list)
    handler_ms: list[float] = field(default_factory=list)
    key_ms: list[float] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    gui_thread_calls: dict[str, int] = field(default_factory=dict)  # public Store calls on the GUI thread


class Bench:
    def __init__(self, app: Any, probe: Probe, ticks: Ticks, timeout: float) -> None:
        self.app, self.probe, self.ticks, self.timeout = app, probe, ticks, timeout

    def spin_until(self, cond: Callable[[], bool], timeout: float) -> bool:
        from PySide6.QtCore import QEventLoop

        deadline = perf() + timeout
        flags = QEventLoop.ProcessEventsFlag.AllEvents | QEventLoop.ProcessEventsFlag.WaitForMoreEvents
        while not cond():
            if perf() > deadline:
                return False
            self.app.processEvents(flags)
        return True

    def idle_gaps(self, seconds: float) -> list[float]:
        self.ticks.gaps.clear()
        self.ticks.begin()
        end = perf() + seconds
        self.spin_until(lambda: perf() > end, seconds + 5)
        self.ticks.end()
        return [(b - a) * 1000 for a, b in self.ticks.gaps]

    def timed_key(self, window: Any, res: Result, op: str, key: Any, modifier: Any,
                  drawn: Callable[[list[Any]], bool]) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        probe, article = self.probe, window.article
        probe.clear()
        self.ticks.gaps.clear()
        self.ticks.begin()
        start = perf()
        QTest.keyClick(article, key, modifier or Qt.KeyboardModifier.NoModifier)
        probe.keys.append((start, perf()))

        def done() -> bool:
            if not window.ops.idle() or not probe.handlers or not drawn(article.spans):
                return False
            handled = probe.handlers[-1][1]
            return any(p_end > handled for _, p_end in probe.paints)

        ok = self.spin_until(done, self.timeout)
        self.ticks.end()
        if not ok:
            res.lost.append(f"{op}: not drawn within {self.timeout:.0f} s (idle={window.ops.idle()}, "
                            f"status={window.statusBar().currentMessage()!r})")
            self.spin_until(window.ops.idle, 60)
            return
        handler = probe.handlers[-1]
        paint = next(p for p in probe.paints if p[1] > handler[1])
        res.gui[op].append((paint[1] - start) * 1000)
        if probe.worker:
            parts = res.parts[op]
            key_end, work = probe.keys[-1][1], probe.worker
            for name, value in (("key", key_end - start), ("to worker", work[0][0] - start),
                                ("worker", sum(b - a for a, b in work)), ("to handler", handler[0] - work[-1][1]),
                                ("handler", handler[1] - handler[0]), ("to paint", paint[0] - handler[1]),
                                ("paint", paint[1] - paint[0])):
                parts[name].append(value * 1000)
            for name, spans in probe.inside.items():
                res.inside[name].append(sum(overlap(handler, [x]) for x in spans) * 1000)
            res.inside["gc"].append(overlap(handler, probe.gcs) * 1000)
        res.worker[op].extend((b - a) * 1000 for a, b in probe.worker)
        res.paint_ms.extend((b - a) * 1000 for a, b in probe.paints)
        res.handler_ms.extend((b - a) * 1000 for a, b in probe.handlers)
        res.key_ms.extend((b - a) * 1000 for a, b in probe.keys)
        for gap in self.ticks.gaps:
            ms = (gap[1] - gap[0]) * 1000
            res.gaps.append(ms)
            if ms > FRAME_MS:
                res.long_gaps.append((ms, op, attribute(gap, probe)))

    def gui_cycle(self, window: Any, res: Result, word: tuple[int, int], sugg: tuple[int, int, str]) -> None:
        from PySide6.QtCore import Qt

        from annotator.core.span import Layer

        s, e = word
        ss, se, sl = sugg
        article = window.article

        def has(start: int, end: int, label: str) -> Callable[[list[Any]], bool]:
            return lambda spans: any((x.start, x.end, x.label, x.layer) == (start, end, label, Layer.HUMAN)
                                     for x in spans)

        article.select_range(s, e)
        self.timed_key(window, res, "add", Qt.Key.Key_1, None, has(s, e, "PERSON"))
        if article.selected_span is None or (article.selected_span.start, article.selected_span.end) != (s, e):
            drawn = next((x for x in article.spans if (x.start, x.end) == (s, e)), None)
            res.lost.append(f"add {s}-{e} {window.view.text[s:e]!r}: the new entity is "
                            + ("not selected afterwards" if drawn else "not there; cycle skipped"))
            if drawn is None:
                return
            article.select_span(drawn)
        self.timed_key(window, res, "relabel", Qt.Key.Key_3, None, has(s, e, "GPE"))
        self.timed_key(window, res, "delete", Qt.Key.Key_Delete, None,
                       lambda spans: not any(x.start < e and s < x.end for x in spans))
        self.timed_key(window, res, "undo", Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier, has(s, e, "GPE"))
        target = next((x for x in article.spans if (x.start, x.end, x.label, x.layer) == (ss, se, sl, Layer.MODEL)),
                      None)
        if target is None:
            res.lost.append(f"confirm: suggestion {ss}-{se} {sl} not shown")
            return
        article.select_span(target)  # as a click on it would
        self.timed_key(window, res, "confirm", Qt.Key.Key_Return, None, has(ss, se, sl))

    @staticmethod
    def raw_cycle(store: Any, doc: int, res: Result, word: tuple[int, int], sugg: tuple[int, int, str],
                  counter: dict[str, int]) -> None:
        from annotator.core.span import Layer

        s, e = word
        version = store.view(doc, USER).info.version

        def timed(op: str, call: Callable[[int], Any]) -> Any:
            nonlocal version
            counter.update(statements=0, checkouts=0)
            start = perf()
            changes = call(version)
            store.summary(doc)
            view = store.view(doc, USER)
            res.raw[op].append((perf() - start) * 1000)
            res.statements[op].append(counter["statements"])
            res.checkouts[op].append(counter["checkouts"])
            version = changes.versions[doc]
            return changes, view

        def human_at(view: Any, start: int, end: int) -> int:
            return next(x.id for x in view.confirmed if (x.start, x.end) == (start, end))

        _, view = timed("add", lambda v: store.add_span(doc, s, e, "PERSON", USER, expected_version=v))
        _, view = timed("relabel", lambda v: store.relabel_span(human_at(view, s, e), "GPE", USER,
                                                                expected_version=v))
        deleted, _ = timed("delete", lambda v: store.delete_span(human_at(view, s, e), USER, expected_version=v))
        timed("undo", lambda v: store.revert(deleted, expected_versions={doc: v}))
        view = store.view(doc, USER)
        sid = next(x.id for x in view.suggestions if (x.start, x.end, x.label, x.layer) == (*sugg, Layer.MODEL))
        timed("confirm", lambda v: store.confirm_suggestion(sid, USER, expected_version=v))

    def run_backend(self, name: str, gui_url: str, raw_url: str, groups: dict[str, list[Article]],
                    idle_seconds: float) -> tuple[list[Result], list[float]]:
        from sqlalchemy import event

        from annotator.gui.main_window import MainWindow
        from annotator.nlp.pipelines import Pipelines
        from annotator.store import Store

        counting = counting_store_class()
        counting.probe = self.probe  # type: ignore[attr-defined]
        gui_store = counting.open(gui_url)
        raw_store = Store.open(raw_url)
        counter = {"statements": 0, "checkouts": 0}  # SQL statements and pool checkouts of the raw store

        def count(key: str) -> Callable[..., None]:
            return lambda *_args, **_kw: counter.update({key: counter[key] + 1})

        event.listen(raw_store.engine, "before_cursor_execute", count("statements"))
        event.listen(raw_store.engine, "checkout", count("checkouts"))

        def gui_sql(*_args: Any, **_kw: Any) -> None:  # any SQL the window's store runs on the GUI thread
            if threading.current_thread() is threading.main_thread():
                self.probe.sql_on_gui_thread += 1

        event.listen(gui_store.engine, "before_cursor_execute", gui_sql)
        window = MainWindow(gui_store, USER, Pipelines())
        window.set_quiet()
        results = []
        try:
            window.show()
            window.windowHandle().requestActivate()  # Ctrl+Z is a window shortcut
            self.spin_until(lambda: window.isActiveWindow() and window.ops.idle(), 60)
            for group, articles in groups.items():
                res = Result(name, group)
                self.probe.gui_thread_calls.clear()
                self.probe.sql_on_gui_thread = 0
                for art in articles:
                    window.open_document(art.id)
                    self.spin_until(lambda a=art: window.ops.idle() and window.view is not None
                                    and window.view.info.id == a.id, 120)
                    self.spin_until(lambda: False, 0.2)  # let the first paint of the article happen
                    for word, sugg in zip(art.words, art.suggestions, strict=True):
                        self.raw_cycle(raw_store, art.id, res, word, sugg, counter)
                    for word, sugg in zip(art.words, art.suggestions, strict=True):
                        self.gui_cycle(window, res, word, sugg)
                res.gui_thread_calls = dict(self.probe.gui_thread_calls)
                if self.probe.sql_on_gui_thread:
                    res.gui_thread_calls["(SQL statements)"] = self.probe.sql_on_gui_thread
                results.append(res)
            idle = self.idle_gaps(idle_seconds)
            return results, idle
        finally:
            window.close()
            self.spin_until(lambda: False, 0.1)
            gui_store.close()
            raw_store.close()


# -- main -------------------------------------------------------------------------------------


def cycles_for(doc_ids: list[int], n: int) -> dict[int, int]:
    k = len(doc_ids)
    return {d: n // k + (1 if i < n % k else 0) for i, d in enumerate(doc_ids)}


def measure_rtt(url: str, repeat: int = 20) -> float:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            times = []
            for _ in range(repeat):
                start = perf()
                conn.execute(text("SELECT 1")).all()
                times.append((perf() - start) * 1000)
        return statistics.median(times)
    finally:
        engine.dispose()


def print_tables(results: list[Result], idle: dict[str, list[float]], probe: Probe, notes: list[str]) -> None:
    print()
    print("Keystroke -> repaint, ms (GUI: key press until ops idle + entity in the article + its paint;")
    print("raw: the same store calls made directly: the edit, summary(), view(); same backend, same proxy)")
    head = (f"{'backend':<22} {'article':<8} {'edit':<8} {'N':>3} {'GUI p50':>8} {'GUI p95':>8} {'raw p50':>8} "
            f"{'raw p95':>8} {'x p50':>6} {'x p95':>6} {'worker p50':>10}")
    print(head)
    print("-" * len(head))
    for r in results:
        for op in OPS:
            g, w, k = r.gui[op], r.raw[op], r.worker[op]
            print(f"{r.backend:<22} {r.group:<8} {op:<8} {len(g):>3} {pct(g, 50):8.1f} {pct(g, 95):8.1f} "
                  f"{pct(w, 50):8.1f} {pct(w, 95):8.1f} {pct(g, 50) / pct(w, 50):6.2f} "
                  f"{pct(g, 95) / pct(w, 95):6.2f} {pct(k, 50):10.1f}")
    print()
    print("Where the GUI time goes, p50 ms: key handler | until the worker starts | worker (edit, summary, view)"
          " | queued signal back | result handler (redraw spans, list row, header) | until the paint | paint;"
          " then SQL statements and pool checkouts (pre-ping on PostgreSQL) per raw edit, median")
    head = (f"{'backend':<22} {'article':<8} {'edit':<8} " + " ".join(f"{p:>10}" for p in PARTS)
            + f" {'stmts':>5} {'chkout':>6}")
    print(head)
    print("-" * len(head))
    for r in results:
        for op in OPS:
            stmts, chk = statistics.median(r.statements[op] or [0]), statistics.median(r.checkouts[op] or [0])
            print(f"{r.backend:<22} {r.group:<8} {op:<8} " + " ".join(f"{pct(r.parts[op][p], 50):10.1f}" for p in PARTS)
                  + f" {stmts:5.0f} {chk:6.0f}")
    print()
    print("Inside the result handler (GUI thread), ms, p50 / max: " + ", ".join(HANDLER_PARTS))
    head = f"{'backend':<22} {'article':<8} " + " ".join(f"{p:>15}" for p in ("handler", *HANDLER_PARTS))
    print(head)
    print("-" * len(head))
    for r in results:
        cols = [r.handler_ms] + [r.inside[p] for p in HANDLER_PARTS]
        print(f"{r.backend:<22} {r.group:<8} "
              + " ".join(f"{pct(c, 50):7.1f} /{max(c, default=0):6.1f}" for c in cols))
    print()
    print("Event-loop gaps on the GUI thread (1 ms QTimer), ms: while edits were in flight, and with nothing")
    print("in flight (3 s idle). Long gaps (> 16 ms) attributed by what the GUI thread was doing meanwhile.")
    head = (f"{'backend':<22} {'article':<8} {'ticks':>6} {'max':>7} {'p99':>6} {'>16ms':>6}  "
            f"{'paint max':>9} {'handler max':>11} {'key max':>7}  long gaps were")
    print(head)
    print("-" * len(head))
    for r in results:
        kinds: dict[str, int] = {}
        for _, _, kind in r.long_gaps:
            kinds[kind] = kinds.get(kind, 0) + 1
        what = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1])) or "-"
        print(f"{r.backend:<22} {r.group:<8} {len(r.gaps):>6} {max(r.gaps, default=0):7.1f} {pct(r.gaps, 99):6.1f} "
              f"{sum(g > FRAME_MS for g in r.gaps):>6}  {max(r.paint_ms, default=0):9.1f} "
              f"{max(r.handler_ms, default=0):11.1f} {max(r.key_ms, default=0):7.1f}  {what}")
    for backend, gaps in idle.items():
        print(f"{backend:<22} {'idle':<8} {len(gaps):>6} {max(gaps, default=0):7.1f} {pct(gaps, 99):6.1f} "
              f"{sum(g > FRAME_MS for g in gaps):>6}")
    print()
    for r in results:
        if r.long_gaps:
            worst = sorted(r.long_gaps, reverse=True)[:5]
            print(f"worst gaps, {r.backend} / {r.group}: "
                  + "; ".join(f"{ms:.1f} ms during {op} ({kind})" for ms, op, kind in worst))
    calls = [f"{r.backend}/{r.group}: " + ", ".join(f"{k} x{n}" for k, n in sorted(r.gui_thread_calls.items()))
             for r in results if r.gui_thread_calls]
    print("Public Store calls made on the GUI thread while editing: " + ("; ".join(calls) if calls else "none"))
    lost = [f"{r.backend}/{r.group}: {x}" for r in results for x in r.lost]
    print("Keys lost or not drawn: " + ("; ".join(lost) if lost else "none"))
    print("Errors logged or raised: " + ("; ".join(probe.errors[:10]) if probe.errors else "none"))
    pauses = sorted(probe.gc_pauses, reverse=True)
    gen2 = [ms for ms, gen, _ in pauses if gen == 2]
    if pauses:
        print(f"Garbage collections during the run: {len(pauses)}, {len(gen2)} of generation 2 "
              f"(longest {max(gen2, default=0):.0f} ms); longest: "
              + ", ".join(f"{ms:.0f} ms gen{gen} on the {thread}" for ms, gen, thread in pauses[:4]))
    start = perf()
    gc.collect()
    print(f"Heap at the end: {len(gc.get_objects()):,} objects tracked by the gc; one full collection took "
          f"{(perf() - start) * 1000:.0f} ms")
    for note in notes:
        print(note)


def stop_quietly(stop: Callable[[], None], what: str) -> None:
    """Clean-up must not hide the error that brought us here: say it failed, go on cleaning."""
    try:
        stop()
    except Exception as exc:  # noqa: BLE001
        print(f"could not stop {what}: {exc}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="edit cycles per backend and article group (each op N)")
    parser.add_argument("--delay-ms", type=float, default=25.0, help="proxy delay, each direction")
    parser.add_argument("--no-large", action="store_true", help="skip the synthetic ~200 kB article")
    parser.add_argument("--no-direct", action="store_true", help="skip PostgreSQL without the proxy")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--tick-ms", type=int, default=1, help="interval of the event-loop probe timer")
    parser.add_argument("--idle", type=float, default=3.0, help="seconds of idle event loop measured")
    parser.add_argument("--proxy", nargs=2, metavar=("UPSTREAM_PORT", "DELAY_MS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.proxy:
        proxy_main(int(args.proxy[0]), float(args.proxy[1]))
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up (finally) when killed politely

    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from tests.postgres import ThrowawayPostgres, pg_bin

    probe = Probe()
    probe.install()
    app = QApplication.instance() or QApplication([])
    load_before = os.getloadavg()[0]
    notes: list[str] = []
    results: list[Result] = []
    idle: dict[str, list[float]] = {}
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="annotator-bench-")))
        QCoreApplication.setOrganizationName("annotator-bench")
        QCoreApplication.setApplicationName("gui-latency")
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "settings"))
        bench = Bench(app, probe, Ticks(args.tick_ms), timeout=60.0)
        with_large = not args.no_large

        def backend(name: str, gui_url: str, raw_url: str, setup_gui: str, setup_raw: str) -> None:
            doc_ids = fill(setup_gui, with_large)
            if fill(setup_raw, with_large) != doc_ids:
                raise SystemExit("the two databases got different document ids")
            seeds, large = doc_ids[:5], doc_ids[5:]
            groups = {"seeds": plan(setup_gui, seeds, cycles_for(seeds, args.n))}
            if large:
                groups["200 kB"] = plan(setup_gui, large, cycles_for(large, args.n))
            print(f"{name}: {args.n} cycles x {len(OPS)} edits per article group ...", flush=True)
            started = perf()
            res, gaps = bench.run_backend(name, gui_url, raw_url, groups, args.idle)
            print(f"  done in {perf() - started:.0f} s", flush=True)
            results.extend(res)
            idle[name] = gaps

        gui_db, raw_db = f"sqlite:///{tmp / 'gui.sqlite3'}", f"sqlite:///{tmp / 'raw.sqlite3'}"
        backend("SQLite file", gui_db, raw_db, gui_db, raw_db)

        bin_dir = None if args.sqlite_only else pg_bin()
        if args.sqlite_only:
            pass
        elif bin_dir is None:
            notes.append("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb): SQLite only.")
            print(notes[-1], flush=True)
        if bin_dir is not None:
            server = ThrowawayPostgres(bin_dir)
            stack.callback(stop_quietly, server.stop, "the PostgreSQL server")  # also removes its folder
            server.start()
            if not args.no_direct:
                gui_url, raw_url = server.create_database("gui_direct"), server.create_database("raw_direct")
                backend("PostgreSQL direct", gui_url, raw_url, gui_url, raw_url)
            proxy = DelayProxy(server.port, args.delay_ms)
            stack.callback(stop_quietly, proxy.stop, "the proxy")
            gui_url, raw_url = server.create_database("gui_proxy"), server.create_database("raw_proxy")

            def via_proxy(url: str) -> str:
                return url.replace(f":{server.port}/", f":{proxy.port}/")

            rtt_direct, rtt_proxy = measure_rtt(server.url()), measure_rtt(via_proxy(server.url()))
            notes.append(f"PostgreSQL round trip (SELECT 1 on an open connection, median): direct "
                         f"{rtt_direct:.2f} ms, through the proxy {rtt_proxy:.1f} ms "
                         f"(proxy set to {args.delay_ms:g} ms each way).")
            backend(f"PG +{args.delay_ms:g}ms/way proxy", via_proxy(gui_url), via_proxy(raw_url), gui_url, raw_url)
        notes.append(f"Machine: {os.cpu_count()} CPUs, load average (1 min) {load_before:.1f} at the start, "
                     f"{os.getloadavg()[0]:.1f} at the end (other processes share the CPUs: figures are noisier "
                     "when it exceeds the CPU count).")
        print_tables(results, idle, probe, notes)


if __name__ == "__main__":
    main()

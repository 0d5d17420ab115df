"""Import files and folders into the store, streaming: records are read, checked and written in
bounded batches (``Store.begin_import``), so memory does not grow with the corpus and editors are
never locked out. Nobody sees a document before the whole import is published; a single malformed
file or line refuses the import (every problem is still reported) and removes what it had written,
leaving the store exactly as it was. Cancel (between batches) does the same.

Lossless by default: spans are stored exactly as the file gives them; whitespace at an edge, spans
off the token boundaries and overlapping spans are counted in the report and mark their document
"needs attention" (``Store.needing_attention``). ``strict`` refuses them instead. A text already in
the store gains (or updates) the layers the file brings it; the same text twice merges.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.errors import InputRefused, Problem
from annotator.core.imported import Annotation, ImportItem
from annotator.core.plural import plural
from annotator.core.progress import CancelToken, ProgressSink, no_progress
from annotator.core.span import Layer, SpanData
from annotator.io import readers
from annotator.io.alignment import Judge, QuickAlignment, tokens_of
from annotator.io.docbin_reader import read_docbin
from annotator.io.input_files import InputFile, collect_files
from annotator.io.jsonl import iter_jsonl
from annotator.io.language import detect_languages
from annotator.io.readers import FORMATS, SUFFIXES, FormatRefused, brat, conll
from annotator.io.readers.base import ReadContext, Record, left_out_warning, store_problems
from annotator.io.text_files import read_text
from annotator.store import Store
from annotator.store.bulk import StagedImport
from annotator.store.records import ImportReport

__all__ = ["FORMATS", "SUFFIXES", "BatchLimits", "ImportOptions", "QuickAlignment", "collect_files",
           "import_paths", "iter_inputs"]


@dataclass(frozen=True)
class ImportOptions:
    language: str | None = None  # force a language instead of detecting one per document
    as_predictions: bool = False  # spans in the files are a model's, not a person's
    author: str = "import"  # the importing user, or the model name with as_predictions
    format: str | None = None  # one of readers.FORMATS for every file, instead of choosing per file
    strict: bool = False  # refuse spans that are not clean entities instead of keeping and marking them
    status: DocumentStatus | None = None  # the status of every document the import adds or gives a layer
    rename: Mapping[str, str] = field(default_factory=dict)  # the files' label -> the label stored (PER=PERSON)


@dataclass(frozen=True)
class BatchLimits:
    """A batch is written (one short transaction) when it reaches any of these; they bound both the
    importer's memory and how long it holds the database's write lock."""

    documents: int = 250
    spans: int = 5_000
    characters: int = 1_000_000


def _records(path: Path, source: str, fmt: str, ctx: ReadContext) -> Iterator[tuple[Record, int]]:
    if fmt == "text":
        result = read_text(path, source)
        if isinstance(result, Problem):
            ctx.problems.append(result)
            return
        text, had_bom = result
        yield Record(1, text, None, {}, None, None, name=source, had_bom=had_bom), _size(path)
    elif fmt == "spacy":
        records, found = read_docbin(path, source)
        ctx.problems.extend(found)
        yield from ((rec, 0) for rec in records)
    elif fmt == "conll":
        yield from conll.read(path, ctx)
    elif fmt == "brat":
        yield from brat.read(path, ctx)
    elif fmt in ("json", "label-studio", "spacy-json"):
        yield from readers.json_records(path, ctx)
    elif path.suffix.lower() == ".json":  # prodigy / doccano forced on a JSON array
        yield from readers.json_records(path, ctx, fmt)
    else:
        yield from iter_jsonl(path, ctx, None if fmt == "jsonl" else fmt)


# Records whose languages are identified together (``detect_languages``: one scoring of them all, a
# third of the time of one by one). Only when no check of theirs can add a problem (not strict): a strict
# check that refuses a span must come before the problems of the lines read after it.
LANGUAGE_BATCH = 64


def iter_inputs(files: Sequence[InputFile], options: ImportOptions, problems: list[Problem],
                warnings: list[Problem] | None = None, skipped: list[int] | None = None,
                together: int = 1) -> Iterator[tuple[ImportItem, int]]:
    """Every document of ``files`` with its layers, judged, one at a time, with the bytes of input
    read so far; what is wrong goes to ``problems`` (and is not yielded), what was skipped to
    ``warnings`` (and the number of empty tasks skipped to ``skipped[0]``). Holds one record at a time
    (``.spacy`` and ``.json`` files are read whole), or up to ``together`` whose languages are then
    identified together (never when strict: see ``LANGUAGE_BATCH``)."""
    judge = Judge(options.strict)
    renamed: dict[str, int] = {}  # spans relabelled by --rename, by the file's label
    done = 0
    ctx: ReadContext | None = None
    layer = Layer.MODEL if options.as_predictions else Layer.HUMAN
    together = 1 if options.strict or options.language else max(1, together)
    for path, source in files:
        before = _identity(path)
        size = before[0] if before is not None else 0  # what _size says, from the same stat
        if skipped is not None and ctx is not None:
            skipped[0] += ctx.skipped
        ctx = ReadContext(source, problems, [] if warnings is None else warnings, options.strict)
        try:
            fmt = readers.format_of(path, options.format)
        except FormatRefused as exc:
            problems.append(Problem(source, str(exc)))
            done += size
            continue
        checked = fmt in ("jsonl", "prodigy", "doccano", "spacy")  # their readers check every field
        pending: list[tuple[Record, list[Annotation], int]] = []
        for rec, offset in _records(path, source, fmt, ctx):
            if options.rename:
                _rename(rec, options.rename, renamed)
            if not checked and (found := store_problems(rec, source)):
                problems.extend(found)
                continue
            annotations = list(rec.annotations)
            if rec.spans is not None:  # given, even empty: the document was looked at
                annotations.insert(0, Annotation(layer, None, list(rec.spans)))
            pending.append((rec, annotations, done + min(offset, size)))
            if len(pending) >= together:
                yield from _judged(pending, options, judge, source, problems)
                pending = []
        yield from _judged(pending, options, judge, source, problems)
        if (said := left_out_warning(ctx)) is not None and warnings is not None:
            warnings.append(said)
        if (after := _identity(path)) != before:
            problems.append(Problem(source, f"changed while it was being read ({_change(before, after)}): another "
                                            "program is writing or replacing it; import it again once it is complete"))
        done += size
    if skipped is not None and ctx is not None:
        skipped[0] += ctx.skipped
    for old, new in options.rename.items():  # a typo must not pass for a rename done (as export refuses one)
        if not renamed.get(old):
            problems.append(Problem("--rename", f"no span in the files is labelled {old!r}, so nothing would be "
                                                f"renamed to {new!r}: check the spelling (labels are as the "
                                                "files write them)"))


def _rename(rec: Record, rename: Mapping[str, str], renamed: dict[str, int]) -> None:
    """The record's spans (every layer, rejections too) with the labels ``rename`` maps, counted."""
    def relabel(spans: list[SpanData]) -> list[SpanData]:
        out = []
        for sp in spans:
            new = rename.get(sp.label)
            if new is not None:
                renamed[sp.label] = renamed.get(sp.label, 0) + 1
                sp = SpanData(sp.start, sp.end, new)
            out.append(sp)
        return out

    if rec.spans is not None:
        rec.spans = relabel(rec.spans)
    for annotation in rec.annotations:
        annotation.spans, annotation.rejected = relabel(annotation.spans), relabel(annotation.rejected)


def _judged(pending: list[tuple[Record, list[Annotation], int]], options: ImportOptions, judge: Judge,
            source: str, problems: list[Problem]) -> Iterator[tuple[ImportItem, int]]:
    """The records read, in order, with their languages (identified together) and spans judged."""
    found_languages = iter(detect_languages([rec.text for rec, _, _ in pending
                                             if not (options.language or rec.language)]))
    for rec, layers, position in pending:
        language = options.language or rec.language or next(found_languages)
        attention, found = judge(rec, layers, language, source)
        if found:
            problems.extend(found)
            continue
        meta = rec.meta
        if rec.tokens is not None and tokens_of(meta) is None:
            meta = {**meta, "tokens": [list(t) for t in rec.tokens]}
        status = options.status or rec.status or _status_for(rec.spans is not None, layers, options)
        doc_source = str(rec.meta.get("source") or rec.name or f"{source}:{rec.line}")
        doc = NewDocument(rec.text, doc_source, language, status, had_bom=rec.had_bom, meta=meta)
        yield ImportItem(doc, layers, attention), position


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    """What tells that a file changed while it was read: its size, time, inode and device."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev


def _change(before: tuple[int, int, int, int] | None, after: tuple[int, int, int, int] | None) -> str:
    if before is None or after is None:
        return "it appeared" if before is None else "it was removed"
    if before[2:] != after[2:]:
        return "it was replaced by another file"
    if before[0] != after[0]:
        return f"{before[0]:,} bytes when the import began, {after[0]:,} at the end"
    return "it was written to"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _status_for(given: bool, annotations: list[Annotation], options: ImportOptions) -> DocumentStatus:
    layers = {a.layer for a in annotations if a}
    if not given and not layers:
        return DocumentStatus.NEW
    if layers == {Layer.MODEL} or (not layers and options.as_predictions):
        return DocumentStatus.PREANNOTATED  # only a model's suggestions: nobody has looked yet
    return DocumentStatus.IN_PROGRESS


def import_paths(
    store: Store,
    paths: Sequence[str | os.PathLike[str]],
    options: ImportOptions = ImportOptions(),
    progress: ProgressSink = no_progress,
    cancel: CancelToken | None = None,
    limits: BatchLimits = BatchLimits(),
) -> ImportReport:
    """Import ``paths`` all-or-nothing. Raises ``InputRefused`` (every problem, nothing imported) or
    ``Cancelled`` (nothing imported); progress is reported in bytes of input, batch by batch."""
    cancel = cancel or CancelToken()
    files, problems = collect_files(paths, options.format)
    warnings: list[Problem] = []
    skipped = [0]
    store.sweep_imports(progress=progress)  # what an interrupted import left goes first
    total = max(1, sum(_size(path) for path, _ in files))
    layer = Layer.MODEL if options.as_predictions else Layer.HUMAN
    with store.begin_import(layer=layer, author=options.author, status=options.status) as staged:
        # Only where other writers are not locked out meanwhile: on SQLite (one writer at a time) batches
        # written back to back would leave an editor no gap to save in.
        writer = _Writer(staged, background=store.engine.dialect.name != "sqlite")
        try:
            report = _stream(files, options, problems, warnings, skipped, writer, progress, cancel, limits, total)
        except BaseException:
            writer.close(quiet=True)  # the batch in flight ends before the import aborts and removes its rows
            raise
        writer.close()
    report.warnings, report.skipped = [str(w) for w in warnings], skipped[0]
    return report


def _stream(files: Sequence[InputFile], options: ImportOptions, problems: list[Problem], warnings: list[Problem],
            skipped: list[int], writer: _Writer, progress: ProgressSink, cancel: CancelToken, limits: BatchLimits,
            total: int) -> ImportReport:
    """Read, check and hand over every batch, then publish (``import_paths``)."""
    staged = writer.staged
    batch: list[ImportItem] = []
    spans = characters = seen = 0
    for item, done in iter_inputs(files, options, problems, warnings, skipped, LANGUAGE_BATCH):
        seen += 1
        if problems:  # refused already: check the rest (to report every problem), write nothing more
            batch.clear()
            if seen % limits.documents == 0:
                progress(min(done, total), total, f"checking {item.document.source}")
                cancel.raise_if_cancelled()
            continue
        batch.append(item)
        spans += item.span_count
        characters += len(item.document.text)
        if len(batch) >= limits.documents or spans >= limits.spans or characters >= limits.characters:
            cancel.raise_if_cancelled()
            writer.add(batch)
            batch, spans, characters = [], 0, 0
            progress(min(done, total), total, f"importing {item.document.source}: "
                                              f"{plural(len(staged.report.added), 'new document')} so far")
    if problems:
        raise InputRefused(problems)  # the import aborts: what it wrote is removed
    cancel.raise_if_cancelled()
    writer.add(batch)
    writer.wait()
    progress(total, total, f"checked; publishing {plural(len(staged.report.added), 'new document')}")
    cancel.raise_if_cancelled()
    return staged.publish()


class _Writer:
    """Writes each batch (``StagedImport.add``: one short transaction), with ``background`` on a thread
    of its own while the caller reads and checks the next one: the database drivers let go of the
    interpreter while the database works, so reading and identifying languages overlap the writes. One
    batch at most waits (memory stays bounded, transactions as short as before); a failed write comes
    out of the next ``add``, ``wait`` or ``close``, and the import aborts as it always did."""

    def __init__(self, staged: StagedImport, background: bool = True) -> None:
        self.staged = staged
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer") if background else None
        self._pending: Future[None] | None = None

    def add(self, batch: list[ImportItem]) -> None:
        self.wait()
        if self._pool is None:
            self.staged.add(batch)
        else:
            self._pending = self._pool.submit(self.staged.add, batch)

    def wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self, quiet: bool = False) -> None:
        """Wait for the batch in flight; ``quiet``: its error (if any) gives way to the one being raised."""
        try:
            self.wait()
        except BaseException:
            if not quiet:
                raise
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True)

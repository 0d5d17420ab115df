"""Import files and folders into the store, streaming: records are read, checked and written in
bounded batches (``Store.begin_import``), so memory does not grow with the corpus and editors are
never locked out. Nobody sees a document before the whole import is published; a single bad file or
line refuses the import (every problem is still reported) and removes what it had written, leaving
the store exactly as it was. Cancel (between batches) does the same.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.errors import InputRefused, Problem
from annotator.core.language import detect_language
from annotator.core.limits import shown
from annotator.core.progress import CancelToken, ProgressSink, no_progress
from annotator.core.span import Layer, SpanData
from annotator.io.docbin_reader import read_docbin
from annotator.io.jsonl import JsonlRecord, _parse_line
from annotator.io.spacy_docs import Tokenizers
from annotator.io.text_files import read_text
from annotator.store import Store
from annotator.store.records import ImportReport

TEXT_SUFFIXES = {".txt"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
DOCBIN_SUFFIXES = {".spacy"}
SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES | DOCBIN_SUFFIXES


@dataclass(frozen=True)
class ImportOptions:
    language: str | None = None  # force a language instead of detecting one per document
    as_predictions: bool = False  # spans in the files are a model's, not a person's
    author: str = "import"  # the importing user, or the model name with as_predictions


def collect_files(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """Files to import with the name each is recorded under. Folders are walked (sorted, hidden files
    skipped); an explicit file of an unknown type or a missing path is a problem, not a silent skip."""
    files: list[tuple[Path, str]] = []
    problems: list[Problem] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                problems.append(Problem(str(path), "folder holds no .txt, .jsonl or .spacy files"))
            files.extend((p, str(Path(path.name) / p.relative_to(path))) for p in found)
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                suffix = path.suffix or "(none)"
                problems.append(Problem(str(path), f"unsupported file type '{suffix}' (use .txt, .jsonl or .spacy)"))
            else:
                files.append((path, path.name))
        else:
            problems.append(Problem(str(path), "does not exist"))
    return files, problems


@dataclass(frozen=True)
class BatchLimits:
    """A batch is written (one short transaction) when it reaches any of these; they bound both the
    importer's memory and how long it holds the database's write lock."""

    documents: int = 250
    spans: int = 5_000
    characters: int = 1_000_000


Item = tuple[NewDocument, list[SpanData]]

_CHUNK = re.compile(r"\S+")  # \s is str.isspace(): the tokenizer's own split


class QuickAlignment:
    """Whether every span starts and ends on a token boundary, tokenizing only the whitespace-delimited
    chunks that hold a span's start or end, each distinct chunk once per import.

    spaCy's tokenizer splits the text on whitespace first and tokenizes every chunk on its own (affixes,
    infixes, special cases, URL rules all apply within a chunk), so a chunk's token boundaries do not
    depend on the rest of the text: the answer is the full tokenization's, at a small part of its cost
    (the chunks around entities repeat across a corpus). ``misaligned()`` stays the judge: it is asked
    (tokenizing the whole document once) whenever this check finds a span off the boundaries, and it
    writes the messages.
    """

    def __init__(self, tokenizers: Tokenizers, cache_size: int = 100_000) -> None:
        self.tokenizers, self.cache_size = tokenizers, cache_size
        self._cuts: dict[str, dict[str, tuple[int, ...]]] = {}  # language -> chunk -> token starts in it
        self._cached = 0

    def aligned(self, text: str, spans: Sequence[SpanData], language: str) -> bool:
        n = len(text)
        for span in spans:
            start, end = span.start, span.end
            if start > 0 and not text[start - 1].isspace() and not self._cut(text, start, start, language):
                return False
            if end < n and not text[end].isspace() and not self._cut(text, end, end - 1, language):
                return False
        return True

    def _cut(self, text: str, pos: int, inside: int, language: str) -> bool:
        """Whether ``pos`` is a token boundary of the chunk holding the character at ``inside``."""
        if text[inside].isspace():
            return False  # a span edge on whitespace: let misaligned() judge
        first = inside
        while first > 0 and not text[first - 1].isspace():
            first -= 1
        match = _CHUNK.match(text, inside)
        last = match.end() if match is not None else inside + 1
        return pos in (first, last) or pos - first in self._chunk_cuts(text[first:last], language)

    def _chunk_cuts(self, chunk: str, language: str) -> tuple[int, ...]:
        known = self._cuts.setdefault(language, {})
        cuts = known.get(chunk)
        if cuts is None:
            doc = self.tokenizers.get(language).tokenizer(chunk)  # the tokenizer alone: no max_length
            cuts = tuple(t.idx for t in doc)
            if self._cached >= self.cache_size:  # bounded: a long import's memory stays flat
                self._cuts, self._cached = {}, 0
                known = self._cuts.setdefault(language, {})
            known[chunk] = cuts
            self._cached += 1
        return cuts


def iter_inputs(
    files: Sequence[tuple[Path, str]], options: ImportOptions, problems: list[Problem]
) -> Iterator[tuple[Item, int]]:
    """Every document of ``files`` with its spans, checked, one at a time, with the bytes of input
    read so far; what is wrong goes to ``problems`` (and is not yielded). Holds one record at a time
    (a ``.spacy`` file is read whole: DocBin has no streaming reader)."""
    tokenizers = Tokenizers()
    quick = QuickAlignment(tokenizers)
    done = 0
    for path, source in files:
        size = _size(path)
        if path.suffix.lower() in TEXT_SUFFIXES:
            result = read_text(path, source)
            done += size
            if isinstance(result, Problem):
                problems.append(result)
                continue
            text, had_bom = result
            language = options.language or detect_language(text)
            yield (NewDocument(text, source, language, had_bom=had_bom), []), done
            continue
        if path.suffix.lower() in DOCBIN_SUFFIXES:
            records, found = read_docbin(path, source)
            problems.extend(found)
            stream: Iterator[tuple[JsonlRecord, int]] = ((rec, 0) for rec in records)
        else:
            stream = _jsonl_records(path, source, problems)
        for rec, offset in stream:
            spans = rec.spans or []
            status = rec.status or _status_for(rec.spans, options)
            language = options.language or rec.language or detect_language(rec.text)
            aligned = quick.aligned(rec.text, spans, language)
            found_here = [] if aligned else misaligned(rec, language, tokenizers, source)
            if found_here:
                problems.extend(found_here)
                continue
            doc_source = str(rec.meta.get("source") or f"{source}:{rec.line}")
            yield (NewDocument(rec.text, doc_source, language, status, meta=rec.meta), spans), done + offset
        done += size


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _jsonl_records(path: Path, source: str, problems: list[Problem]) -> Iterator[tuple[JsonlRecord, int]]:
    """``jsonl.read_jsonl`` a line at a time (it reads the whole file and keeps every record): the same
    lines, numbers, checks and messages, with the bytes read so far."""
    before = len(problems)
    found = False
    try:
        with open(path, "rb") as handle:
            offset = 0
            for line_no, raw in enumerate(handle, start=1):
                offset += len(raw)
                if line_no == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8):]
                raw = raw.removesuffix(b"\n")
                if not raw.strip():
                    continue
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    problems.append(Problem(source, f"is not valid UTF-8 (byte offset {exc.start} in the line)",
                                            line=line_no))
                    continue
                record = _parse_line(line, line_no, source, problems)
                if record is not None:
                    found = True
                    yield record, offset
    except OSError as exc:
        problems.append(Problem(source, f"cannot be read: {exc.strerror or exc}"))
        return
    if not found and len(problems) == before:
        problems.append(Problem(source, "holds no documents (no non-empty lines)"))


def misaligned(rec: JsonlRecord, language: str, tokenizers: Tokenizers, source: str) -> list[Problem]:
    """Spans that do not start and end on token boundaries of the language's tokenizer: spaCy could
    not train on them, and the editor could not show them as whole tokens. Tokens only, so documents
    of any length are checked (``make_doc`` would refuse those over ``nlp.max_length``)."""
    if not rec.spans:
        return []
    doc = tokenizers.tokenize(language, rec.text)
    out = []
    for i, s in enumerate(rec.spans):
        if doc.char_span(s.start, s.end) is None:
            near = doc.char_span(s.start, s.end, alignment_mode="expand")
            hint = f"; the nearest token boundaries give {shown(near.text)}" if near is not None else ""
            out.append(rec.problem(source, f"span {s.start}-{s.end} {shown(rec.text[s.start:s.end])} ({s.label}) "
                                           f"does not match token boundaries{hint}", f"{rec.span_field}[{i}]"))
    return out


def _status_for(spans: list[SpanData] | None, options: ImportOptions) -> DocumentStatus:
    if spans is None:
        return DocumentStatus.NEW
    return DocumentStatus.PREANNOTATED if options.as_predictions else DocumentStatus.IN_PROGRESS


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
    files, problems = collect_files(paths)
    store.sweep_imports(progress=progress)  # what an interrupted import left goes first
    total = max(1, sum(_size(path) for path, _ in files))
    layer = Layer.MODEL if options.as_predictions else Layer.HUMAN
    with store.begin_import(layer=layer, author=options.author) as staged:
        batch: list[Item] = []
        spans = characters = seen = 0
        for (doc, doc_spans), done in iter_inputs(files, options, problems):
            seen += 1
            if problems:  # refused already: check the rest (to report every problem), write nothing more
                batch.clear()
                if seen % limits.documents == 0:
                    progress(min(done, total), total, f"checking {doc.source}")
                    cancel.raise_if_cancelled()
                continue
            batch.append((doc, doc_spans))
            spans += len(doc_spans)
            characters += len(doc.text)
            if len(batch) >= limits.documents or spans >= limits.spans or characters >= limits.characters:
                cancel.raise_if_cancelled()
                staged.add(batch)
                batch, spans, characters = [], 0, 0
                progress(min(done, total), total, f"importing {doc.source}: {len(staged.report.added)} new "
                                                  "document(s) so far")
        if problems:
            raise InputRefused(problems)  # the import aborts: what it wrote is removed
        cancel.raise_if_cancelled()
        staged.add(batch)
        progress(total, total, f"checked; publishing {len(staged.report.added)} new document(s)")
        cancel.raise_if_cancelled()
        return staged.publish()

"""Import files and folders into the store: everything is read and checked first, then written in one
transaction, so a single bad file or line leaves the store exactly as it was."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.errors import InputRefused, Problem
from annotator.core.language import detect_language
from annotator.core.limits import shown
from annotator.core.progress import ProgressSink, no_progress
from annotator.core.span import Layer, SpanData
from annotator.io.docbin_reader import read_docbin
from annotator.io.jsonl import JsonlRecord, read_jsonl
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


def read_inputs(
    paths: Sequence[str | os.PathLike[str]], options: ImportOptions, progress: ProgressSink = no_progress
) -> list[tuple[NewDocument, list[SpanData]]]:
    """Read and check every file; raise ``InputRefused`` listing all problems if there is any."""
    files, problems = collect_files(paths)
    tokenizers = Tokenizers()
    items: list[tuple[NewDocument, list[SpanData]]] = []
    for n, (path, source) in enumerate(files, start=1):
        progress(n - 1, len(files), f"reading {source}")
        if path.suffix.lower() in TEXT_SUFFIXES:
            result = read_text(path, source)
            if isinstance(result, Problem):
                problems.append(result)
                continue
            text, had_bom = result
            language = options.language or detect_language(text)
            items.append((NewDocument(text, source, language, had_bom=had_bom), []))
        else:
            reader = read_docbin if path.suffix.lower() in DOCBIN_SUFFIXES else read_jsonl
            records, found = reader(path, source)
            problems.extend(found)
            for rec in records:
                spans = rec.spans or []
                status = rec.status or _status_for(rec.spans, options)
                language = options.language or rec.language or detect_language(rec.text)
                problems.extend(misaligned(rec, language, tokenizers, source))
                doc_source = str(rec.meta.get("source") or f"{source}:{rec.line}")
                items.append((NewDocument(rec.text, doc_source, language, status, meta=rec.meta), spans))
    progress(len(files), len(files), "checked")
    if problems:
        raise InputRefused(problems)
    return items


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
) -> ImportReport:
    items = read_inputs(paths, options, progress)
    layer = Layer.MODEL if options.as_predictions else Layer.HUMAN
    return store.import_documents(items, layer=layer, author=options.author)

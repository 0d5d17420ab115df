"""Read ``.spacy`` (DocBin) files back as documents: text, entities, and what our exporter recorded.

A DocBin is binary (msgpack), so anyone can put anything in it: entity labels, text and the
``user_data`` our exporter writes are checked by the same rules as JSONL lines. A DocBin has no
lines, so problems name the document by its position: ``docs[2].ents[0].label``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import spacy
from spacy.tokens import Doc, DocBin

from annotator.core.document import DocumentStatus
from annotator.core.errors import Problem
from annotator.core.labels import label_name, label_name_problem
from annotator.core.language import spacy_language
from annotator.core.limits import file_name_problem, json_problems, language_problem, source_problem, string_problem
from annotator.core.span import SpanData
from annotator.io.atomic import MARKER
from annotator.io.jsonl import JsonlRecord
from annotator.io.spacy_docs import USER_DATA_KEY


def read_docbin(path: Path, source: str) -> tuple[list[JsonlRecord], list[Problem]]:
    named = file_name_problem(f"{source}:{10**9}")  # documents without a recorded source are named file:n
    if named is not None:
        return [], [Problem(source, f"cannot be imported: {named}")]
    try:
        docbin = DocBin().from_bytes(path.read_bytes())
        # Reading needs no tokenizer and no max_length: documents of any length come back whole.
        docs = list(docbin.get_docs(spacy.blank("xx").vocab))
    except Exception as exc:  # a truncated or foreign file: msgpack/zlib errors of all kinds
        return [], [Problem(source, f"is not a readable spaCy DocBin file ({type(exc).__name__}: {exc})")]
    records = []
    problems: list[Problem] = []
    for n, doc in enumerate(docs, start=1):
        record = _record(doc, n, source, problems)
        if record is not None:
            records.append(record)
    # An export's dev.spacy (or train.spacy) may hold none: too few documents for that side. It is part
    # of the export (the marker is in its folder, or one up for a language's folder), so the folder
    # imports back; an empty DocBin anywhere else is refused.
    if not docs and not any((folder / MARKER).exists() for folder in (path.parent, path.parent.parent)):
        problems.append(Problem(source, "holds no documents"))
    return records, problems


def _record(doc: Doc, n: int, source: str, problems: list[Problem]) -> JsonlRecord | None:
    where = f"docs[{n - 1}]"
    found: list[Problem] = []

    def bad(reason: str, fld: str) -> None:
        found.append(Problem(source, reason, field=f"{where}.{fld}"))

    if not doc.text.strip():
        bad("is empty", "text")
    elif (problem := string_problem(doc.text)) is not None:
        bad(problem, "text")
    spans = []
    for i, ent in enumerate(doc.ents):
        if (problem := label_name_problem(ent.label_)) is not None:
            bad(problem, f"ents[{i}].label")
        spans.append(SpanData(ent.start_char, ent.end_char, label_name(ent.label_)))
    saved: Any = doc.user_data.get(USER_DATA_KEY, {})
    if not isinstance(saved, dict):
        bad(f"must be a mapping, not {_kind(saved)}", f"user_data.{USER_DATA_KEY}")
        saved = {}
    meta = saved.get("meta") or {}
    if not isinstance(meta, dict):
        bad(f"must be a mapping, not {_kind(meta)}", "meta")
        meta = {}
    for fld, reason in json_problems(meta, "meta"):
        bad(reason, fld)
    language = saved.get("language") or None
    if language is not None:
        if not isinstance(language, str):
            bad(f"must be a language code such as 'en', not {_kind(language)}", "language")
        elif (problem := language_problem(language)) is not None:
            bad(problem, "language")
        else:
            language = spacy_language(language)
    for fld, doc_source in (("source", saved.get("source")), ("meta.source", meta.get("source"))):
        if not doc_source:
            continue
        if isinstance(doc_source, bool) or not isinstance(doc_source, str | int):
            bad(f"must be a string, not {_kind(doc_source)}", fld)
        elif (problem := source_problem(str(doc_source))) is not None:
            bad(problem, fld)
    if found:
        problems.extend(found)
        return None
    status = None
    if saved.get("status"):
        try:
            status = DocumentStatus.parse(str(saved["status"]))
        except ValueError:
            status = None
    if status is None:  # no record of ours: fully annotated docs are finished work
        complete = all(t.ent_iob != 0 for t in doc if not t.is_space)
        status = DocumentStatus.ACCEPTED if complete else DocumentStatus.IN_PROGRESS
    meta = dict(meta)
    if saved.get("source"):
        meta.setdefault("source", saved["source"])
    return JsonlRecord(n, doc.text, spans, meta, status, language, span_field=f"{where}.ents", in_docbin=True)


def _kind(value: object) -> str:
    """The type of a value unpacked from msgpack, named as in the file (msgpack arrays come back as tuples)."""
    return "list" if isinstance(value, tuple | list) else type(value).__name__

"""Read ``.spacy`` (DocBin) files back as documents: text, entities, and what our exporter recorded."""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.tokens import DocBin

from annotator.core.document import DocumentStatus
from annotator.core.errors import Problem
from annotator.core.span import SpanData
from annotator.io.jsonl import JsonlRecord
from annotator.io.spacy_docs import USER_DATA_KEY


def read_docbin(path: Path, source: str) -> tuple[list[JsonlRecord], list[Problem]]:
    try:
        docbin = DocBin().from_bytes(path.read_bytes())
        docs = list(docbin.get_docs(spacy.blank("xx").vocab))
    except Exception as exc:  # a truncated or foreign file: msgpack/zlib errors of all kinds
        return [], [Problem(source, f"is not a readable spaCy DocBin file ({type(exc).__name__}: {exc})")]
    records = []
    problems = []
    for n, doc in enumerate(docs, start=1):
        if not doc.text.strip():
            problems.append(Problem(source, "is empty", line=n, field="text"))
            continue
        saved = doc.user_data.get(USER_DATA_KEY, {})
        spans = [SpanData(e.start_char, e.end_char, e.label_) for e in doc.ents]
        status = None
        if saved.get("status"):
            try:
                status = DocumentStatus.parse(str(saved["status"]))
            except ValueError:
                status = None
        if status is None:  # no record of ours: fully annotated docs are finished work
            complete = all(t.ent_iob != 0 for t in doc if not t.is_space)
            status = DocumentStatus.ACCEPTED if complete else DocumentStatus.IN_PROGRESS
        meta = dict(saved.get("meta") or {})
        if saved.get("source"):
            meta.setdefault("source", saved["source"])
        records.append(JsonlRecord(n, doc.text, spans, meta, status, saved.get("language")))
    if not records and not problems:
        problems.append(Problem(source, "holds no documents"))
    return records, problems

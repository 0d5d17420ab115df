"""Entities for a batch of documents, in this process: what a pre-annotation worker does with a batch.

Long documents go through the pipeline in pieces (``pieces.py``); texts are handed to ``nlp.pipe`` in
groups bounded by count and by characters, so memory stays flat whatever the documents' lengths. A
document the pipeline fails on is reported as ``Failed`` with the reason, and the rest of the batch
goes on: when a group raises, its documents are run again one at a time to find which one it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from annotator.core.labels import map_label
from annotator.core.span import SpanData
from annotator.nlp.pieces import PIECE_CHARS, Tokenize, split_points
from annotator.nlp.pipelines import Pipeline, Pipelines

# Characters given to the NER at once (a group of ``nlp.pipe``): about 0.3 GB of working memory with
# the small pipelines, and room for a full batch of 64 ordinary articles.
BATCH_CHARS = 400_000


@dataclass(frozen=True)
class Item:
    """A document to suggest entities for."""

    document_id: int
    text: str
    language: str


@dataclass(frozen=True)
class Suggested:
    """The model layer for one document: ``author``'s entities."""

    author: str
    spans: tuple[SpanData, ...]


@dataclass(frozen=True)
class NoModel:
    """The document's language has no NER pipeline: left for annotation by hand."""

    language: str


@dataclass(frozen=True)
class Failed:
    """The pipeline (or the process running it) failed on this document; nothing was written for it."""

    reason: str


Outcome = Suggested | NoModel | Failed


@dataclass(frozen=True)
class Limits:
    """How much text the pipeline sees at once."""

    batch_size: int = 64  # documents (or pieces) per ``nlp.pipe`` group
    batch_chars: int = BATCH_CHARS  # characters per group
    piece_chars: int = PIECE_CHARS  # longer documents are cut into pieces of at most this length


_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")


def entities_of(doc: Doc, pipeline: Pipeline, offset: int = 0) -> list[SpanData]:
    """The doc's entities in the project's label scheme (shifted by ``offset``, where the doc is a
    piece of a longer text); a label mapped to "" is dropped.

    Edges are trimmed: the small models sometimes swallow a following whitespace token
    ("Daesh\\n\\n" in seed 002), which would highlight blank lines and never match a person's span.
    An entity never runs over a paragraph break (a blank line): a fine-tuned model suggested
    "Daesh\\n\\nAFP/JACQUELYN" as one ORG; it is cut at the break, the part the model started in kept.
    """
    out = []
    text = doc.text
    for ent in doc.ents:
        label = map_label(ent.label_, pipeline.label_mapping)
        start, end = ent.start_char, ent.end_char
        if (cut := _PARAGRAPH_BREAK.search(text, start, end)) is not None:
            end = cut.start()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if label and start < end:
            out.append(SpanData(start + offset, end + offset, label))
    return out


def suggest(pipelines: Pipelines, items: Sequence[Item], limits: Limits | None = None) -> dict[int, Outcome]:
    """Each item's outcome, keyed by document id. Never raises for a document's sake."""
    limits = limits or Limits()
    outcomes: dict[int, Outcome] = {}
    by_language: dict[str, list[Item]] = {}
    for item in items:
        by_language.setdefault(item.language, []).append(item)
    for language, group in by_language.items():
        try:
            pipeline = pipelines.get(language)
        except Exception as exc:  # Pipelines falls back to blank; this is a broken installation
            outcomes.update((item.document_id, Failed(f"cannot load the {language!r} pipeline: {reason(exc)}"))
                            for item in group)
            continue
        if not pipeline.has_ner:
            outcomes.update((item.document_id, NoModel(language)) for item in group)
            continue
        outcomes.update(suggest_with(pipeline, group, limits))
    return outcomes


def suggest_with(pipeline: Pipeline, items: Sequence[Item], limits: Limits) -> dict[int, Outcome]:
    """One pipeline over ``items`` (long texts in pieces, shifted back), keyed by document id."""
    nlp = pipeline.nlp
    limit = max(2, min(limits.piece_chars, nlp.max_length))
    found: dict[int, list[SpanData]] = {item.document_id: [] for item in items}
    failed: dict[int, Failed] = {}
    # Pieces of every document in order; a short document is one piece.
    pieces: list[tuple[int, int, str]] = []  # (document id, offset, text)
    for item in items:
        try:
            cuts = split_points(item.text, limit, _tokenizer(nlp))
        except Exception as exc:
            failed[item.document_id] = Failed(reason(exc))
            continue
        pieces.extend((item.document_id, start, item.text[start:end]) for start, end in cuts)
    for group in _groups(pieces, limits):
        try:
            docs = list(nlp.pipe([text for _, _, text in group], batch_size=len(group)))
        except Exception:
            docs = []
        if docs:
            for (doc_id, offset, _), doc in zip(group, docs, strict=True):
                found[doc_id].extend(entities_of(doc, pipeline, offset))
            continue
        for doc_id, offset, text in group:  # find the piece that failed; the others go on
            if doc_id in failed:
                continue
            try:
                found[doc_id].extend(entities_of(nlp(text), pipeline, offset))
            except Exception as exc:
                failed[doc_id] = Failed(reason(exc))
    outcomes: dict[int, Outcome] = {}
    for item in items:
        doc_id = item.document_id
        outcomes[doc_id] = failed.get(doc_id) or Suggested(pipeline.author, tuple(found[doc_id]))
    return outcomes


def _groups(pieces: Sequence[tuple[int, int, str]], limits: Limits) -> Iterator[list[tuple[int, int, str]]]:
    group: list[tuple[int, int, str]] = []
    chars = 0
    for piece in pieces:
        if group and (len(group) >= limits.batch_size or chars + len(piece[2]) > limits.batch_chars):
            yield group
            group, chars = [], 0
        group.append(piece)
        chars += len(piece[2])
    if group:
        yield group


def _tokenizer(nlp: Language) -> Tokenize:
    def tokenize(text: str) -> Iterator[tuple[int, int]]:
        return ((t.idx, t.idx + len(t)) for t in nlp.tokenizer(text))

    return tokenize


def reason(exc: BaseException) -> str:
    """One line saying what went wrong, short enough for a report."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    line = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return line if len(line) <= 300 else line[:297] + "..."

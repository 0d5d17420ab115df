"""Plain, immutable records the store hands out, so no caller ever holds a live ORM object
(and no lazy load can fire from the GUI thread or after the session closed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from annotator.core.document import DocumentStatus
from annotator.core.labels import Label
from annotator.core.span import Layer, Span
from annotator.store.schema import DocumentRow, LabelRow, TrainedModelRow


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    source: str
    title: str
    language: str
    status: DocumentStatus
    status_by: str | None
    had_bom: bool
    meta: dict[str, Any]
    suggested_by: str | None
    updated_at: datetime
    version: int
    attention: dict[str, int] = field(default_factory=dict)  # what an import kept as the file said: reason -> spans


@dataclass(frozen=True)
class DocumentView:
    """One document as one annotator sees it: text, own entities, visible suggestions, rejections."""

    info: DocumentInfo
    text: str
    confirmed: tuple[Span, ...]
    suggestions: tuple[Span, ...]
    rejections: tuple[Span, ...]
    model: tuple[Span, ...] = ()  # every model span, hidden or not (to compare model and person)

    @property
    def entities(self) -> list[Span]:
        """Everything highlighted, in text order."""
        return sorted(self.confirmed + self.suggestions, key=lambda s: s.start)


@dataclass(frozen=True)
class DocumentBundle:
    """A document with every span of every layer and author, for exporters and evaluators that
    decide themselves whose annotations count."""

    info: DocumentInfo
    text: str
    model: tuple[Span, ...]
    human: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """A row of the document list (slots: a list scrolled to the end holds one per document)."""

    id: int
    title: str
    source: str
    language: str
    status: DocumentStatus
    human_count: int
    model_count: int
    updated_at: datetime


@dataclass(frozen=True)
class TrainedModel:
    id: int
    name: str
    version: str
    path: str
    language: str
    base: str | None
    data_hash: str
    labels: list[str]
    settings: dict[str, Any]
    scores: dict[str, Any]
    created_at: datetime

    @property
    def author(self) -> str:
        """How its predictions are attributed in the model layer (matches Pipeline.author)."""
        return f"{self.name}@{self.version}"


@dataclass
class ImportReport:
    added: list[int] = field(default_factory=list)  # new documents
    # (source, id of the stored document with the same text) for items that brought nothing to add to it
    duplicates: list[tuple[str, int | None]] = field(default_factory=list)
    spans: int = 0  # entities written (rejections not included)
    new_labels: list[str] = field(default_factory=list)
    layered: list[int] = field(default_factory=list)  # documents stored before that gained (or updated) a layer
    merged: int = 0  # items whose text an earlier item of this import had: one document holds both
    rejections: int = 0  # rejected suggestions written (e.g. Prodigy spans answered reject)
    attention: dict[str, int] = field(default_factory=dict)  # spans kept as the file said, by reason
    warnings: list[str] = field(default_factory=list)  # e.g. empty tasks skipped, by file and line
    skipped: int = 0  # empty tasks skipped (each one is also a warning)
    attention_documents: int = 0  # documents marked "needs attention" by this import
    # (layer, author) -> entities the file gave that layer ("human", "bob"): whose versions they became
    layers: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass
class StatusReport:
    """What ``Store.set_statuses`` did: documents moved, documents that had the status already, and
    what accepting did with the suggestions nobody had reviewed."""

    changed: int = 0
    unchanged: int = 0
    confirmed: int = 0  # unreviewed suggestions confirmed as entities
    dismissed: int = 0  # unreviewed suggestions dismissed


@dataclass
class SweepReport:
    """What ``Store.sweep_imports`` found: imports still running elsewhere, imports whose process had
    died (now ``abandoned``), and how many documents of stopped imports it removed."""

    running: list[int] = field(default_factory=list)
    abandoned: list[int] = field(default_factory=list)
    removed: int = 0
    complete: bool = True  # False: the time budget ran out; the rest stays hidden until the next sweep


@dataclass(frozen=True)
class Stats:
    documents: int
    by_status: dict[str, int]
    by_language: dict[str, int]
    spans: dict[tuple[str, str], int]  # (label, layer) -> count; human rejections not included
    rejections: int


class SpanFields(Protocol):
    """A span as the database holds it: a ``SpanRow`` or a plain result row of the same columns."""

    @property
    def id(self) -> int: ...
    @property
    def document_id(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def label(self) -> str: ...
    @property
    def layer(self) -> str: ...
    @property
    def author(self) -> str: ...
    @property
    def rejected(self) -> bool: ...


def span_of(row: SpanFields) -> Span:
    """An ORM ``SpanRow`` or a plain row of its columns (which reads whole layers several times faster)."""
    # Positional, and bool() because SQLite hands back 0/1: exports convert every span of a corpus.
    return Span(row.id, row.document_id, row.start, row.end, row.label, Layer(row.layer), row.author,
                bool(row.rejected))


def info_of(row: DocumentRow) -> DocumentInfo:
    return DocumentInfo(
        id=row.id,
        source=row.source,
        title=row.title,
        language=row.language,
        status=DocumentStatus(row.status),
        status_by=row.status_by,
        had_bom=row.had_bom,
        meta=dict(row.meta or {}),
        suggested_by=row.suggested_by,
        updated_at=row.updated_at,
        version=row.version,
        attention=dict(row.attention or {}),
    )


def label_of(row: LabelRow) -> Label:
    return Label(row.name, row.colour, row.key, row.description)


def trained_of(row: TrainedModelRow) -> TrainedModel:
    return TrainedModel(row.id, row.name, row.version, row.path, row.language, row.base, row.data_hash,
                        list(row.labels), dict(row.settings), dict(row.scores), row.created_at)


@dataclass(frozen=True)
class LabelVariants:
    """One surface string labelled in several ways across the corpus: label -> document ids, and how
    many documents give it a label other than the most common one."""

    text: str
    labels: dict[str, tuple[int, ...]]
    disagreeing: int

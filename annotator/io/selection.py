"""Which documents and whose spans an export writes: the decisions every format shares.

Kept apart from the writers so DocBin, JSONL and CoNLL can never disagree about what the corrections are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, TypeVar

from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError
from annotator.core.language import require_language
from annotator.core.pairs import PairError, parse_pairs
from annotator.core.progress import CancelToken, ProgressSink, no_progress
from annotator.core.span import GOLD, Span, SpanData, split_layers
from annotator.store import Store
from annotator.store.records import DocumentBundle


class ExportLayer(StrEnum):
    HUMAN = "human"  # only what a person confirmed or drew
    MERGED = "merged"  # a person's corrections over the model suggestions they have not reviewed


@dataclass(frozen=True)
class ExportOptions:
    include: frozenset[DocumentStatus] = frozenset({DocumentStatus.ACCEPTED})
    layer: ExportLayer = ExportLayer.HUMAN
    language: str | None = None
    labels: frozenset[str] | None = None  # keep only these (after renaming); None keeps all
    rename: Mapping[str, str] = field(default_factory=dict)
    user: str | None = None  # whose layer; default: the reviewed gold layer, else whoever set the status
    dev_ratio: float = 0.2
    seed: int = 0

    def __post_init__(self) -> None:
        if DocumentStatus.REJECTED in self.include:
            raise AnnotatorError("rejected documents are excluded from training data and cannot be exported")
        if not 0.0 <= self.dev_ratio < 1.0:
            raise AnnotatorError(f"--dev-ratio must be at least 0 and below 1, got {self.dev_ratio}")
        if self.language is not None:  # "italian", "it-IT" select the documents stored as "it"
            object.__setattr__(self, "language", require_language(self.language, "--language"))


@dataclass(frozen=True)
class ExportDocument:
    """One document as training data.

    ``complete``: a person reviewed all of it (accepted), so every token outside ``entities`` is a
    true "no entity". Otherwise only ``entities`` are known and everything else is *missing*.
    ``rejected`` are suggestions a person said are wrong (spaCy's ``incorrect_spans``).
    """

    id: int
    text: str
    language: str
    source: str
    status: DocumentStatus
    annotator: str | None
    content_hash: str
    meta: dict[str, Any]
    entities: tuple[SpanData, ...]
    rejected: tuple[SpanData, ...]
    complete: bool


def parse_statuses(values: str) -> frozenset[DocumentStatus]:
    try:
        return frozenset(DocumentStatus.parse(v) for v in values.split(",") if v.strip())
    except ValueError as exc:
        raise AnnotatorError(f"--include: {exc}") from exc


def parse_rename(values: str) -> dict[str, str]:
    try:
        return {p.key: p.value for p in parse_pairs(values)}
    except PairError as exc:
        raise AnnotatorError(f"--rename: {exc.item!r} must look like OLD=NEW") from None


def to_export(bundle: DocumentBundle, options: ExportOptions) -> ExportDocument:
    has_gold = any(h.author == GOLD for h in bundle.human)
    annotator = options.user or (GOLD if has_gold else bundle.info.status_by)
    human = [h for h in bundle.human if h.author == annotator]
    confirmed, suggestions, rejections = split_layers(bundle.model, human)
    chosen = confirmed + (suggestions if options.layer is ExportLayer.MERGED else [])

    def relabel(spans: Sequence[Span]) -> tuple[SpanData, ...]:
        out = []
        for s in sorted(spans, key=lambda s: s.start):
            label = options.rename.get(s.label, s.label)
            if options.labels is None or label in options.labels:
                out.append(SpanData(s.start, s.end, label))
        return tuple(out)

    info = bundle.info
    return ExportDocument(
        id=info.id, text=bundle.text, language=info.language, source=info.source, status=info.status,
        annotator=annotator, content_hash=_hash(bundle.text), meta=info.meta,
        entities=relabel(chosen), rejected=relabel(rejections),
        complete=info.status is DocumentStatus.ACCEPTED,
    )


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def iter_export(
    store: Store, options: ExportOptions, progress: ProgressSink = no_progress, cancel: CancelToken | None = None
) -> Iterator[ExportDocument]:
    total = store.document_count(options.include, options.language)
    done = 0
    for batch in store.bundles(options.include, options.language):
        for bundle in batch:
            if cancel is not None:
                cancel.raise_if_cancelled()
            yield to_export(bundle, options)
        done += len(batch)
        progress(done, total, f"exporting {done}/{total} documents")


def dev_score(doc: ExportDocument, seed: int) -> float:
    """Where a document falls in [0, 1): a function of its text (content hash) and the seed only."""
    digest = hashlib.sha256(f"{seed}:{doc.content_hash}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


Split = Literal["train", "dev"]
T = TypeVar("T")


def side_of(score: float, dev_ratio: float) -> Split:
    """The side of a document whose ``dev_score`` is ``score``: dev below the ratio, else train."""
    return "dev" if score < dev_ratio else "train"


def split_train_dev(items: Iterable[T], score: Callable[[T], float], dev_ratio: float) -> Iterator[tuple[Split, T]]:
    """Each item with its side, streamed in input order: dev when its score is below ``dev_ratio``.

    The side is a pure function of the item's score (for documents, ``dev_score``: content hash and
    seed), so a document never changes side when the corpus grows or shrinks, and export, training and
    evaluation agree. Nothing is borrowed to fill an empty side: with too few documents for a dev set,
    training cross-validates over every accepted document instead (``annotator.nlp.train``).
    """
    for item in items:
        yield side_of(score(item), dev_ratio), item

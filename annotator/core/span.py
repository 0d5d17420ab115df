"""Entity spans: character offsets into the exact document text (Python code points, end exclusive)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from annotator.core.errors import SpanRefused


class Layer(StrEnum):
    """Model predictions and human annotations never share rows: re-running a model only ever
    replaces ``MODEL`` rows, so nothing a person did can be overwritten by a machine."""

    MODEL = "model"
    HUMAN = "human"


# The reviewed, final version of a document is a human layer under this reserved author name;
# exports use it whenever a document has one.
GOLD = "@gold"


@dataclass(frozen=True)
class SpanData:
    """A span without identity, as it arrives from an importer, a model or a selection."""

    start: int
    end: int
    label: str

    def overlaps(self, other: SpanData | Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Span:
    """A stored span. ``author`` is the annotator's name (human layer) or ``model@version``
    (model layer); ``rejected`` marks a human verdict that a model suggestion here is wrong."""

    id: int
    document_id: int
    start: int
    end: int
    label: str
    layer: Layer
    author: str
    rejected: bool = False

    @property
    def data(self) -> SpanData:
        return SpanData(self.start, self.end, self.label)

    def overlaps(self, other: SpanData | Span) -> bool:
        return self.start < other.end and other.start < self.end

    def same_place(self, other: SpanData | Span) -> bool:
        return self.start == other.start and self.end == other.end


def check_bounds(text: str, start: object, end: object) -> tuple[int, int]:
    """Refuse offsets outside the text, empty spans, and spans that start or end on whitespace
    (a highlighted space is invisible and makes training data disagree with tokenisation).
    Returns the offsets, known to be integers."""
    # Offsets come from files: anything may arrive (None, floats, booleans, strings).
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        raise SpanRefused(f"offsets must be integers, got start={start!r}, end={end!r}")
    if start < 0 or end > len(text):
        raise SpanRefused(f"span {start}-{end} is outside the text (length {len(text)})")
    if start >= end:
        raise SpanRefused(f"span {start}-{end} is empty or reversed")
    if text[start].isspace() or text[end - 1].isspace():
        raise SpanRefused(f"span {start}-{end} ({text[start:end]!r}) starts or ends with whitespace")
    return start, end


def first_overlap(spans: Sequence[SpanData]) -> tuple[SpanData, SpanData] | None:
    """The first pair of overlapping spans, or None. NER spans may not overlap (spaCy's doc.ents)."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    for left, right in zip(ordered, ordered[1:], strict=False):
        if right.start < left.end:
            return left, right
    return None


def overlapping(spans: Iterable[Span], start: int, end: int) -> list[Span]:
    """Spans among ``spans`` that share at least one character with [start, end)."""
    return [s for s in spans if s.start < end and start < s.end]


def split_layers(model: Sequence[Span], human: Sequence[Span]) -> tuple[list[Span], list[Span], list[Span]]:
    """What a person sees: (confirmed, suggestions, rejections).

    ``confirmed`` are the person's own entities. A model span stays a visible *suggestion* unless it
    overlaps a confirmed entity (the person's version wins) or the person rejected that exact span.
    Linear after sorting, so a 20,000-span article stays fast.
    """
    confirmed = sorted((h for h in human if not h.rejected), key=lambda s: s.start)
    rejections = [h for h in human if h.rejected]
    refused = {(r.start, r.end, r.label) for r in rejections}
    starts = [c.start for c in confirmed]
    suggestions: list[Span] = []
    for m in sorted(model, key=lambda s: s.start):
        if (m.start, m.end, m.label) in refused:
            continue
        # Confirmed spans do not overlap, so ends grow with starts: only the last one starting
        # before m.end can reach into m.
        i = bisect_left(starts, m.end) - 1
        if i >= 0 and confirmed[i].end > m.start:
            continue
        suggestions.append(m)
    return confirmed, suggestions, rejections

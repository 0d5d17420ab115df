"""What an import brings for one document: its text and, per layer, whose spans and rejections.

Every reader (``annotator.io.readers``) turns its format into ``Annotation``s; the importer judges
them (what needs attention) and the store writes each as rows of its layer and author. Plain data:
no checks happen here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator.core.document import NewDocument
from annotator.core.span import Layer, SpanData

# Reasons a document is marked "needs attention": spans kept exactly as the file said although the
# editor and spaCy's training data want them otherwise. The analyst resolves them in the app.
WHITESPACE_EDGE = "span starts or ends on whitespace"
OFF_TOKENS = "span not on token boundaries"
OVERLAP = "overlapping spans"
DISCONTINUOUS = "discontinuous span (kept as its pieces)"
ATTENTION_REASONS = (WHITESPACE_EDGE, OFF_TOKENS, OVERLAP, DISCONTINUOUS)


@dataclass
class Annotation:
    """One layer of one author on one document: entities (``spans``) and suggestions that author
    rejected (``rejected``, stored as rejection rows). ``author`` None: the importing user (or, for
    the model layer, the model named on the command line)."""

    layer: Layer
    author: str | None
    spans: list[SpanData] = field(default_factory=list)
    rejected: list[SpanData] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)  # where each span is in the file, for messages

    def __bool__(self) -> bool:
        return bool(self.spans or self.rejected)


@dataclass
class ImportItem:
    """A document to store (or, when its text is already stored, the layers to add to it)."""

    document: NewDocument
    annotations: list[Annotation] = field(default_factory=list)
    attention: dict[str, int] = field(default_factory=dict)  # reason -> spans, see ATTENTION_REASONS

    @property
    def has_layers(self) -> bool:
        return any(self.annotations)

    @property
    def span_count(self) -> int:
        return sum(len(a.spans) + len(a.rejected) for a in self.annotations)


def add_counts(into: dict[str, int], more: dict[str, int]) -> dict[str, int]:
    for reason, n in more.items():
        into[reason] = into.get(reason, 0) + n
    return into


def attention_text(reasons: dict[str, int]) -> str:
    """``{"overlapping spans": 2}`` -> ``"overlapping spans (2)"``, reasons in a stable order."""
    return ", ".join(f"{reason} ({n})" for reason, n in sorted(reasons.items()))

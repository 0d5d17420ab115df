"""Agreement between two annotators: span-level F (one as reference, symmetric for F1) and Cohen's
kappa on token labels (each token labelled with the entity covering it, or O)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from annotator.core.compare import PRF, Scores
from annotator.core.snapping import TokenBounds
from annotator.core.span import SpanData

OUTSIDE = "O"


def token_labels(bounds: TokenBounds, spans: Sequence[SpanData]) -> list[str]:
    labels = [OUTSIDE] * len(bounds)
    for s in spans:
        for i, (start, end) in enumerate(zip(bounds.starts, bounds.ends, strict=True)):
            if start >= s.end:
                break
            if end > s.start:
                labels[i] = s.label
    return labels


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """None when undefined (no items, or both annotators used one single category throughout)."""
    n = len(a)
    if n == 0:
        return None
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in ca.keys() | cb.keys()) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1 - expected)


@dataclass
class PairAgreement:
    """``a`` against ``b`` over the documents both annotated."""

    a: str
    b: str
    spans: Scores = field(default_factory=Scores)
    tokens_a: list[str] = field(default_factory=list)
    tokens_b: list[str] = field(default_factory=list)
    per_document: dict[int, tuple[float, float | None]] = field(default_factory=dict)  # id -> (F, kappa)

    def add(self, document_id: int, bounds: TokenBounds, spans_a: Sequence[SpanData],
            spans_b: Sequence[SpanData]) -> None:
        doc_scores = Scores()
        doc_scores.add(spans_b, spans_a)
        self.spans.add(spans_b, spans_a)
        ta, tb = token_labels(bounds, spans_a), token_labels(bounds, spans_b)
        self.tokens_a += ta
        self.tokens_b += tb
        self.per_document[document_id] = (doc_scores.overall.f, cohen_kappa(ta, tb))

    @property
    def kappa(self) -> float | None:
        return cohen_kappa(self.tokens_a, self.tokens_b)

    def kappa_for(self, label: str) -> float | None:
        """Binary kappa: this label or not, token by token."""
        return cohen_kappa([t == label for t in self.tokens_a], [t == label for t in self.tokens_b])

    @property
    def f(self) -> float:
        return self.spans.overall.f

    def per_label_f(self) -> dict[str, PRF]:
        return self.spans.per_label

    def as_dict(self) -> dict[str, object]:
        labels = sorted(self.spans.per_label)
        return {
            "a": self.a, "b": self.b, "documents": self.spans.documents, "span_f": round(self.f, 4),
            "kappa": None if self.kappa is None else round(self.kappa, 4),
            "per_label": {lb: {"f": round(self.spans.per_label[lb].f, 4),
                               "kappa": None if (k := self.kappa_for(lb)) is None else round(k, 4)} for lb in labels},
            "per_document": {str(d): {"f": round(f, 4), "kappa": None if k is None else round(k, 4)}
                             for d, (f, k) in sorted(self.per_document.items())},
        }

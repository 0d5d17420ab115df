"""What a token-based export (DocBin, CoNLL) had to do to the stored spans, span by span.

The store keeps spans exactly as a person or a file drew them, lossless: whitespace at the edges,
edges inside a token, overlapping or nested spans. spaCy's ``doc.ents`` (and so DocBin and CoNLL tags)
hold whole tokens only and no overlaps. Each span is therefore:

- kept as is when it starts and ends on token boundaries;
- **trimmed** when whitespace at its edges is all that is off (the whitespace is left out);
- **expanded** to the whole tokens it touches when an edge falls inside a token (``alignment_mode=
  "expand"``, the tokens the app would snap a selection to);
- **left out** when nothing of it is a token (only whitespace), or when, once aligned, it overlaps an
  entity already kept (the longer span is kept; between equal lengths the first).

``Alignment`` counts every outcome by reason and keeps a few examples, for the export report: nothing
is dropped without being counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from annotator.core.plural import plural
from annotator.core.span import SpanData

TRIMMED = "trimmed"
EXPANDED = "expanded"
NO_TOKENS = "left out: no token in it (only whitespace)"
OVERLAP = "left out: overlaps another entity"
REASONS_SAID = {
    TRIMMED: "trimmed: whitespace at an edge left out",
    EXPANDED: "expanded to whole tokens: an edge fell inside a token",
    NO_TOKENS: NO_TOKENS,
    OVERLAP: "left out: overlaps another entity, the longer one (or the first) kept",
}
EXAMPLES = 5  # per reason


@dataclass
class Alignment:
    """Counts of aligned and left-out spans by reason (keys of ``REASONS_SAID``), with examples."""

    kept: int = 0  # written as entities
    as_stored: int = 0  # of those, exactly where the store has them
    changed: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    # Rejected suggestions (spaCy's incorrect_spans, a span group: overlaps allowed): how many were
    # moved onto tokens, and how many had no token in them and were left out.
    rejections_aligned: int = 0
    rejections_left_out: int = 0
    documents: int = 0  # documents with a span moved or left out (``warnings`` names the first few)

    @property
    def left_out(self) -> int:
        return sum(n for reason, n in self.changed.items() if reason.startswith("left out"))

    @property
    def aligned(self) -> int:
        return self.changed[TRIMMED] + self.changed[EXPANDED]

    def note(self, reason: str, example: str) -> None:
        self.changed[reason] += 1
        shown = self.examples.setdefault(reason, [])
        if len(shown) < EXAMPLES:
            shown.append(example)

    def lines(self) -> list[str]:
        """One line per reason, for the CLI and the GUI."""
        out = []
        for reason in REASONS_SAID:
            if self.changed[reason]:
                out.append(f"{plural(self.changed[reason], 'span')} {REASONS_SAID[reason]} (e.g. "
                           f"{'; '.join(self.examples.get(reason, []))})")
        if self.rejections_aligned or self.rejections_left_out:
            out.append(f"rejected suggestions (incorrect_spans): {self.rejections_aligned} aligned to tokens, "
                       f"{self.rejections_left_out} left out (only whitespace)")
        return out


def _describe(where: str, text: str, s: SpanData) -> str:
    cut = text[s.start:s.end]
    cut = cut if len(cut) <= 30 else cut[:29] + "…"
    return f"{where} {s.label} {s.start}-{s.end} {cut!r}"


def align_span(doc: Doc, s: SpanData, where: str, alignment: Alignment | None) -> Span | None:
    """``s`` on ``doc``'s tokens (see the module docstring), the change counted in ``alignment``."""
    span = doc.char_span(s.start, s.end, label=s.label)
    if span is not None:
        return span
    text = doc.text
    start, end = s.start, s.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end and (start, end) != (s.start, s.end):
        span = doc.char_span(start, end, label=s.label)
        if span is not None:
            if alignment is not None:
                alignment.note(TRIMMED, _describe(where, text, s))
            return span
    span = doc.char_span(start, end, label=s.label, alignment_mode="expand") if start < end else None
    if span is None or len(span) == 0:
        if alignment is not None:
            alignment.note(NO_TOKENS, _describe(where, text, s))
        return None
    if alignment is not None:
        alignment.note(EXPANDED, _describe(where, text, s) + f" → {span.text[:30]!r}")
    return span


def rejections(doc: Doc, spans: tuple[SpanData, ...], where: str, alignment: Alignment | None) -> list[Span]:
    """Rejected suggestions on ``doc``'s tokens for ``incorrect_spans`` (overlaps allowed), counted."""
    out = []
    for s in spans:
        sp = align_span(doc, s, where, None)
        if alignment is not None:
            if sp is None:
                alignment.rejections_left_out += 1
            elif (sp.start_char, sp.end_char) != (s.start, s.end):
                alignment.rejections_aligned += 1
        if sp is not None:
            out.append(sp)
    return out


def entities(doc: Doc, spans: tuple[SpanData, ...], where: str, alignment: Alignment | None) -> list[Span]:
    """Token-aligned, non-overlapping entities for ``doc.set_ents``, every change counted."""
    aligned = [(s, sp) for s in spans if (sp := align_span(doc, s, where, alignment)) is not None]
    # Longer first, then earlier: a nested or overlapping shorter span gives way to the one around it.
    chosen: list[tuple[SpanData, Span]] = []
    taken: set[int] = set()
    for s, sp in sorted(aligned, key=lambda pair: (-(pair[1].end - pair[1].start), pair[1].start)):
        tokens = set(range(sp.start, sp.end))
        if tokens & taken:
            if alignment is not None:
                alignment.note(OVERLAP, _describe(where, doc.text, s))
            continue
        taken |= tokens
        chosen.append((s, sp))
    if alignment is not None:
        alignment.kept += len(chosen)
        alignment.as_stored += sum((sp.start_char, sp.end_char) == (s.start, s.end) for s, sp in chosen)
    return sorted((sp for _, sp in chosen), key=lambda sp: sp.start)

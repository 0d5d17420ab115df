"""How imported spans sit on the text: whitespace at an edge, off the token boundaries of the
language's tokenizer (or of the file's own tokens, e.g. CoNLL's), overlapping each other. By default
they are kept exactly as the file says and counted (the document "needs attention"); ``strict``
refuses them as before, each with its line and field.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from annotator.core.errors import Problem
from annotator.core.imported import DISCONTINUOUS, OFF_TOKENS, OVERLAP, WHITESPACE_EDGE, Annotation
from annotator.core.limits import shown
from annotator.core.span import SpanData
from annotator.io.readers.base import Record
from annotator.io.tokenizers import Tokenizers

_CHUNK = re.compile(r"\S+")  # \s is str.isspace(): the tokenizer's own split


class QuickAlignment:
    """Whether every span starts and ends on a token boundary, tokenizing only the whitespace-delimited
    chunks that hold a span's start or end, each distinct chunk once per import.

    spaCy's tokenizer splits the text on whitespace first and tokenizes every chunk on its own (affixes,
    infixes, special cases, URL rules all apply within a chunk), so a chunk's token boundaries do not
    depend on the rest of the text: the answer is the full tokenization's, at a small part of its cost
    (the chunks around entities repeat across a corpus). ``misaligned()`` stays the judge: it is asked
    (tokenizing the whole document once) whenever this check finds a span off the boundaries, and it
    writes the messages.
    """

    def __init__(self, tokenizers: Tokenizers, cache_size: int = 100_000) -> None:
        self.tokenizers, self.cache_size = tokenizers, cache_size
        self._cuts: dict[str, dict[str, tuple[int, ...]]] = {}  # language -> chunk -> token starts in it
        self._cached = 0

    def aligned(self, text: str, spans: Sequence[SpanData], language: str) -> bool:
        n = len(text)
        for span in spans:
            start, end = span.start, span.end
            if start > 0 and not text[start - 1].isspace() and not self._cut(text, start, start, language):
                return False
            if end < n and not text[end].isspace() and not self._cut(text, end, end - 1, language):
                return False
        return True

    def _cut(self, text: str, pos: int, inside: int, language: str) -> bool:
        """Whether ``pos`` is a token boundary of the chunk holding the character at ``inside``."""
        if text[inside].isspace():
            return False  # a span edge on whitespace: let misaligned() judge
        first = inside
        while first > 0 and not text[first - 1].isspace():
            first -= 1
        match = _CHUNK.match(text, inside)
        last = match.end() if match is not None else inside + 1
        return pos in (first, last) or pos - first in self._chunk_cuts(text[first:last], language)

    def _chunk_cuts(self, chunk: str, language: str) -> tuple[int, ...]:
        known = self._cuts.setdefault(language, {})
        cuts = known.get(chunk)
        if cuts is None:
            doc = self.tokenizers.get(language).tokenizer(chunk)  # the tokenizer alone: no max_length
            cuts = tuple(t.idx for t in doc)
            if self._cached >= self.cache_size:  # bounded: a long import's memory stays flat
                self._cuts, self._cached = {}, 0
                known = self._cuts.setdefault(language, {})
            known[chunk] = cuts
            self._cached += 1
        return cuts




class Judge:
    """Judges every record of one import (one tokenizer cache for all of it)."""

    def __init__(self, strict: bool = False) -> None:
        self.strict = strict
        self.tokenizers = Tokenizers()
        self.quick = QuickAlignment(self.tokenizers)

    def __call__(self, rec: Record, annotations: Sequence[Annotation], language: str,
                 source: str) -> tuple[dict[str, int], list[Problem]]:
        """``({reason: spans}, problems)``: problems only when strict (or never, for what is kept)."""
        attention: dict[str, int] = {}
        problems: list[Problem] = []
        if rec.discontinuous:
            attention[DISCONTINUOUS] = rec.discontinuous
        tokens = rec.tokens or tokens_of(rec.meta)
        starts = ends = None
        if tokens is not None:
            starts, ends = {a for a, _ in tokens}, {b for _, b in tokens}
        text = rec.text
        for annotation in annotations:
            off: list[tuple[SpanData, str]] = []
            for i, span in enumerate(annotation.spans):
                fld = annotation.fields[i] if i < len(annotation.fields) else f"{rec.span_field}[{i}]"
                if text[span.start].isspace() or text[span.end - 1].isspace():
                    if self.strict:
                        problems.append(rec.problem(source, f"span {span.start}-{span.end} "
                                                    f"{shown(text[span.start:span.end])} starts or ends with "
                                                    "whitespace", fld))
                    attention[WHITESPACE_EDGE] = attention.get(WHITESPACE_EDGE, 0) + 1
                elif starts is not None and ends is not None:
                    if span.start not in starts or span.end not in ends:
                        off.append((span, fld))
                elif not self.quick.aligned(text, [span], language):
                    off.append((span, fld))
            if off:
                attention[OFF_TOKENS] = attention.get(OFF_TOKENS, 0) + len(off)
                if self.strict:
                    problems.extend(self._misaligned(rec, off, language, source))
            clashes = overlapping(annotation.spans)
            if clashes:
                attention[OVERLAP] = attention.get(OVERLAP, 0) + clashes[0]
                if self.strict:
                    (a, b) = clashes[1]
                    problems.append(rec.problem(source, f"span {a.start}-{a.end} ({a.label}) overlaps span "
                                                f"{b.start}-{b.end} ({b.label})", rec.span_field))
        return attention, problems

    def _misaligned(self, rec: Record, off: list[tuple[SpanData, str]], language: str,
                    source: str) -> list[Problem]:
        """The messages for spans off the token boundaries, with the nearest boundaries as a hint."""
        if rec.tokens is not None or tokens_of(rec.meta) is not None:
            return [rec.problem(source, f"span {s.start}-{s.end} {shown(rec.text[s.start:s.end])} ({s.label}) does "
                                        "not match the file's token boundaries", fld) for s, fld in off]
        doc = self.tokenizers.tokenize(language, rec.text)
        out = []
        for s, fld in off:
            near = doc.char_span(s.start, s.end, alignment_mode="expand")
            hint = f"; the nearest token boundaries give {shown(near.text)}" if near is not None else ""
            out.append(rec.problem(source, f"span {s.start}-{s.end} {shown(rec.text[s.start:s.end])} ({s.label}) "
                                           f"does not match token boundaries{hint}", fld))
        return out


def overlapping(spans: Sequence[SpanData]) -> tuple[int, tuple[SpanData, SpanData]] | None:
    """How many of ``spans`` overlap another one (the same span twice is not an overlap), and the
    first overlapping pair; None when none do."""
    ordered = sorted(set(spans), key=lambda s: (s.start, -s.end, s.label))
    involved: set[SpanData] = set()
    first: tuple[SpanData, SpanData] | None = None
    reach: SpanData | None = None  # the span reaching furthest right so far
    for span in ordered:
        if reach is not None and span.start < reach.end:
            involved.update((reach, span))
            first = first or (reach, span)
        if reach is None or span.end > reach.end:
            reach = span
    return (len(involved), first) if first is not None else None


def tokens_of(meta: dict[str, Any]) -> list[tuple[int, int]] | None:
    """A tokenization kept in a document's meta (``"tokens": [[start, end], ...]``), if well-formed."""
    value = meta.get("tokens")
    if not isinstance(value, list) or not value:
        return None
    out = []
    for pair in value:
        if not (isinstance(pair, list | tuple) and len(pair) == 2 and all(type(v) is int for v in pair)):
            return None
        out.append((pair[0], pair[1]))
    return out

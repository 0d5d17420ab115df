"""Sentences of a document as character ranges: the units training learns from when documents are
few, and the units a bootstrap resamples when there are too few documents to resample.

Paragraphs (blank lines) first, then spaCy's rule-based ``sentencizer`` inside each: news text has
headlines and photo credits without a final full stop, which the sentencizer alone would glue to the
next sentence. Ranges never cut through an entity: a sentence boundary inside one is dropped.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from spacy.language import Language

from annotator.core.span import SpanData
from annotator.io.tokenizers import blank_pipeline
from annotator.nlp.pieces import PIECE_CHARS, split_points

_PARAGRAPH = re.compile(r"\n[ \t\u00a0]*\n\s*")
_lock = threading.Lock()
_sentencizers: dict[str, Language] = {}


def _sentencizer(language: str) -> Language:
    with _lock:
        if language not in _sentencizers:
            nlp = blank_pipeline(language)[0]  # any language, a fallback tokenizer if need be
            nlp.add_pipe("sentencizer")
            _sentencizers[language] = nlp
        return _sentencizers[language]


def sentence_ranges(text: str, language: str, entities: Sequence[SpanData] = ()) -> list[tuple[int, int]]:
    """``[(start, end), ...]`` covering every non-blank sentence of ``text`` in order, trimmed of
    surrounding whitespace, none of them splitting one of ``entities``."""
    nlp = _sentencizer(language)
    cuts: list[tuple[int, int]] = []
    position = 0
    for match in [*_PARAGRAPH.finditer(text), None]:
        end = match.start() if match is not None else len(text)
        paragraph = text[position:end]
        if paragraph.strip():
            # a paragraph longer than spaCy takes at once (E088) is read in pieces cut between words
            for piece_start, piece_end in split_points(paragraph, PIECE_CHARS):
                offset = position + piece_start
                for sent in nlp(paragraph[piece_start:piece_end]).sents:
                    cuts.append((offset + sent.start_char, offset + sent.end_char))
        if match is not None:
            position = match.end()
    ordered = sorted(entities, key=lambda s: s.start)
    starts = [e.start for e in ordered]
    merged: list[tuple[int, int]] = []
    for start, end in cuts:
        # Entities do not overlap, so the last one starting before this sentence is the only one
        # that can reach into it from the previous sentence.
        i = bisect_left(starts, start) - 1
        if merged and i >= 0 and ordered[i].end > merged[-1][1]:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return [trimmed for start, end in merged if (trimmed := _trim(text, start, end)) is not None]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def unit_of(offset: int, starts: Sequence[int]) -> int:
    """Index of the range (given by its sorted ``starts``) that contains or precedes ``offset``."""
    return max(0, bisect_right(starts, offset) - 1)

"""Long documents in pieces: where to cut a text so each piece stays under a length limit.

spaCy refuses texts over ``nlp.max_length`` (1,000,000 characters, error E088), and the NER's memory
grows with the text it is given at once (about 3 GB for one 1 MB article with ``en_core_web_sm``).
A long document is therefore cut into pieces, each run through the pipeline on its own, and the
entities shifted back by the piece's offset.

A cut is always at the end of a whitespace run, just before a non-space character: spaCy never puts
whitespace inside a word token, so no token is ever split. Within the second half of the allowed
length, the cut prefers, in order: a paragraph break (a blank line), a line break, the end of a
sentence, any whitespace; in text with no whitespace at all (Chinese, Japanese) the end of a sentence
(。！？) or, failing that, a token boundary found by the tokenizer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# Documents longer than this are processed in pieces of at most this many characters. 100,000 characters
# (about 15,000 words) keeps the NER of one piece near 0.3 GB and never splits an ordinary article.
PIECE_CHARS = 100_000

Tokenize = Callable[[str], Iterable[tuple[int, int]]]  # text -> (start, end) of its tokens

# Best first. Each pattern ends just before a non-space character, so a cut at match.end() is a token start.
_BOUNDARIES = (
    re.compile(r"\n[^\S\n]*\n\s*(?=\S)"),  # paragraph: a blank line
    re.compile(r"\n\s*(?=\S)"),  # line break
    re.compile(r"[.!?…][\"'”’»)\]]*\s+(?=\S)|[。！？]+[」』”’）]*(?=\S)"),  # end of a sentence
    re.compile(r"\s+(?=\S)"),  # any whitespace
)
_TOKENIZER_WINDOW = 2_000  # characters before the limit handed to the tokenizer when no boundary is found


def split_points(text: str, limit: int, tokenize: Tokenize | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of consecutive pieces that cover ``text`` exactly, each at most ``limit``
    characters long (one piece when the text is short enough)."""
    if limit < 2:
        raise ValueError("the piece limit must be at least 2 characters")
    pieces: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while n - start > limit:
        cut = _cut(text, start, start + limit, tokenize)
        pieces.append((start, cut))
        start = cut
    pieces.append((start, n))
    return pieces


def _cut(text: str, start: int, end: int, tokenize: Tokenize | None) -> int:
    """The best cut in ``text[start:end]``: in its second half when possible (pieces stay large), else anywhere."""
    for lowest in (start + (end - start) // 2, start + 1):
        for pattern in _BOUNDARIES:
            cut = _last_match_end(pattern, text, lowest, end)
            if cut is not None:
                return cut
    if tokenize is not None:
        window = max(start + 1, end - _TOKENIZER_WINDOW)
        starts = [window + s for s, _ in tokenize(text[window:end]) if s > 0]
        if starts:
            return starts[-1]
    return end  # one token longer than the limit: nothing better exists


def _last_match_end(pattern: re.Pattern[str], text: str, lowest: int, end: int) -> int | None:
    """The end of the last match ending in ``(lowest, end]``; the lookahead may read one character past ``end``."""
    last = None
    for match in pattern.finditer(text, max(0, lowest - 200), min(len(text), end + 1)):
        if lowest < match.end() <= end:
            last = match.end()
    return last

"""Token tags to entity spans, for every scheme the column formats use: IOB1 (``I-`` starts an
entity unless it continues one of the same type; ``B-`` only between two of the same type), IOB2
(``B-`` starts every entity), BILUO/BIOES (``L-``/``E-`` end one, ``U-``/``S-`` are single tokens),
and plain IO (a bare type). ``O`` is outside; ``-`` (a token nobody reviewed, as our CoNLL export
writes it) is outside too, and reported so the document is not taken as finished."""

from __future__ import annotations

import re
from collections.abc import Sequence

from annotator.io.formats import decode_conll_label

_TAG = re.compile(r"(?:(?P<prefix>[BIELSU])[-_])?(?P<type>.+)")
# A letter, a hyphen and a type is a prefixed tag whose prefix no scheme has ("X-FOO" is a typo of
# "B-FOO" far more often than a bare type of the IO scheme): refused, not made a label "X-FOO".
_UNKNOWN_PREFIX = re.compile(r"[A-Za-z][-_].+")
OUTSIDE = {"O", "o"}
MISSING = "-"


class TagError(ValueError):
    def __init__(self, index: int, reason: str) -> None:
        super().__init__(reason)
        self.index = index


def is_tag(tag: str) -> bool:
    """Whether ``tag`` looks like a tag of one of the schemes (for sniffing a file's format)."""
    return tag in OUTSIDE or tag == MISSING or re.fullmatch(r"[BIELSU][-_]\S+", tag) is not None


def label_of(kind: str, index: int) -> str:
    """A tag's type as a label: ``%XX`` escapes (how our CoNLL export writes spaces and ``%``) decoded."""
    try:
        return decode_conll_label(kind)
    except UnicodeDecodeError as exc:
        raise TagError(index, f"{kind!r} has a %-escape that is not UTF-8") from exc


def decode(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(first token, last token + 1, type)`` of every entity. Raises ``TagError`` for a tag that is
    not one (an empty type)."""
    out: list[tuple[int, int, str]] = []
    start: int | None = None
    kind = ""

    def close(end: int) -> None:
        nonlocal start
        if start is not None:
            out.append((start, end, label_of(kind, start)))
        start = None

    for i, tag in enumerate(tags):
        if tag in OUTSIDE or tag == MISSING:
            close(i)
            continue
        match = _TAG.fullmatch(tag)
        if match is None or not match["type"].strip() or tag[-1] in "-_":
            raise TagError(i, f"{tag!r} is not a tag (expected O, or B-/I-/L-/U-/E-/S- and a type)")
        if match["prefix"] is None and _UNKNOWN_PREFIX.fullmatch(tag):
            raise TagError(i, f"{tag!r} is not a tag: {tag[:2]!r} is no scheme's prefix (expected O, or "
                              f"B-/I-/L-/U-/E-/S- and a type)")
        prefix, this = match["prefix"] or "I", match["type"]
        if prefix in ("B", "U", "S") or this != kind or start is None:
            close(i)
            start, kind = i, this
        if prefix in ("U", "S", "L", "E"):
            close(i + 1)
    close(len(tags))
    return out

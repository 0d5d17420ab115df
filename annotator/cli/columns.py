"""Text tables on a terminal: a column as wide as its longest entry, counted in terminal cells (a CJK
character takes two, a combining mark none), so label names of any length or script line up."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any, TextIO


def cells(text: str) -> int:
    """How many terminal cells ``text`` takes: 2 for wide and fullwidth characters (East Asian width
    W or F), 0 for combining marks and invisible format characters (e.g. a zero-width joiner), else 1."""
    width = 0
    for c in text:
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return width


def width(texts: Iterable[str], at_least: int = 0) -> int:
    """The width of a column holding ``texts``: the widest of them, and at least ``at_least``."""
    return max([at_least, *map(cells, texts)])


def left(text: str, columns: int) -> str:
    """``text`` padded with spaces on the right to ``columns`` cells (``f"{text:<N}"`` counts characters)."""
    return text + " " * max(0, columns - cells(text))


def printable(text: str) -> str:
    """``text`` on one line for a terminal: runs of whitespace as one space, control characters escaped
    (``inert``)."""
    return inert(" ".join(text.split()))


def inert(text: str) -> str:
    """``text`` with its control characters (ESC, BEL, C1 codes, and line breaks: what could drive a
    terminal or fake a line) shown as their escapes (``\\x1b``); spaces and every script kept."""
    return "".join(c.encode("unicode_escape").decode("ascii") if unicodedata.category(c) == "Cc" else c
                   for c in text)


# Every control character but line feed, tab and carriage return (the progress line's return).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class InertStream:
    """The CLI's stdout and stderr: whatever a command prints, a control character that came with the
    data (a title, a label or a name in a store written before its rule, a file name) reaches the
    terminal as its escape (``\\u001b``: readable, and still valid inside a JSON string), never as a
    command to the terminal. Line feed, tab and carriage return pass."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

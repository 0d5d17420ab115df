"""Map between Python offsets (code points) and Qt text positions (UTF-16 units, CRLF as one).

``QTextDocument.setPlainText`` counts a character outside the Basic Multilingual Plane (an emoji) as
two positions and turns "\\r\\n" into a single block separator. The map is built from the *stored*
text, never from what the widget gives back (which also rewrites NBSP as a space).
"""

from __future__ import annotations

import re
from bisect import bisect_right

_IRREGULAR = re.compile("[\U00010000-\U0010FFFF]|\r\n")


class OffsetMap:
    def __init__(self, text: str) -> None:
        irregular = list(_IRREGULAR.finditer(text))  # astral characters and CRLF, found in C
        self._identity = not irregular
        self.length = len(text)
        # Only the irregular points are stored, as cumulative shifts (qt - python) from that point on,
        # which keeps a 1 MB article cheap.
        self._points: list[int] = []
        self._shifts: list[int] = []
        shift = 0
        for match in irregular:
            shift += 1 if match.group() != "\r\n" else -1
            self._points.append(match.end())
            self._shifts.append(shift)
        self._qt = [p + s for p, s in zip(self._points, self._shifts, strict=True)]

    def to_qt(self, offset: int) -> int:
        if self._identity:
            return offset
        i = bisect_right(self._points, offset) - 1
        return offset + (self._shifts[i] if i >= 0 else 0)

    def to_python(self, position: int) -> int:
        """The code point at or before Qt ``position`` (a position inside a surrogate pair or between
        CR and LF maps to the character it belongs to)."""
        if self._identity:
            return min(position, self.length)
        i = bisect_right(self._qt, position) - 1
        shift = self._shifts[i] if i >= 0 else 0
        offset = position - shift
        # Positions falling in the gap just before an irregular point belong to the previous char.
        if i + 1 < len(self._points) and offset >= self._points[i + 1]:
            offset = self._points[i + 1] - 1
        return max(0, min(offset, self.length))

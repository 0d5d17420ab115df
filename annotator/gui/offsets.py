"""Map between Python offsets (code points) and Qt text positions (UTF-16 units, CRLF as one).

``QTextDocument.setPlainText`` counts a character outside the Basic Multilingual Plane (an emoji) as
two positions and turns "\\r\\n" into a single block separator. The map is built from the *stored*
text, never from what the widget gives back (which also rewrites NBSP as a space).
"""

from __future__ import annotations

from bisect import bisect_right


class OffsetMap:
    def __init__(self, text: str) -> None:
        self._identity = "\r\n" not in text and all(ord(c) <= 0xFFFF for c in text if ord(c) > 0xD7FF)
        self.length = len(text)
        if self._identity:
            self._qt: list[int] = []
            return
        # qt[i] = Qt position of code point i; qt[len] = Qt length. Only the irregular points are
        # stored (as cumulative shifts) to keep a 1 MB article cheap.
        self._points: list[int] = []  # code point offsets after which the shift changes
        self._shifts: list[int] = []  # cumulative shift (qt - python) from that point on
        shift = 0
        prev = ""
        for i, c in enumerate(text):
            if ord(c) > 0xFFFF:
                shift += 1
                self._points.append(i + 1)
                self._shifts.append(shift)
            elif c == "\n" and prev == "\r":
                shift -= 1
                self._points.append(i + 1)
                self._shifts.append(shift)
            prev = c
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

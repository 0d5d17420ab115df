"""Token snapping: a mouse or keyboard selection becomes a span on token boundaries.

Pure functions over token offsets (the tokens themselves come from spaCy in ``annotator.nlp``), so the
GUI, the CLI and tests snap identically.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Snap:
    """Result of snapping: either ``start``/``end`` on token boundaries, or a ``reason`` it was refused."""

    start: int | None
    end: int | None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class TokenBounds:
    """Sorted, non-overlapping (start, end) character offsets of a document's tokens."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def from_offsets(cls, offsets: Sequence[tuple[int, int]]) -> TokenBounds:
        return cls(tuple(s for s, _ in offsets), tuple(e for _, e in offsets))

    def __len__(self) -> int:
        return len(self.starts)

    def aligned(self, start: int, end: int) -> bool:
        """True when [start, end) begins at a token start and ends at a token end."""
        i = bisect_left(self.starts, start)
        j = bisect_left(self.ends, end)
        return i < len(self.starts) and self.starts[i] == start and j < len(self.ends) and self.ends[j] == end

    def token_range(self, start: int, end: int) -> tuple[int, int] | None:
        """Indices (first, last inclusive) of the tokens an aligned span covers, else None."""
        i = bisect_left(self.starts, start)
        j = bisect_left(self.ends, end)
        if i < len(self.starts) and self.starts[i] == start and j < len(self.ends) and self.ends[j] == end:
            return i, j
        return None

    def snap(self, start: int, end: int) -> Snap:
        """Grow a selection to whole tokens: every token the selection touches is included.

        Whitespace around the selection is dropped. A selection of only whitespace is refused.
        """
        if start > end:
            start, end = end, start
        if start == end:
            return Snap(None, None, "nothing is selected")
        # First token whose end lies after the selection start; last token whose start lies before its end.
        first = bisect_right(self.ends, start)
        last = bisect_left(self.starts, end) - 1
        if first >= len(self.starts) or last < first:
            return Snap(None, None, "the selection holds no token (only whitespace)")
        return Snap(self.starts[first], self.ends[last])

    def grow(self, start: int, end: int, at_start: bool) -> tuple[int, int] | None:
        """Extend an aligned span by one token to the left (``at_start``) or right; None at the edge."""
        rng = self.token_range(start, end)
        if rng is None:
            return None
        first, last = rng
        if at_start:
            return (self.starts[first - 1], end) if first > 0 else None
        return (start, self.ends[last + 1]) if last + 1 < len(self.ends) else None

    def shrink(self, start: int, end: int, at_start: bool) -> tuple[int, int] | None:
        """Drop one token from the left (``at_start``) or right; None if only one token is left."""
        rng = self.token_range(start, end)
        if rng is None or rng[0] == rng[1]:
            return None
        first, last = rng
        if at_start:
            return self.starts[first + 1], end
        return start, self.ends[last - 1]

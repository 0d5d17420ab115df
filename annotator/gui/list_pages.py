"""The document list's rows a page at a time, only a few pages of them held (``DocumentTableModel``).

Every page ever read keeps where it starts (its keyset cursor, a few bytes) and how many rows it
holds, so row numbers never move; its rows are kept only while it is among the ``keep`` pages used
most recently (the first page always), and a page dropped is read again from its cursor when it is
shown again. Memory is then the same at ten thousand articles scrolled through as at a million.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Iterator, Sequence

from annotator.store.listing import Cursor
from annotator.store.records import DocumentSummary

KEEP = 12  # pages held (200 rows each): what a view shows, and what a refresh re-reads to keep the place


class PageCache:
    """Rows by row number, a page at a time: ``get`` answers for held pages only (a dropped page
    reads as not held, and is asked for again through its ``start``)."""

    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self.clear()

    def clear(self) -> None:
        self._starts: list[Cursor | None] = []  # where each page starts (the first: None)
        self._firsts: list[int] = []  # the row number of each page's first row
        self._count = 0
        self._held: OrderedDict[int, list[DocumentSummary | None]] = OrderedDict()  # least recently used first
        self._row_of: dict[int, int] = {}  # document id -> row, for the rows held only

    def __len__(self) -> int:
        return self._count

    def append(self, start: Cursor | None, rows: Sequence[DocumentSummary]) -> None:
        """A page read past the last one (``start``: where it was read from)."""
        page = len(self._starts)
        self._starts.append(start)
        self._firsts.append(self._count)
        self._count += len(rows)
        self._hold(page, list[DocumentSummary | None](rows))

    def page_count(self) -> int:
        return len(self._starts)

    def page_of(self, row: int) -> int:
        return bisect.bisect_right(self._firsts, row) - 1

    def start(self, page: int) -> Cursor | None:
        return self._starts[page]

    def rows_of(self, page: int) -> range:
        """The row numbers of a page."""
        end = self._firsts[page + 1] if page + 1 < len(self._firsts) else self._count
        return range(self._firsts[page], end)

    def held(self, page: int) -> bool:
        return page in self._held

    def get(self, row: int) -> DocumentSummary | None:
        """The row, when its page is held (then it counts as used); None otherwise, or when the page,
        read again, came back shorter (rows gone since)."""
        page = self.page_of(row)
        rows = self._held.get(page)
        if rows is None:
            return None
        self._held.move_to_end(page)
        return rows[row - self._firsts[page]]

    def fill(self, page: int, rows: Sequence[DocumentSummary]) -> range:
        """A dropped page read again: its rows (those not held elsewhere, as many as it had); returns
        its row numbers."""
        span = self.rows_of(page)
        if page in self._held:
            self._drop(page)
        fresh: list[DocumentSummary | None] = []
        fresh.extend([r for r in rows if r.id not in self._row_of][:len(span)])
        self._hold(page, fresh + [None] * (len(span) - len(fresh)))
        return span

    def _hold(self, page: int, rows: list[DocumentSummary | None]) -> None:
        first = self._firsts[page]
        self._held[page] = rows
        for i, r in enumerate(rows):
            if r is not None:
                self._row_of[r.id] = first + i
        while len(self._held) > max(3, self.keep):  # the first page and two a view may straddle
            oldest = next((p for p in self._held if p not in (0, page)), None)
            if oldest is None:
                break
            self._drop(oldest)

    def _drop(self, page: int) -> None:
        for r in self._held.pop(page):
            if r is not None:
                del self._row_of[r.id]

    def row_of(self, document_id: int) -> int | None:
        return self._row_of.get(document_id)

    def replace(self, row: int, summary: DocumentSummary) -> DocumentSummary | None:
        page = self.page_of(row)
        rows = self._held[page]
        old, rows[row - self._firsts[page]] = rows[row - self._firsts[page]], summary
        return old

    def held_rows(self) -> Iterator[DocumentSummary]:
        """The rows held, in row order."""
        for page in sorted(self._held):
            yield from (r for r in self._held[page] if r is not None)

"""Progress of long commands on stderr."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class TerminalProgress:
    """Progress on stderr: a live line on a terminal, a line every few seconds in a log."""

    def __init__(self, stream: TextIO | None = None, every: float = 2.0) -> None:
        self.stream = stream if stream is not None else sys.stderr  # the one in place now, not at import
        self.every = every
        self.tty = self.stream.isatty()
        self._last = 0.0
        self._width = 0

    def __call__(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        final = total > 0 and done >= total
        if not self.tty and not final and now - self._last < self.every:
            return
        self._last = now
        pct = f"{100 * done / total:5.1f}%" if total else "     "
        line = f"{pct} {message}"
        if self.tty:
            self.stream.write("\r" + line.ljust(self._width))
            self._width = len(line)
            if final:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

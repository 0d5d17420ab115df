"""Errors the domain raises, each carrying where the problem is so messages can name it.

They live in ``core`` so every layer (store, io, nlp, gui, cli) can raise and catch the same types
without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass


class AnnotatorError(Exception):
    """Base of every error meant to be shown to the user as is (no traceback)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: which file, which line (1-based) and which field, and why."""

    source: str
    reason: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f", line {self.line}"
        if self.field is not None:
            where += f", field '{self.field}'"
        return f"{where}: {self.reason}"


class InputRefused(AnnotatorError):
    """An import refused as a whole: nothing was written. Lists every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        shown = "\n".join(f"  {p}" for p in self.problems[:20])
        more = len(self.problems) - 20
        if more > 0:
            shown += f"\n  ... and {more} more"
        super().__init__(f"import refused, nothing was imported:\n{shown}")


class SpanRefused(AnnotatorError):
    """An edit that would make a span invalid (out of range, empty, overlapping, not on tokens)."""


class ConflictError(AnnotatorError):
    """Someone else changed the document since it was read (optimistic locking)."""


class NotFound(AnnotatorError):
    """A document, span or label asked for by id or name does not exist."""


class StoreUnavailable(AnnotatorError):
    """The database could not be reached (connection lost, server down). The edit was rolled back
    whole; trying again is safe."""


class StoreDamaged(AnnotatorError):
    """The database file is damaged or is not an annotator store. Nothing was read as if it were whole:
    the message (one line) names the file, what is wrong, what did not happen, and how to get the data
    back."""

    def __init__(self, database: str, detail: str, advice: str, outcome: str | None = None) -> None:
        self.database, self.detail, self.advice, self.outcome = database, detail, advice, outcome
        done = f"; {outcome}" if outcome else ""
        super().__init__(f"the database file {database} is damaged ({detail}){done}. {advice}")

    def with_outcome(self, outcome: str) -> StoreDamaged:
        """The same error, saying what the interrupted work did not do (e.g. "nothing was exported")."""
        return StoreDamaged(self.database, self.detail, self.advice, outcome)


class SchemaUnknown(AnnotatorError):
    """The store's schema revision is not one this version of annotator knows (made by a newer version,
    or not a revision at all). Nothing was changed and no backup was written."""

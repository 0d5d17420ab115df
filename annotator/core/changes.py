"""What an edit changed, so views refresh only what moved and undo can invert any edit.

Every edit on the store returns a ``Changes``. Undo is ``store.revert(changes)``, which itself returns
the ``Changes`` that redo reverts again: one inverse for every kind of edit (Anki's ``OpChanges`` idea).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from annotator.core.document import DocumentStatus
from annotator.core.span import Span


@dataclass(frozen=True)
class StatusChange:
    """A document's status moved from ``before`` (set by ``before_by``) to ``after`` (set by ``after_by``).

    ``None`` for who set it means nobody (a document no one has touched) or not recorded."""

    document_id: int
    before: DocumentStatus
    after: DocumentStatus
    before_by: str | None = None
    after_by: str | None = None

    def inverted(self) -> StatusChange:
        return StatusChange(self.document_id, self.after, self.before, self.after_by, self.before_by)


@dataclass(frozen=True)
class Changes:
    """Rows an edit added and removed, and document status moves, all in one committed transaction."""

    document_ids: frozenset[int] = frozenset()
    added: tuple[Span, ...] = ()
    removed: tuple[Span, ...] = ()
    statuses: tuple[StatusChange, ...] = ()
    labels_changed: bool = False
    description: str = ""
    # Document id -> that document's version once this was committed: what a window that made the
    # edit has now seen (pass it back as the expected version of its next edit or undo). Read-only.
    versions: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({}), compare=False)

    def __post_init__(self) -> None:
        # A private read-only copy: a caller's dict changed later cannot change a committed record.
        object.__setattr__(self, "versions", MappingProxyType(dict(self.versions)))

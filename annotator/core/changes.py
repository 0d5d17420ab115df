"""What an edit changed, so views refresh only what moved and undo can invert any edit.

Every edit on the store returns a ``Changes``. Undo is ``store.revert(changes)``, which itself returns
the ``Changes`` that redo reverts again: one inverse for every kind of edit (Anki's ``OpChanges`` idea).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator.core.document import DocumentStatus
from annotator.core.span import Span


@dataclass(frozen=True)
class StatusChange:
    document_id: int
    before: DocumentStatus
    after: DocumentStatus


@dataclass(frozen=True)
class Changes:
    """Rows an edit added and removed, and document status moves, all in one committed transaction."""

    document_ids: frozenset[int] = frozenset()
    added: tuple[Span, ...] = ()
    removed: tuple[Span, ...] = ()
    statuses: tuple[StatusChange, ...] = ()
    labels_changed: bool = False
    description: str = ""
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.statuses or self.labels_changed)

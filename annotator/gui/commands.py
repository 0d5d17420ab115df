"""Undo commands: each wraps one store edit that has *already been committed*.

The edit runs before the command is pushed (so a refused edit never reaches the undo stack); redo
after an undo and undo itself are ``store.revert``, which inverts any ``Changes``. Views refresh from
the ``Changes`` each step reports, never from their own idea of what happened.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from annotator.core.changes import Changes
from annotator.store import Store


class StoreEditCommand(QUndoCommand):
    def __init__(self, store: Store, changes: Changes, apply: Callable[[Changes], None]) -> None:
        super().__init__(changes.description or "edit")
        self._store = store
        self._changes = changes  # what redo did last (the committed edit, at first)
        self._inverse: Changes | None = None
        self._apply = apply
        self._first = True

    def redo(self) -> None:
        if self._first:  # the edit was committed before push(); Qt calls redo() once on push
            self._first = False
            return
        assert self._inverse is not None
        self._changes = self._store.revert(self._inverse)
        self._apply(self._changes)

    def undo(self) -> None:
        self._inverse = self._store.revert(self._changes)
        self._apply(self._inverse)

"""Blank lines before an article's first text (seed 004 starts with two line breaks) are not drawn, so
the article and its cursor start at the top of the view. The stored text and every offset stay as they
are: the blocks are only made invisible."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QTextCursor, QTextDocument

from annotator.gui.offsets import OffsetMap


def hide_leading_blank_lines(document: QTextDocument, text: str, first_span: Sequence[int],
                             offsets: OffsetMap) -> QTextCursor:
    """Hide the whole lines of whitespace before the first text (never a line where an entity, at
    ``first_span`` when given, starts); return a cursor at the first character drawn."""
    lead = len(text) - len(text.lstrip())
    end = offsets.to_qt(min([lead, *first_span]))
    block, hidden = document.firstBlock(), 0
    while block.isValid() and block.position() + block.length() <= end:
        block.setVisible(False)
        hidden = block.position() + block.length()
        block = block.next()
    if hidden:  # lay the hidden lines out again; a zero-length mark would leave the whole article unlaid
        document.markContentsDirty(0, hidden)
    cursor = QTextCursor(document)
    cursor.setPosition(block.position() if block.isValid() else 0)
    return cursor

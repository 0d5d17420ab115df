"""The article: plain text (never HTML), every entity in its label's colour with a label tag under it.

Confirmed entities are solid; model suggestions nobody confirmed are pale with a dashed underline.
Formats are merged once per span inside one edit block, with the document's undo switched off; after
an edit only the touched ranges are re-formatted, so a 20,000-span article stays responsive.
Keys are turned into named commands (``command`` signal); the window decides what they do.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from re import Pattern

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QTextEdit, QToolTip, QWidget

from annotator.core.labels import Label
from annotator.core.span import Layer, Span
from annotator.gui import plain
from annotator.gui.leading_lines import hide_leading_blank_lines
from annotator.gui.offsets import OffsetMap
from annotator.store.search import hit_pattern

# Keys that act on the selection, whatever the label scheme (labels use digits and other letters).
COMMAND_KEYS: dict[tuple[int, bool], str] = {
    (Qt.Key.Key_Delete, False): "delete",
    (Qt.Key.Key_Backspace, False): "delete",
    (Qt.Key.Key_Return, False): "confirm",
    (Qt.Key.Key_Enter, False): "confirm",
    (Qt.Key.Key_Tab, False): "next-span",
    (Qt.Key.Key_Backtab, True): "previous-span",
    (Qt.Key.Key_Escape, False): "clear",
    (Qt.Key.Key_Equal, False): "label-all",
    (Qt.Key.Key_Space, False): "next-suggestion",
    (Qt.Key.Key_Space, True): "previous-suggestion",
    (Qt.Key.Key_BracketLeft, False): "grow-start",
    (Qt.Key.Key_BracketRight, False): "grow-end",
    (Qt.Key.Key_BraceLeft, True): "shrink-start",
    (Qt.Key.Key_BraceRight, True): "shrink-end",
}
MAX_HITS = 2000  # search hits marked in one article (a one-letter search in a long article)
LINE_HEIGHT_PERCENT = 175  # room under each line for the label tags


ENTITY_TEXT = QColor("#111111")  # on every entity background, light or dark theme alike
TINT = 0.3  # a suggestion's background: 30 % of its label's colour over white


def suggestion_colour(colour: str) -> QColor:
    """The pale, opaque tint a suggestion is drawn with (opaque: the same on a dark theme)."""
    c = QColor(colour)
    return QColor(*(round(TINT * v + (1 - TINT) * 255) for v in (c.red(), c.green(), c.blue())))


class ArticleView(QTextEdit):
    command = Signal(str, str)  # (command, argument): ("label", "PERSON"), ("delete", ""), ...
    spanSelected = Signal(object)  # Span | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setUndoRedoEnabled(False)
        self.document().setUndoRedoEnabled(False)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setTabChangesFocus(False)
        font = QFont(self.font())
        font.setPointSize(max(font.pointSize(), 11) + 1)
        self.setFont(font)
        self.setMouseTracking(True)
        self._tag_font = QFont(font)
        self._tag_font.setPointSizeF(font.pointSizeF() * 0.62)
        self._tag_font.setBold(True)
        self._text = ""
        self._map = OffsetMap("")
        self._spans: list[Span] = []
        self._starts: list[int] = []
        self._labels: dict[str, Label] = {}
        self._keys: dict[str, str] = {}
        self._selected: Span | None = None
        self._search: Pattern[str] | None = None  # the list's text search, marked in the article
        self._hits: list[QTextEdit.ExtraSelection] = []

    # -- content ------------------------------------------------------------------------------

    def labels(self) -> list[Label]:
        return list(self._labels.values())

    def set_labels(self, labels: Iterable[Label]) -> None:
        self._labels = {label.name: label for label in labels}
        self._keys = {label.key.lower(): label.name for label in self._labels.values() if label.key}

    def show_document(self, text: str, spans: Iterable[Span]) -> None:
        """Replace the article. The text goes in with setPlainText only: markup stays literal text."""
        if self._selected is not None:
            self._selected = None
            self.spanSelected.emit(None)
        self._text = text
        self._map = OffsetMap(text)
        self.setExtraSelections([])
        # setPlainText inserts with the *current* char format: if the cursor sat in an entity of the
        # previous article, its colour would flood the whole new one.
        self.moveCursor(QTextCursor.MoveOperation.Start)
        self.setCurrentCharFormat(QTextCharFormat())
        self.setPlainText(text)
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        block = QTextBlockFormat()
        block.setLineHeight(LINE_HEIGHT_PERCENT, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        cursor.mergeBlockFormat(block)
        cursor.endEditBlock()
        self._set_spans(list(spans))
        self._format(self._spans)
        # blank lines before the first text are not drawn: the text and the cursor start at the top
        self.setTextCursor(hide_leading_blank_lines(self.document(), self._text, self._starts[:1], self._map))
        self._mark_hits()

    def mark_words(self, words: list[str]) -> None:
        """Mark where the list's text search matches: each word at the start of a word, any case."""
        self._search = hit_pattern(words)
        self._mark_hits()
        if self._selected is not None:
            self.select_span(self._selected)

    def search_hits(self) -> list[tuple[int, int]]:
        """The marked search hits, as (start, end) offsets into the text."""
        return [(m.start(), m.end()) for m in self._search.finditer(self._text)] if self._search else []

    def _mark_hits(self) -> None:
        self._hits = []
        fmt = QTextCharFormat()
        fmt.setBackground(QColor("#ffe14d"))
        fmt.setFontUnderline(True)
        for start, end in self.search_hits()[:MAX_HITS]:
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(self._map.to_qt(start))
            cursor.setPosition(self._map.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
            sel.cursor, sel.format = cursor, fmt
            self._hits.append(sel)
        self.setExtraSelections(self._hits)

    def update_spans(self, spans: Iterable[Span], dirty: Iterable[tuple[int, int]]) -> None:
        """New span list after an edit; only the ``dirty`` (start, end) ranges are re-formatted."""
        selected_id = self._selected.id if self._selected else None
        self._set_spans(list(spans))
        ranges = list(dirty)
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        for start, end in ranges:
            cursor.setPosition(self._map.to_qt(start))
            cursor.setPosition(self._map.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
            cursor.setCharFormat(QTextCharFormat())
        cursor.endEditBlock()
        touched = {s.id: s for a, b in ranges for s in self.spans_between(a, b)}
        self._format(touched.values())
        # A text selection made meanwhile (while the edit was being saved) stays: the person's newer choice.
        keep = None if self.textCursor().hasSelection() else selected_id
        self.select_span(next((s for s in self._spans if s.id == keep), None))
        self.viewport().update()

    def _set_spans(self, spans: list[Span]) -> None:
        self._spans = sorted(spans, key=lambda s: s.start)
        self._starts = [s.start for s in self._spans]

    def _format(self, spans: Iterable[Span]) -> None:
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        for span in spans:
            label = self._labels.get(span.label)
            colour = label.colour if label else "#dddddd"
            fmt = QTextCharFormat()
            fmt.setForeground(ENTITY_TEXT)
            if span.layer is Layer.MODEL:
                fmt.setBackground(suggestion_colour(colour))
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
                fmt.setUnderlineColor(QColor(colour).darker(170))
            else:
                fmt.setBackground(QColor(colour))
            cursor.setPosition(self._map.to_qt(span.start))
            cursor.setPosition(self._map.to_qt(span.end), QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)
        cursor.endEditBlock()

    # -- queries ------------------------------------------------------------------------------

    @property
    def spans(self) -> list[Span]:
        return list(self._spans)

    @property
    def selected_span(self) -> Span | None:
        return self._selected

    def spans_between(self, start: int, end: int) -> list[Span]:
        i = max(0, bisect_right(self._starts, start) - 1)
        out = []
        for span in self._spans[i:]:
            if span.start >= end:
                break
            if span.end > start:
                out.append(span)
        return out

    def span_at(self, offset: int) -> Span | None:
        i = bisect_right(self._starts, offset) - 1
        if i >= 0 and self._spans[i].start <= offset < self._spans[i].end:
            return self._spans[i]
        return None

    def selection(self) -> tuple[int, int] | None:
        """The text selection in Python offsets, or None."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self._map.to_python(cursor.selectionStart()), self._map.to_python(cursor.selectionEnd())

    def select_range(self, start: int, end: int) -> None:
        """Select [start, end) (Python offsets) as if by mouse; used by keyboard flows and tests."""
        cursor = self.textCursor()
        cursor.setPosition(self._map.to_qt(start))
        cursor.setPosition(self._map.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def offset_at(self, point: QPoint) -> int:
        return self._map.to_python(self.cursorForPosition(point).position())

    # -- selection of a span ------------------------------------------------------------------

    def clear_selection(self) -> None:
        """Esc: no entity and no text selected, so a label key has nothing to act on."""
        self.select_span(None)
        self.clear_text_selection()

    def clear_text_selection(self) -> None:
        text_cursor = self.textCursor()
        if text_cursor.hasSelection():
            text_cursor.clearSelection()
            self.setTextCursor(text_cursor)

    def select_span(self, span: Span | None) -> None:
        self._selected = span
        extra = []
        if span is not None:
            self.clear_text_selection()  # the next label key acts on the entity, not on old text
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(self._map.to_qt(span.start))
            cursor.setPosition(self._map.to_qt(span.end), QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            fmt = QTextCharFormat()
            label = self._labels.get(span.label)
            fmt.setBackground(QColor(label.colour if label else "#cccccc").darker(150))
            fmt.setForeground(QColor("white"))
            fmt.setProperty(QTextFormat.Property.FullWidthSelection, False)
            sel.format = fmt
            extra.append(sel)
            self.ensure_visible(span)
        self.setExtraSelections(self._hits + extra)
        self.spanSelected.emit(span)
        self.viewport().update()

    def ensure_visible(self, span: Span) -> None:
        """Scroll only when the entity is off screen or within two lines of an edge (where its label tag
        would be cut off); it then comes to a third of the way down, with the text after it in view."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_qt(span.start))
        rect = self.cursorRect(cursor)
        margin = 2 * rect.height()
        height = self.viewport().height()
        if rect.top() < margin or rect.bottom() > height - margin:
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() + rect.top() - height // 3)

    def step_span(self, forward: bool, suggestions_only: bool = False) -> bool:
        """Select the next (previous) entity in reading order, from the selected one or, with none
        selected, from the text cursor (so the place is kept after a deletion); wraps around.
        ``suggestions_only``: the next suggestion this annotator has not reviewed. False when there is none."""
        spans = [s for s in self._spans if s.layer is Layer.MODEL] if suggestions_only else self._spans
        if not spans:
            return False
        starts = [s.start for s in spans] if suggestions_only else self._starts
        if self._selected is not None:
            anchor, inclusive = self._selected.start, False
        else:
            anchor, inclusive = self._map.to_python(self.textCursor().position()), True
        if forward:
            i = bisect_left(starts, anchor) if inclusive else bisect_right(starts, anchor)
            nxt = spans[i % len(spans)]
        else:
            i = bisect_left(starts, anchor) - 1
            nxt = spans[i % len(spans)]
        self.select_span(nxt)
        return True

    # -- events -------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        plain = not (event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                                          | Qt.KeyboardModifier.MetaModifier))
        name = COMMAND_KEYS.get((event.key(), shift)) if plain else None
        if name is None and plain:
            name = COMMAND_KEYS.get((event.key(), not shift))  # keyboards differ on Shift for [ ] { }
            if name in ("delete", "confirm", "clear", "next-span", "next-suggestion"):
                name = None
        if name is not None:
            self.command.emit(name, "")
            event.accept()
            return
        text = event.text().lower()
        if plain and text and text in self._keys:
            self.command.emit("label", self._keys[text])
            event.accept()
            return
        if plain and len(text) == 1 and text.isalnum():  # a letter or digit no label uses: say so
            self.command.emit("unbound", text)
            event.accept()
            return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: A002 - Qt's name
        return False  # Tab steps through entities, not widgets

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            self.select_span(self.span_at(self.offset_at(event.position().toPoint())))

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            span = self.span_at(self.offset_at(event.pos()))
            if span is not None:
                what = (f"suggested by {span.author} — Enter confirms, Delete dismisses"
                        if span.layer is Layer.MODEL else f"confirmed by {span.author}")
                text = f"{span.label}: {self._text[span.start:span.end]}\n{what}"
                QToolTip.showText(event.globalPos(), plain.tooltip(text), self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw each visible entity's label as a small tag under its first character."""
        super().paintEvent(event)
        if not self._spans:
            return
        rect = self.viewport().rect()
        first = self._map.to_python(self.cursorForPosition(rect.topLeft()).position())
        painter = QPainter(self.viewport())
        painter.setFont(self._tag_font)
        metrics = QFontMetrics(self._tag_font)
        cursor = QTextCursor(self.document())
        # Walk from the first visible line and stop below the viewport: asking Qt for the last visible
        # position is unreliable before layout settles and would make a huge article paint every tag.
        i = max(0, bisect_left(self._starts, max(0, first - 200)))
        for span in self._spans[i:]:
            cursor.setPosition(self._map.to_qt(span.start))
            r = self.cursorRect(cursor)
            if r.top() > rect.bottom():
                break
            if r.bottom() + metrics.height() < 0:
                continue
            label = self._labels.get(span.label)
            colour = QColor(label.colour if label else "#dddddd")
            width = metrics.horizontalAdvance(span.label) + 6
            # an entity starting at the end of a line would push its tag past the edge: keep it inside
            left = max(0, min(r.left(), rect.right() - width - 1))
            tag = QRect(left, r.bottom() - 1, width, metrics.height())
            if span.layer is Layer.MODEL:
                painter.setPen(colour.darker(170))
                painter.setBrush(QColor("white"))
            else:
                painter.setPen(colour.darker(170))
                painter.setBrush(colour)
            painter.drawRoundedRect(tag, 3, 3)
            painter.setPen(QColor("#202020"))
            painter.drawText(tag, int(Qt.AlignmentFlag.AlignCenter), span.label)
        painter.end()


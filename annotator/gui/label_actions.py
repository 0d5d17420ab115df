"""Adding a label and changing a label's colour (Edit → Add label…, the palette's buttons): the
store call runs on the database worker, then every view shows the new label set."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog, QWidget

from annotator.core.errors import AnnotatorError
from annotator.core.labels import Label
from annotator.gui.editor_panel import EditorPanel
from annotator.gui.label_palette import AddLabelDialog
from annotator.gui.ops import Op, Ops
from annotator.store import Store


class LabelActions:
    def __init__(self, parent: QWidget, store: Store, ops: Ops, editor: EditorPanel,
                 show_labels: Callable[[list[Label]], None], notify: Callable[..., None]) -> None:
        self.parent, self.store, self.ops, self.editor = parent, store, ops, editor
        self.show_labels, self.notify = show_labels, notify

    def add_label(self) -> None:
        dialog = AddLabelDialog(self.parent, self.editor.article.labels())
        if not dialog.exec():
            return
        label, store = dialog.label(), self.store

        def added(labels: list[Label]) -> None:
            self.show_labels(labels)
            self.notify(f"label {label.name} added")

        def refused(exc: AnnotatorError) -> None:
            self.notify(f"label not added: {exc}", warn=True)

        self.ops.run(Op(lambda: (store.add_label(label), store.labels())[1], added, refused, "add a label"))

    def change_colour(self, name: str, colour: str | None = None) -> None:
        """A label's colour (asked with a colour dialog unless given), then every view redrawn."""
        current = next((lb for lb in self.editor.article.labels() if lb.name == name), None)
        if current is None:
            return
        if colour is None:
            chosen = QColorDialog.getColor(QColor(current.colour), self.parent, f"Colour of {name}")
            if not chosen.isValid():
                return
            colour = chosen.name()
        label, store = Label(name, colour, current.key, current.description), self.store

        def changed(labels: list[Label]) -> None:
            self.show_labels(labels)
            self.editor.reload()  # redraw the article in the new colour, keeping the place

        self.ops.run(Op(lambda: (store.add_label(label), store.labels())[1], changed,
                        lambda exc: self.notify(f"colour not changed: {exc}", warn=True), "change a colour"))

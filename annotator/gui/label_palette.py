"""The label palette: legend (colour, name, shortcut) that also applies a label when clicked, and the
dialog that adds a label to the scheme."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from annotator.core.labels import Label, label_name, label_name_problem
from annotator.gui import plain
from annotator.gui.label_colours import new_label_colour
from annotator.gui.layouts import clear_layout

LABELS_MIN = 150  # px: the palette's narrowest, whatever its labels
NAME_MAX = 170  # px: a label name wider than this is elided on its button (the tooltip has it whole)


class LabelPalette(QWidget):
    labelClicked = Signal(str)
    addRequested = Signal()
    colourRequested = Signal(str)  # right-click on a label: change its colour

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(LABELS_MIN)
        self.outer = outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        title = QLabel("<b>Labels</b> — select text, then press the key")
        title.setWordWrap(True)
        outer.addWidget(title)
        self._inner = QWidget()
        self._list = QVBoxLayout(self._inner)
        self._list.setContentsMargins(0, 0, 0, 0)
        self._list.setSpacing(2)
        self.labels_area = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._inner)
        # Never sideways: when the window is short (a long message in the status bar, 700 px) the
        # vertical scroll bar took the buttons' room and "[w] WORK_OF_ART" was cut under a second bar.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a click on a label button gives it no keys either
        outer.addWidget(scroll, 1)
        legend = QLabel("solid = confirmed · pale dashed = suggestion")
        legend.setWordWrap(True)
        outer.addWidget(legend)
        add = QPushButton("Add label…")
        add.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # after its dialog the keys go back to the article
        add.clicked.connect(self.addRequested.emit)
        outer.addWidget(add)
        self.buttons: dict[str, QPushButton] = {}

    def set_labels(self, labels: list[Label]) -> None:
        clear_layout(self._list)
        self.buttons = {}
        for label in labels:
            key = f"[{label.key}]" if label.key else "   "
            # a long name (up to 64 characters) is shortened in the middle: the panel stays narrow
            shown = self.fontMetrics().elidedText(label.name, Qt.TextElideMode.ElideMiddle, NAME_MAX)
            button = QPushButton(f"{key}  {plain.no_mnemonic(shown)}")
            # a click applies the label and leaves the keys with the article: a focused button took Tab
            # (walking the buttons) and Space (pressing the next label on the selected entity)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            said = label.description or label.name
            button.setToolTip(plain.tooltip((f"{label.name}\n{said}" if shown != label.name and said != label.name
                                             else said) + "\n(right-click: change colour)"))
            button.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            button.customContextMenuRequested.connect(lambda _pos, name=label.name: self.colourRequested.emit(name))
            text = "#202020"
            button.setStyleSheet(
                f"QPushButton {{ background: {label.colour}; color: {text}; text-align: left; padding: 3px 6px;"
                f" border: 1px solid {QColor(label.colour).darker(140).name()}; border-radius: 3px; }}"
            )
            button.clicked.connect(lambda _=False, name=label.name: self.labelClicked.emit(name))
            self._list.addWidget(button)
            self.buttons[label.name] = button
        self._list.addStretch(1)
        widest = max((b.sizeHint().width() for b in self.buttons.values()), default=0)
        bar = self.labels_area.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self.labels_area)
        # the panel, not only its list, asks for the buttons and the bar beside them: a list wider than the
        # panel the splitter gave was cut at the window's edge
        margins = self.outer.contentsMargins()
        self.setMinimumWidth(max(LABELS_MIN, widest + bar + 2 * self.labels_area.frameWidth() + margins.left()
                                 + margins.right()))


class AddLabelDialog(QDialog):
    """Name, colour and key of a new label. The name is kept as typed (NFC, edges trimmed), so a label
    typed here and the same label in an imported file are one label; while the name breaks the label
    rule the dialog says why (``label_name_problem``, the rule every importer applies) and OK is off;
    so it does for a name already in ``labels`` (adding it silently replaced that label's colour and
    key) and a shortcut another label has. The store checks again."""

    def __init__(self, parent: QWidget | None = None, labels: Sequence[Label] = ()) -> None:
        super().__init__(parent)
        self.labels = list(labels)
        self.setWindowTitle("Add label")
        form = QFormLayout(self)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. MINISTRY or Job Title")
        self.problem = plain.label()
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.key = QLineEdit()
        self.key.setMaxLength(1)
        self.key.setPlaceholderText("one letter or digit (optional)")
        for edit in (self.name, self.key):  # placeholders whole
            edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance(edit.placeholderText()) + 24)
        self.colour = new_label_colour(lb.colour for lb in self.labels)  # apart from every label's colour
        self.colour_button = QPushButton(self.colour.name())
        self.colour_button.clicked.connect(self._pick)
        self._paint()
        form.addRow("Name", self.name)
        form.addRow(self.problem)
        form.addRow("Colour", self.colour_button)
        form.addRow("Shortcut", self.key)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.name.textChanged.connect(self._check)
        self.key.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        name, key = label_name(self.name.text()), self.key.text().strip()
        problem = label_name_problem(name) if name else None
        if problem is None and any(lb.name == name for lb in self.labels):
            problem = f"{name} is already a label (right-click it in the palette to change its colour)"
        holder = next((lb.name for lb in self.labels if key and lb.key == key), None)
        if problem is None and holder is not None:
            problem = f"shortcut '{key}' is already used by {holder}"
        self.problem.setText(problem or "")
        self.problem.setVisible(problem is not None)
        self.ok.setEnabled(bool(name) and problem is None)

    def _pick(self) -> None:
        colour = QColorDialog.getColor(self.colour, self, "Label colour")
        if colour.isValid():
            self.colour = colour
            self._paint()

    def _paint(self) -> None:
        self.colour_button.setText(self.colour.name())
        self.colour_button.setStyleSheet(f"background: {self.colour.name()}")

    def label(self) -> Label:
        key = self.key.text().strip() or None
        return Label(label_name(self.name.text()), self.colour.name(), key)

"""Accepting an article with suggestions nobody reviewed: ask once what they are.

Accepting used to confirm every suggestion still shown, silently; a wrong one went into the training
data unseen. The question offers: confirm them, dismiss them (not entities), go to the first one, or Cancel --
the default (Return, Esc): a reflexive Return changes nothing.
"Always do this" keeps the answer (QSettings ``flow/unreviewed_on_accept``: ask, confirm or dismiss).
"""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QCheckBox, QMessageBox, QWidget

from annotator.core.plural import plural
from annotator.gui import plain

SETTING = "flow/unreviewed_on_accept"
Answer = Literal["confirm", "dismiss", "review"] | None


def asking() -> bool:
    return QSettings().value(SETTING, "ask") not in ("confirm", "dismiss")


def ask_again(on: bool) -> None:
    """Edit → Ask about unreviewed suggestions: on, ask each time; off, confirm them silently."""
    QSettings().setValue(SETTING, "ask" if on else "confirm")


def unreviewed_on_accept(parent: QWidget, count: int, quiet: bool = False) -> Answer:
    """What to do with ``count`` unreviewed suggestions when accepting; None: cancelled."""
    kept = QSettings().value(SETTING, "ask")
    if kept in ("confirm", "dismiss"):
        return "confirm" if kept == "confirm" else "dismiss"
    if quiet:  # tests without a person to ask: keep the old behaviour, stated
        return "confirm"
    box = QMessageBox(QMessageBox.Icon.Question, "Unreviewed suggestions",
                      "", QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    one = count == 1
    them, they = ("it", "it") if one else ("them", "they")
    box.setText(f"{plural(count, 'suggestion')} in this article {'has' if one else 'have'} not been "
                "reviewed.\n\n"
                f"Confirm {them} (Alt+C): {'it becomes your entity' if one else 'they become your entities'}.\n"
                f"Dismiss {them} (Alt+D): {they} {'is not an entity' if one else 'are not entities'}.\n"
                f"Review {them} (Alt+R): go to {'it' if one else 'the first one'}.\n"
                "Cancel (Return or Esc): nothing changes; the article stays as it was.")
    confirm = box.addButton(f"&Confirm {count}", QMessageBox.ButtonRole.AcceptRole)
    dismiss = box.addButton(f"&Dismiss {count}", QMessageBox.ButtonRole.DestructiveRole)
    review = box.addButton(f"&Review {them}", QMessageBox.ButtonRole.ActionRole)
    # Return must neither change entities nor move the caret away: the safe default does nothing.
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    cancel.setText("Cancel")  # no "&Cancel" from the platform theme: Alt+C is Confirm's
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    always = QCheckBox("Always do this when accepting (Edit → Ask about unreviewed suggestions asks again)")
    box.setCheckBox(always)
    box.exec()
    plain.give_back_keys(parent)  # no window manager (Xvfb): shortcuts were dead until a click
    clicked = box.clickedButton()
    answer: Answer = ("confirm" if clicked is confirm else "dismiss" if clicked is dismiss
                      else "review" if clicked is review else None)
    if always.isChecked() and answer in ("confirm", "dismiss"):
        QSettings().setValue(SETTING, answer)
    return answer

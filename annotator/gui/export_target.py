"""Where an export goes, asked of the person and never decided silently.

A QA pass typed a path and Return in the folder dialog, got back "/", and the spaCy export went into
/training-data without a word (a folder holding other files gets a ``training-data`` folder inside it).
Now: the root of a file system and the system's own folders are refused, saying why, and the dialog
opens again; a folder holding other files gets a question naming the folder the export will create,
with "Choose another folder" beside it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QLineEdit, QMessageBox, QWidget

from annotator.gui import plain
from annotator.io.atomic import foreign_entries

INSIDE = "training-data"  # the folder made inside a chosen folder that holds other files
TITLE = "Export training data"
# The system's folders (Linux, macOS): never written into, nor anything below them.
SYSTEM_TREES = ("bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "run", "sbin", "sys",
                "usr", "System", "Library", "Applications", "cores")
# Top folders that hold other people's or the system's folders: refused themselves, not what is below.
SYSTEM_TOPS = ("home", "Users", "var", "opt", "srv", "mnt", "media", "Volumes", "snap", "private")

Choose = Callable[[QWidget, str], str]  # (parent, folder to start in) -> the folder chosen, "" when cancelled


def refusal(folder: Path) -> str | None:
    """Why ``folder`` is no place to write an export into (None: it may be)."""
    real = Path(os.path.realpath(folder))
    if real.parent == real:
        return f"{real} is the root of the file system"
    windows = [os.environ.get(name) for name in ("SystemRoot", "ProgramFiles", "ProgramFiles(x86)", "ProgramData")]
    for system in [Path(os.path.realpath(w)) for w in windows if w]:
        if real == system or system in real.parents:
            return f"{real} is a system folder"
    top = real.parts[1] if len(real.parts) > 1 and real.anchor == "/" else None
    if top in SYSTEM_TREES or (top in SYSTEM_TOPS and len(real.parts) == 2) or real == Path.home().parent:
        return f"{real} is a system folder"
    return None


class FolderDialog(QFileDialog):
    """Qt's folder dialog, which also takes the name of a folder that does not exist yet (in a folder
    that does): the export makes it. Qt's own answer to a typed new name was "Directory not found"."""

    def __init__(self, parent: QWidget | None, start: str) -> None:
        super().__init__(parent, "Folder for train.spacy / dev.spacy (a new name makes it)", start)
        self.setFileMode(QFileDialog.FileMode.Directory)
        self.setOption(QFileDialog.Option.ShowDirsOnly, True)
        self.new_folder: Path | None = None

    def accept(self) -> None:
        edit = self.findChild(QLineEdit, "fileNameEdit")  # Qt's own dialog; a native one has none
        typed = os.path.expanduser(edit.text().strip()) if edit is not None else ""
        if typed:
            path = Path(self.directory().absolutePath()) / typed  # an absolute name stays itself
            if not path.exists() and path.parent.is_dir():
                self.new_folder = path
                self.done(QDialog.DialogCode.Accepted)
                return
        super().accept()

    def chosen(self) -> str:
        if self.new_folder is not None:
            return str(self.new_folder)
        return self.selectedFiles()[0] if self.selectedFiles() else ""


def choose_folder(parent: QWidget, start: str) -> str:
    """Qt's folder dialog; the folder chosen (perhaps a new one), "" when cancelled."""
    dialog = FolderDialog(parent, start)
    accepted = dialog.exec() == QFileDialog.DialogCode.Accepted
    plain.give_back_keys(parent)
    return dialog.chosen() if accepted else ""


def refuse(parent: QWidget, why: str) -> None:
    plain.message_box(parent, QMessageBox.Icon.Warning, TITLE,
                      f"{why}: annotator does not export there.\n\nChoose a folder of your own: a new or empty "
                      "one, or one an earlier export made.")


def ask_folder(parent: QWidget, choose: Choose = choose_folder) -> Path | None:
    """The folder the spaCy export writes, or None when the person cancelled."""
    start = str(Path.home())  # not the app's working folder, which means nothing to the person
    while True:
        chosen = choose(parent, start)
        if not chosen:
            return None
        folder = Path(chosen)
        why = refusal(folder)
        if why is not None:
            refuse(parent, why)
            start = str(Path.home())
            continue
        foreign = foreign_entries(folder)
        if not foreign:
            return folder
        answer = _ask_inside(parent, folder, foreign)
        if answer == "inside":
            return folder / INSIDE
        if answer is None:
            return None
        start = str(folder)


def _ask_inside(parent: QWidget, folder: Path, foreign: list[str]) -> str | None:
    """"inside" (export into folder/training-data), "again" (choose another folder) or None (cancel)."""
    shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
    box = QMessageBox(QMessageBox.Icon.Question, TITLE, "", QMessageBox.StandardButton.Cancel, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(f"{folder} already holds other files ({shown}); an export never replaces them.\n\n"
                f"The export will go into a new folder inside it:\n{folder / INSIDE}")
    inside = box.addButton(plain.no_mnemonic(f"Export into {INSIDE}"), QMessageBox.ButtonRole.AcceptRole)
    again = box.addButton("Choose another folder…", QMessageBox.ButtonRole.ActionRole)
    box.setDefaultButton(again)
    box.exec()
    clicked = box.clickedButton()
    return "inside" if clicked is inside else "again" if clicked is again else None


def file_refusal(path: str) -> str | None:
    """Why the file an export writes may not go where ``path`` says (its folder is refused)."""
    return refusal(Path(path).parent) if path else None

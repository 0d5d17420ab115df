"""The export's folder dialog takes the name of a folder that does not exist yet (Qt's own dialog
answered "Directory not found" and kept the person there)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QLineEdit

from annotator.gui.export_target import FolderDialog


def typed(qtbot, start: Path, text: str) -> FolderDialog:  # type: ignore[no-untyped-def]
    dialog = FolderDialog(None, str(start))
    qtbot.addWidget(dialog)
    dialog.show()
    edit = dialog.findChild(QLineEdit, "fileNameEdit")
    assert edit is not None  # Qt's own dialog (no native one offscreen)
    edit.setText(text)
    dialog.accept()
    return dialog


def test_a_new_name_is_the_folder_chosen(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = typed(qtbot, tmp_path, "training-run-1")
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.chosen() == str(tmp_path / "training-run-1")
    assert not (tmp_path / "training-run-1").exists()  # the export makes it, not the dialog


def test_a_new_absolute_path_is_the_folder_chosen(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "elsewhere").mkdir()
    dialog = typed(qtbot, tmp_path, str(tmp_path / "elsewhere" / "out"))
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.chosen() == str(tmp_path / "elsewhere" / "out")


def test_an_existing_folder_is_chosen_as_before(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "old").mkdir()
    dialog = typed(qtbot, tmp_path, str(tmp_path / "old"))
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.new_folder is None and Path(dialog.chosen()) == tmp_path / "old"

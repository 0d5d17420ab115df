"""Labels named as other tools name them ("Job Title", "Société", "R&D") in the window: the palette
and the list's label filter show them as written (plain text, no mnemonic eating the "&"), a palette
click applies one, and Add label… keeps the name as typed, saying why while a name breaks the rule."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from annotator.core.labels import label_name_problem
from annotator.gui.label_palette import AddLabelDialog
from annotator.io.importer import import_paths
from annotator.store import Store
from tests.gui.conftest import settle

TEXT = "Anna Schmidt is Chief Engineer at Société Générale and works on R&D in Lyon."
NAMED = {"Société Générale": "Société", "R&D": "R&D", "Lyon": "Lieu géographique"}


def imported_store(tmp_path: Path) -> Store:
    path = tmp_path / "d.jsonl"
    spans = [[TEXT.index(s), TEXT.index(s) + len(s), label] for s, label in NAMED.items()]
    path.write_text(json.dumps({"text": TEXT, "label": spans}, ensure_ascii=False) + "\n", encoding="utf-8")
    store = Store.open(str(tmp_path / "labels.sqlite3"))
    import_paths(store, [path])
    return store


def mine(store: Store) -> list[tuple[str, str]]:
    return sorted((TEXT[s.start:s.end], s.label) for s in store.view(1, "alice").confirmed)


def test_imported_labels_show_as_written_and_a_palette_click_applies_one(qtbot, make_window,  # type: ignore[no-untyped-def]
                                                                         tmp_path: Path) -> None:
    store = imported_store(tmp_path)
    window = make_window(store)
    settle(qtbot, window)
    for name in NAMED.values():
        button = window.labels_panel.buttons[name]
        assert button.text() == f"     {name.replace('&', '&&')}"  # no key: imports take none
        index = window.documents.label_filter.findData(name)
        assert index >= 0 and window.documents.label_filter.itemText(index) == name
    start = TEXT.index("Chief Engineer")
    window.article.select_range(start, start + len("Chief Engineer"))
    qtbot.mouseClick(window.labels_panel.buttons["Lieu géographique"], Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    assert mine(store) == [("Chief Engineer", "Lieu géographique")]


def test_add_label_dialog_says_why_a_name_breaks_the_rule(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = AddLabelDialog()
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled() and dialog.problem.isHidden()  # nothing typed yet: nothing to say
    dialog.name.setText("Lieu géographique")
    assert dialog.ok.isEnabled() and dialog.problem.isHidden()
    for bad in ("Job  Title", "<b>Job</b>", "PERS\u041eN"):
        dialog.name.setText(bad)
        assert not dialog.ok.isEnabled() and not dialog.problem.isHidden()
        assert dialog.problem.text() == label_name_problem(bad)
        assert dialog.problem.textFormat() == Qt.TextFormat.PlainText
    dialog.name.setText(f"  {unicodedata.normalize('NFD', 'Société')} ")
    assert dialog.ok.isEnabled() and dialog.label().name == "Société"


def test_a_label_added_in_the_gui_keeps_its_name_and_gets_its_key(qtbot, make_window,  # type: ignore[no-untyped-def]
                                                                  tmp_path: Path) -> None:
    store = imported_store(tmp_path)
    window = make_window(store)
    settle(qtbot, window)

    def fill_and_accept() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AddLabelDialog)
        dialog.name.setText("Job Title")
        dialog.key.setText("j")
        dialog.ok.click()

    QTimer.singleShot(0, fill_and_accept)
    window.label_actions.add_label()
    settle(qtbot, window)
    assert ("Job Title", "j") in {(lb.name, lb.key) for lb in store.labels()}
    assert window.labels_panel.buttons["Job Title"].text() == "[j]  Job Title"
    assert window.documents.label_filter.findData("Job Title") >= 0
    start = TEXT.index("Chief Engineer")
    window.article.select_range(start, start + len("Chief Engineer"))
    qtbot.keyClick(window.article, Qt.Key.Key_J)
    settle(qtbot, window)
    assert mine(store) == [("Chief Engineer", "Job Title")]

"""Documents an import marked "needs attention": the list filter, the header, the jump key, resolving."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt

from annotator.core.imported import OVERLAP
from annotator.gui.document_panel import NEEDS_ATTENTION
from annotator.io.importer import ImportOptions, import_paths
from annotator.store import Store
from tests.gui.conftest import settle

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
CLEAN = "Antony Blinken flew to Rabat on Monday."
NESTED = "Le ministre Nasser Bourita est arrivé à Rabat."


def test_an_imported_overlap_is_found_shown_and_resolved(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doccano = tmp_path / "team.jsonl"
    doccano.write_text("\n".join(json.dumps(r) for r in (
        {"id": 1, "text": CLEAN, "label": [[0, 14, "PERSON"], [23, 28, "GPE"]]},
        {"id": 2, "text": NESTED, "label": [[12, 26, "PERSON"], [19, 26, "PERSON"], [40, 45, "GPE"]]},
    )) + "\n", encoding="utf-8")
    store = Store.open(str(tmp_path / "attention.sqlite3"))
    import_paths(store, [doccano], ImportOptions(author="alice"))
    nested = next(iter(store.needing_attention()))
    window = make_window(store)
    assert window.view is not None and window.view.info.id != nested  # the list opens the first, clean one
    assert "needs attention" not in window.editor.info.text()

    panel = window.documents
    panel.status_filter.setCurrentIndex(panel.status_filter.findData(NEEDS_ATTENTION))
    settle(qtbot, window)
    assert panel.visible_ids() == [nested]

    qtbot.keyClick(window.article, Qt.Key.Key_N, CTRL_SHIFT)
    settle(qtbot, window)
    assert window.view.info.id == nested
    assert f"needs attention: {OVERLAP} (" in window.editor.info.text()
    assert "Ctrl+Shift+K" in window.statusBar().currentMessage()

    qtbot.keyClick(window.article, Qt.Key.Key_K, CTRL_SHIFT)
    settle(qtbot, window)
    assert store.needing_attention() == {}
    assert "needs attention" not in window.editor.info.text()
    assert panel.visible_ids() == []  # the filter shows what still needs attention: nothing
    qtbot.keyClick(window.article, Qt.Key.Key_N, CTRL_SHIFT)
    settle(qtbot, window)
    assert window.statusBar().currentMessage() == "no article needs attention"


def test_a_gui_import_with_something_to_say_shows_its_report(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The status line is replaced as soon as the suggestions that follow an import finish: what an
    import kept as the file said, or skipped, stays on screen in a (non-modal) report."""
    doccano = tmp_path / "team.jsonl"
    doccano.write_text("\n".join(json.dumps(r) for r in (
        {"id": 2, "text": NESTED, "label": [[12, 26, "Person"], [19, 26, "Person"]]},
        {"id": 3, "text": " ", "label": []},
    )) + "\n", encoding="utf-8")
    store = Store.open(str(tmp_path / "report.sqlite3"))
    window = make_window(store)
    window.set_quiet()
    assert window.files.import_files([doccano])
    qtbot.waitUntil(lambda: window.files.report_box is not None and window.files.report_box.isVisible(),
                    timeout=60_000)
    box = window.files.report_box
    assert box is not None and not box.isModal()
    assert "1 needs attention" in box.text() and "1 empty task skipped" in box.text()
    assert "line 2, field 'text'" in box.detailedText()
    box.close()
    qtbot.waitUntil(lambda: window.job is None, timeout=120_000)
    settle(qtbot, window)


def test_a_gui_import_of_another_annotators_work_says_whose_version_it_became(
        qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A Prodigy file answered by bob, imported by alice: bob's entities are bob's version, which alice
    does not see in her own. Without a word, the import looked lost (found driving the app)."""
    text = "Antony Blinken met Nasser Bourita in Rabat."
    prodigy = tmp_path / "bob.jsonl"
    prodigy.write_text(json.dumps({
        "text": text, "answer": "accept", "_annotator_id": "bob", "_input_hash": 1, "_task_hash": 2,
        "spans": [{"start": 0, "end": 14, "label": "PERSON"}, {"start": 19, "end": 33, "label": "PERSON"}],
    }) + "\n", encoding="utf-8")
    store = Store.open(str(tmp_path / "bob.sqlite3"))
    window = make_window(store, "alice")
    window.set_quiet()
    assert window.files.import_files([prodigy])
    qtbot.waitUntil(lambda: window.files.report_box is not None and window.files.report_box.isVisible(),
                    timeout=60_000)
    box = window.files.report_box
    assert box is not None
    assert "other annotators' versions, as the file says: bob 2. You (alice) see your own version" in box.text()
    assert "Team → Review mode (Ctrl+Shift+G)" in box.text()
    box.close()
    qtbot.waitUntil(lambda: window.job is None, timeout=120_000)
    settle(qtbot, window)

"""One import report at a time: the last import's box closes when the next import starts (it stayed
open behind the next one's, and both took the screen)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox


def refused_import(qtbot, window, path: Path) -> QMessageBox:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.jobs.ended, timeout=60_000):
        assert window.files.import_files([path])
    box = window.files.report_box
    assert box is not None and box.isVisible()
    return box


def test_the_next_import_closes_the_last_report(qtbot, make_window, seeded_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text('{"txt": "typo"}\n', encoding="utf-8")
    second.write_text('{"text": "x", "text": "y"}\n', encoding="utf-8")
    old = refused_import(qtbot, window, first)
    assert "first.jsonl, line 1, field 'text'" in old.text()
    closed: list[bool] = []
    old.destroyed.connect(lambda: closed.append(True))
    new = refused_import(qtbot, window, second)
    qtbot.waitUntil(lambda: bool(closed), timeout=5_000)
    assert "second.jsonl, line 1, field 'text': appears twice" in new.text()
    new.close()  # closed by the person: the next import finds nothing to close
    refused_import(qtbot, window, first).close()

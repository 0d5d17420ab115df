"""Article text and names from a file reach the terminal (adversary pass): ``annotator search`` printed
a document's ESC, BEL and other control characters as they were, so an imported article could move
the cursor, clear the screen, retitle the window or (OSC 52) write the clipboard of whoever searched.
Plain output now shows a control character as its escape (``\\x1b``); --json was already safe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.cli.columns import printable
from annotator.core.document import NewDocument
from annotator.store import Store

HOSTILE = "Rabat est grande.\x1b[2J\x1b]52;c;cm0gLXJmIH4=\x07 fin\x9b31m\x7f"


def test_search_shows_control_characters_escaped(store: Store, db_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    store.import_documents([(NewDocument(HOSTILE, "src\x1b]0;pwned\x07.txt", "fr"), [])])
    assert main(["--db", str(db_path), "search", "Rabat"]) == 0
    out = capsys.readouterr().out
    assert not any(ord(c) < 32 and c not in "\t\n" or 0x7f <= ord(c) < 0xa0 for c in out), repr(out)
    assert "\\x1b[2J" in out and "\\x07" in out and "\\x9b31m" in out
    assert out.endswith("1 document\n")
    assert main(["--db", str(db_path), "search", "Rabat", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["context"].startswith(HOSTILE[:40])  # JSON escapes them itself


def test_printable_keeps_every_script_and_symbol() -> None:
    text = "Société الرباط 東京 👍🏽 🇲🇦 Alge\u0301rie"
    assert printable(text) == text
    assert printable("a\tb\nc\r\x00") == "a b c \\x00"


def test_the_import_report_shows_a_documents_hostile_source_escaped(db_path: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "news.jsonl"
    path.write_text(json.dumps({"text": "Rabat est grande.", "meta": {"source": "x\x1b]0;pwned\x07\nfake line"}}) +
                    "\n", encoding="utf-8")
    assert main(["--db", str(db_path), "import", str(path)]) == 0
    assert main(["--db", str(db_path), "import", str(path)]) == 0  # the duplicate is named in the report
    out = capsys.readouterr().out
    assert "skipped duplicate x\\x1b]0;pwned\\x07\\nfake line (same text as document 1" in out
    assert "\x1b" not in out and "\x07" not in out

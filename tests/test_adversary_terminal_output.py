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


def test_names_and_labels_of_an_older_store_reach_the_terminal_escaped(
        store: Store, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A store written before the name and label rules may hold control characters in annotator names
    # and labels; `agreement`, `stats` printed them raw. Every command's output now passes through
    # one filter (cli.columns.InertStream), whatever the command prints.
    from sqlalchemy import insert

    from annotator.store.schema import LabelRow, SpanRow, utcnow

    [doc_id] = store.import_documents([(NewDocument("Rabat est grande.", "a.txt", "fr"), [])]).added
    evil, label = "ana\x1b]0;pwned\x07", "LOC\x9b2J"
    with store.engine.begin() as c:
        c.execute(insert(LabelRow).values(name=label, colour="#aa0000"))
        for author in (evil, "bob"):
            c.execute(insert(SpanRow).values(document_id=doc_id, start=0, end=5, label=label, layer="human",
                                             author=author, rejected=False, created_at=utcnow()))
    for command in (["agreement"], ["stats"], ["agreement", "--json"], ["stats", "--json"]):
        assert main(["--db", str(db_path), *command]) == 0, command
        out = capsys.readouterr().out
        assert not any(ord(c) < 32 and c not in "\t\n" or 0x7f <= ord(c) < 0xa0 for c in out), (command, out)
        assert "\\u001b]0;pwned\\u0007" in out or "\\u009b" in out, (command, out)
        if "--json" in command:  # still JSON, and it reads back as the stored strings
            back = json.dumps(json.loads(out), ensure_ascii=False)
            assert evil in back or label in back, back
    assert main(["--db", str(db_path), "review", str(doc_id), "--take", evil]) == 0  # their layer is in the store
    out = capsys.readouterr().out
    assert "gold version is now ana\\u001b]0;pwned\\u0007's" in out and "\x1b" not in out

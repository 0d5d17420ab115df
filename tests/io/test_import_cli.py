"""The import report and set-status on the command line (``main()`` in this process: the real parser,
store and printing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.span import SpanData
from annotator.store import Store


def test_import_reports_new_layered_attention_warnings_then_set_status(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "cli.sqlite3")
    first = tmp_path / "alice.jsonl"
    first.write_text("".join(json.dumps(o) + "\n" for o in [
        {"text": "Bourita met Blinken in Rabat.", "spans": [{"start": 0, "end": 7, "label": "PERSON"}]},
        {"text": "Rabat Tanger", "spans": [{"start": 0, "end": 12, "label": "GPE"},
                                          {"start": 6, "end": 12, "label": "GPE"}]},
        {"text": "  ", "spans": []},
    ]), encoding="utf-8")
    assert main(["--db", db, "--user", "alice", "import", str(first)]) == 0
    out = capsys.readouterr().out
    assert "imported 2 documents with 3 spans into" in out
    assert "2 new documents; 3 spans and 0 rejected suggestions written" in out
    assert "1 document needs attention; spans kept exactly as the file says:" in out
    assert "2 overlapping spans" in out and "1 empty task skipped" in out
    assert "warning: alice.jsonl, line 3, field 'text': is empty or only whitespace: the task was skipped" in out
    second = tmp_path / "bob.jsonl"
    second.write_text(json.dumps({"text": "Bourita met Blinken in Rabat.",
                                  "spans": [{"start": 23, "end": 28, "label": "GPE"}]}) + "\n", encoding="utf-8")
    assert main(["--db", db, "--user", "bob", "import", "--status", "accepted", str(second)]) == 0
    out = capsys.readouterr().out
    assert "0 new documents; 1 span" in out and "1 document already stored gained or updated a layer: 1" in out
    assert main(["--db", db, "--user", "alice", "import", "--strict", str(first)]) == 1
    assert "field 'spans': span 0-12 (GPE) overlaps span 6-12 (GPE)" in capsys.readouterr().err
    assert main(["--db", db, "--user", "carol", "set-status", "accepted", "--from", "in progress"]) == 0
    assert "set 'accepted' on 1 document" in capsys.readouterr().out
    store = Store.open(db)
    assert [d.status for d in store.list_documents()] == [DocumentStatus.ACCEPTED, DocumentStatus.ACCEPTED]
    assert main(["--db", db, "set-status", "rejected", "99"]) == 1
    assert "no document with id 99; nothing was changed" in capsys.readouterr().err
    assert main(["--db", db, "set-status", "flagged"]) == 1
    assert "say which documents" in capsys.readouterr().err
    assert main(["--db", db, "set-status", "flagged", "--all"]) == 0
    assert {d.status for d in store.list_documents()} == {DocumentStatus.FLAGGED}


def test_set_status_accepted_says_what_it_did_with_unreviewed_suggestions(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "suggested.sqlite3")
    store = Store.open(db)
    store.import_documents([(NewDocument("Bourita met Blinken in Rabat.", "a", "en"), []),
                            (NewDocument("Blinken left Rabat.", "b", "en"), [])])
    first, second = (d.id for d in store.list_documents())
    store.replace_suggestions({first: [SpanData(0, 7, "PERSON"), SpanData(23, 28, "GPE")],
                               second: [SpanData(0, 7, "PERSON")]}, "en_core_web_sm")
    store.confirm_suggestion(store.view(first, "carol").suggestions[0].id, "carol")
    assert main(["--db", db, "--user", "carol", "set-status", "accepted", str(first)]) == 0
    assert capsys.readouterr().out.strip() == (
        "set 'accepted' on 1 document (0 had it already); 1 unreviewed suggestion confirmed as entities "
        "(--unreviewed dismiss to dismiss them)")
    assert len(store.view(first, "carol").confirmed) == 2
    assert main(["--db", db, "--user", "carol", "set-status", "accepted", "--unreviewed", "dismiss", "--all"]) == 0
    assert capsys.readouterr().out.strip() == (
        "set 'accepted' on 1 document (1 had it already); 1 unreviewed suggestion dismissed")
    assert store.view(second, "carol").confirmed == ()
    assert main(["--db", db, "--user", "carol", "set-status", "flagged", str(second)]) == 0
    assert capsys.readouterr().out.strip() == "set 'flagged' on 1 document (0 had it already)"


def test_import_says_when_entities_became_other_annotators_versions(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "layers.sqlite3")
    tasks = tmp_path / "prodigy.jsonl"
    tasks.write_text("".join(json.dumps(task) + "\n" for task in [
        {"text": "Bourita met Blinken.", "answer": "accept", "_annotator_id": "news-bob",
         "spans": [{"start": 0, "end": 7, "label": "PERSON"}, {"start": 12, "end": 19, "label": "PERSON"}]},
        {"text": "Rabat is a city.", "answer": "accept", "spans": [{"start": 0, "end": 5, "label": "GPE"}]},
    ]), encoding="utf-8")
    assert main(["--db", db, "--user", "alice", "import", str(tasks)]) == 0
    out = capsys.readouterr().out
    assert ("entities in other annotators' versions, as the file says: news-bob 2. You (alice) see your own "
            "version; the app's Team → Review mode shows them; 'annotator review ID --take NAME' makes one the "
            "gold version") in out
    mine = tmp_path / "mine.jsonl"
    mine.write_text(json.dumps({"text": "Tanger is a city.", "spans": [{"start": 0, "end": 6, "label": "GPE"}]})
                    + "\n", encoding="utf-8")
    assert main(["--db", db, "--user", "alice", "import", str(mine)]) == 0
    assert "other annotators" not in capsys.readouterr().out


def test_a_refused_first_import_leaves_no_store_behind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # "nothing was imported", yet an empty store file stayed, and `stats` on it then answered
    # "0 documents" instead of refusing a path that names no store.
    db = tmp_path / "typo.sqlite3"
    (tmp_path / "empty").mkdir()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "Rabat", "spans": [{"start": 0, "end": 99, "label": "GPE"}]}\n', encoding="utf-8")
    for source in (tmp_path / "empty", bad, tmp_path / "missing.jsonl"):
        assert main(["--db", str(db), "import", str(source)]) == 1
        assert "nothing was imported" in capsys.readouterr().err
        assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "empty"], source
    assert main(["--db", str(db), "stats"]) == 1
    assert "there is no such file" in capsys.readouterr().err
    good = tmp_path / "good.jsonl"
    good.write_text('{"text": "Rabat"}\n', encoding="utf-8")
    assert main(["--db", str(db), "import", str(good)]) == 0
    assert main(["--db", str(db), "import", str(bad)]) == 1  # an existing store is kept, as it was
    store = Store.open(str(db))
    assert store.stats().documents == 1
    store.close()


def test_an_import_interrupted_after_it_was_published_keeps_its_new_store(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Ctrl+C while the report was printed: the import had published its documents, yet the new file
    # was removed with them as "a refused first import".
    import annotator.cli.corpus as corpus

    def interrupted(report: object) -> list[str]:
        raise KeyboardInterrupt

    monkeypatch.setattr(corpus, "report_lines", interrupted)
    db = tmp_path / "new.sqlite3"
    good = tmp_path / "good.jsonl"
    good.write_text('{"text": "Rabat"}\n', encoding="utf-8")
    assert main(["--db", str(db), "import", str(good)]) == 130
    assert "annotator: interrupted" in capsys.readouterr().err
    store = Store.open(str(db))
    try:
        assert store.document_count() == 1
    finally:
        store.close()

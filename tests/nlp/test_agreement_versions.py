"""Who has a version of a document, for agreement: a person who left a span in it (an entity or a
dismissed suggestion), never a person who only set its status. Real SQLite store, real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.nlp.agreement import agreement, compare_all
from annotator.store import Store

TEXTS = ["Amina Benali met Karim Tazi in Rabat.", "Laura Rossi flew from Paris to Lisbon."]


def _store(tmp_path: Path, predictions: bool = False) -> tuple[str, list[int]]:
    source = tmp_path / "docs.jsonl"
    records = []
    for text in TEXTS:
        first = text.split(" met ")[0].split(" flew ")[0]
        records.append({"text": text, "spans": [{"start": 0, "end": len(first), "label": "PERSON"}]}
                       if predictions else {"text": text})
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    db = str(tmp_path / "team.sqlite3")
    args = ["--db", db, "--user", "importer", "import", str(source), "--language", "en"]
    assert main(args + (["--predictions", "m"] if predictions else [])) == 0
    store = Store.open(db)
    ids = sorted(d.id for d in store.list_documents())
    store.close()
    return db, ids


def _entity(db: str, doc: int, user: str, word: str, label: str = "PERSON") -> None:
    store = Store.open(db)
    text = store.view(doc, user).text
    store.add_span(doc, text.index(word), text.index(word) + len(word), label, user)
    store.close()


def test_a_status_alone_is_no_version_so_nobody_is_compared_on_it(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    db, (doc, _) = _store(tmp_path)
    _entity(db, doc, "bob", "Amina Benali")
    assert main(["--db", db, "--user", "root", "set-status", "accepted", "--all"]) == 0
    capsys.readouterr()
    assert main(["--db", db, "agreement"]) == 0
    out = capsys.readouterr().out
    assert "F 0.000" not in out and "bob vs root" not in out
    assert out.splitlines() == [
        "no document has been annotated by two people yet",
        "not compared: root only set statuses (an entity or a dismissed suggestion makes a version of a "
        "document; a status alone does not)",
    ]
    store = Store.open(db)
    assert agreement(store) == []
    store.close()


def test_a_pair_sharing_no_document_is_said_to_be_not_compared(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    db, (first, second) = _store(tmp_path)
    _entity(db, first, "alice", "Amina Benali")
    _entity(db, first, "bob", "Amina Benali")
    _entity(db, second, "carol", "Laura Rossi")
    assert main(["--db", db, "--user", "carol", "set-status", "accepted", str(first)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "agreement"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "alice vs bob: 1 document, span F 1.000, token kappa 1.000"
    assert "alice vs carol: no document annotated by both, not compared" in lines
    assert lines[-1] == "bob vs carol: no document annotated by both, not compared"
    assert not any("carol" in line and "F 0.000" in line for line in lines)
    assert main(["--db", db, "agreement", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["a"], r["b"], r["documents"], r["span_f"]) for r in rows] == [
        ("alice", "bob", 1, 1.0), ("alice", "carol", 0, None), ("bob", "carol", 0, None)]


def test_a_dismissal_alone_is_a_version(tmp_path: Path) -> None:
    """Dismissing the model's only suggestion says "no entity here": compared, and it disagrees."""
    db, (doc, _) = _store(tmp_path, predictions=True)
    store = Store.open(db)
    (suggestion,) = store.view(doc, "dana").suggestions
    store.delete_span(suggestion.id, "dana")
    store.confirm_suggestion(suggestion.id, "erin")
    found = compare_all(store)
    store.close()
    (pair,) = found.pairs
    assert (pair.a, pair.b, pair.spans.documents, pair.f) == ("dana", "erin", 1, 0.0)
    assert found.unshared() == [] and found.status_only == []

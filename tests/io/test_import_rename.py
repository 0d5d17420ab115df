"""``annotator import --rename PER=PERSON``: a file's labels come in under the scheme's names (QA pass 5:
brat and CoNLL PER/LOC arrived beside PERSON/GPE, and only new labels could hold them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from annotator.cli import main
from annotator.core.errors import InputRefused
from annotator.io.importer import ImportOptions, import_paths
from annotator.store import Store
from annotator.store.schema import SpanRow

TEXT = "Bourita met Blinken in Rabat."


def labels(store: Store) -> list[tuple[str, str, bool]]:
    with store.engine.connect() as conn:
        return [(TEXT[r.start:r.end], r.label, r.rejected)
                for r in conn.execute(select(SpanRow).order_by(SpanRow.start, SpanRow.rejected))]


def test_labels_are_renamed_in_every_layer_and_a_typo_is_refused(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "prodigy.jsonl"
    path.write_text(json.dumps({"text": TEXT, "_input_hash": 1, "_view_id": "ner", "answer": "accept", "spans": [
        {"start": 0, "end": 7, "label": "PER"}, {"start": 12, "end": 19, "label": "PER", "answer": "reject"},
        {"start": 23, "end": 28, "label": "LOC"}]}) + "\n", encoding="utf-8")
    with pytest.raises(InputRefused) as caught:  # a typo in OLD refuses the import: nothing written
        import_paths(store, [path], ImportOptions(author="maria", rename={"PER": "PERSON", "LCO": "GPE"}))
    assert ("--rename: no span in the files is labelled 'LCO', so nothing would be renamed to 'GPE'"
            in str(caught.value))
    assert labels(store) == [] and store.document_count() == 0
    report = import_paths(store, [path], ImportOptions(author="maria", rename={"PER": "PERSON"}))
    assert labels(store) == [("Bourita", "PERSON", False), ("Blinken", "PERSON", True), ("Rabat", "LOC", False)]
    assert report.warnings == []


def test_the_command_line_offers_rename_and_a_second_import_replaces_the_layer(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.sqlite3"
    (tmp_path / "b.txt").write_text(TEXT + "\n", encoding="utf-8")
    (tmp_path / "b.ann").write_text("T1\tPER 0 7\tBourita\nT2\tLOC 23 28\tRabat\n", encoding="utf-8")
    assert main(["--db", str(db), "--user", "maria", "import", str(tmp_path / "b.txt")]) == 0
    out = capsys.readouterr().out
    assert "new labels added to the scheme: PER" in out and "import the same files again with --rename" in out
    assert main(["--db", str(db), "--user", "maria", "import", str(tmp_path / "b.txt"), "--rename", "PER=PERSON"]) == 0
    assert "gained or updated a layer: 1" in capsys.readouterr().out
    store = Store.open(str(db))
    try:
        assert labels(store) == [("Bourita", "PERSON", False), ("Rabat", "LOC", False)]
    finally:
        store.close()
    with pytest.raises(SystemExit) as refused:  # argparse's refusal, before any work
        main(["--db", str(db), "import", str(tmp_path / "b.txt"), "--rename", "PER=<b>x</b>"])
    assert refused.value.code == 2 and "argument --rename: label name '<b>x</b>' starts with '<'" in \
        capsys.readouterr().err

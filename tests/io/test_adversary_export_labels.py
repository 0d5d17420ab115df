"""``export --labels`` and ``--rename`` naming a label the store does not have (adversary pass: a typo,
``--labels PER`` for PERSON). The export wrote every accepted document with no entity of that label --
for accepted documents "no entity anywhere", false negatives to train on -- and exited 0. Now the
name is refused, with the store's labels, before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.span import SpanData
from annotator.store import Store


@pytest.fixture
def accepted(store: Store) -> Store:
    text = "Bourita met Blinken in Rabat."
    store.import_documents([(NewDocument(text, "a.txt", "en", DocumentStatus.ACCEPTED),
                             [SpanData(0, 7, "PERSON"), SpanData(23, 28, "GPE")])], author="tester")
    return store


@pytest.mark.parametrize(("option", "value", "name"), [("--labels", "PER", "PER"), ("--labels", "PERSON,Gpe", "Gpe"),
                                                       ("--rename", "PER=PERSON", "PER")])
def test_a_label_the_store_does_not_have_is_refused(accepted: Store, db_path: Path, tmp_path: Path, option: str,
                                                    value: str, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["--db", str(db_path), "export", str(out), "--format", "jsonl", option, value]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"annotator: error: {option}: '{name}' is not a label of this store (its labels: ")
    assert "PERSON" in err and "nothing was exported" in err
    assert not out.exists()


def test_labels_named_after_a_rename_are_known(accepted: Store, db_path: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    assert main(["--db", str(db_path), "export", str(out), "--format", "jsonl", "--rename", "GPE=LOC",
                 "--labels", "LOC,PERSON"]) == 0
    assert capsys.readouterr().out.startswith("exported 1 document, 2 entities")

"""Document ids on the command line (adversary pass). ``set-language de 1 999`` changed document 1,
then failed on 999 with "no document with id 999", exit 1, and did not say that 1 had changed;
``review`` and ``set-language`` with an id beyond SQLite's integers ended in a traceback
(OverflowError). Now every command that takes ids refuses such an id by name before any work, and
``set-language`` changes all its documents or none."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.document import NewDocument
from annotator.store import Store

HUGE = str(2**63)


@pytest.fixture
def two_english(store: Store) -> Store:
    store.import_documents([(NewDocument("Rabat is big.", "a.txt", "en"), []),
                            (NewDocument("Tanger is a port.", "b.txt", "en"), [])])
    return store


def languages(store: Store) -> list[str]:
    return [d.language for d in store.list_documents()]


def test_set_language_with_an_unknown_id_changes_nothing_and_says_so(two_english: Store, db_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db_path), "set-language", "de", "1", "999", "2"]) == 1
    assert capsys.readouterr().err == "annotator: error: no document with id 999; nothing was changed\n"
    assert languages(two_english) == ["en", "en"]


def test_set_language_counts_each_document_once(two_english: Store, db_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db_path), "set-language", "fr", "1", "1", "2", "1"]) == 0
    assert capsys.readouterr().out.startswith("set language 'fr' on 2 documents;")
    assert languages(two_english) == ["fr", "fr"]


@pytest.mark.parametrize("args", [["set-language", "de", "1", HUGE], ["review", HUGE, "--take", "bob"],
                                  ["set-status", "accepted", HUGE], ["set-status", "accepted", "1", "-- -1"]])
def test_an_id_beyond_the_database_integers_is_refused_by_argument(two_english: Store, db_path: Path, args: list[str],
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    args = [a for arg in args for a in arg.split(" ")]
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(db_path), *args])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "argument DOCUMENT_ID: " in err and "is not a document id (a whole number from 1)" in err
    assert "Traceback" not in err and "OverflowError" not in err
    assert languages(two_english) == ["en", "en"]

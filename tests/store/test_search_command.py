"""``annotator search``: the command's output, its JSON lines, and refusals, run in-process on a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.document import NewDocument
from annotator.store import Store


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    db = tmp_path / "s.sqlite3"
    store = Store.open(str(db))
    store.import_documents([(NewDocument(t, f"{k}.txt", "en"), []) for k, t in enumerate([
        "Talks in Rabat\nThe minister of Morocco met Daesh defectors.",
        "Weather report\nRain over Tanger and Rabat tomorrow.",
        "Sport\nNothing about it.",
    ])])
    store.close()
    return db


def test_search_prints_matching_documents_with_context(corpus: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--db", str(corpus), "search", "rabat"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "2 documents"
    assert lines[0].split("\t")[:3] == ["1", "new", "Talks in Rabat"]
    assert "Rain over Tanger and Rabat tomorrow" in lines[1]
    assert main(["--db", str(corpus), "search", "rabat", "--titles", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in rows] == [1] and rows[0]["status"] == "new"
    assert main(["--db", str(corpus), "search", "def"]) == 0  # the last word is a prefix: "defectors"
    assert capsys.readouterr().out.splitlines()[-1] == "1 document"


def test_search_refuses_a_query_without_words(corpus: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--db", str(corpus), "search", "--", "--"]) == 1
    err = capsys.readouterr().err
    assert "has no word to search for" in err and "Traceback" not in err


def test_search_syntax_of_other_tools_is_explained(corpus: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    # `title:rabat` found nothing and said nothing: every word, "title" too, is searched for.
    assert main(["--db", str(corpus), "search", "title:rabat"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == "0 documents"
    assert "note: 'title:' is not a field filter: 'title' is searched as a word like the others" in err
    assert "note: --titles searches titles and file names only" in err
    assert main(["--db", str(corpus), "search", '"rabat tomorrow" OR tang*']) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == "0 documents"
    assert "quotes do not make a phrase" in err and "'OR' is searched for as a word" in err
    assert "'*' and '?' are not wildcards" in err
    assert main(["--db", str(corpus), "search", "rabat"]) == 0  # plain words: no note
    assert capsys.readouterr().err == ""
    assert main(["--db", str(corpus), "search", "rabat -tanger", "--json"]) == 0
    out, err = capsys.readouterr()
    assert "'-' does not leave a word out" in err and all(json.loads(line) for line in out.splitlines())

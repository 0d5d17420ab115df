"""``--db`` values that name no lasting store (adversary pass). An in-memory SQLite URL took an import,
said "imported 2 documents" with exit 0, and the documents vanished with the process; a URL of a
backend the project does not support, or of a driver that is not installed, or not a URL at all, ended
in a traceback. Each is now one message naming the value, before anything is done."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.cli import main


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "a.txt"
    path.write_text("Rabat is the capital of Morocco.", encoding="utf-8")
    return path


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite:///", "sqlite+pysqlite://"])
def test_an_in_memory_database_is_refused_before_an_import(url: str, article: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", url, "import", str(article)]) == 1
    out, err = capsys.readouterr()
    assert "imported" not in out
    assert err.startswith(f"annotator: error: --db {url}: ") and "in memory" in err and "Traceback" not in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(("url", "why"), [
    ("mysql://u@localhost/db", "'mysql' databases are not supported"),
    ("bogus://x", "'bogus' databases are not supported"),
    ("postgresql+nosuchdriver://u@localhost/db", "the driver 'nosuchdriver' is not available"),
    ("postgresql+pg8000://u@localhost/db", "the driver 'pg8000' is not available"),
    ("://nothing", "is not a database URL"),
])
def test_a_url_the_store_cannot_use_is_one_message(url: str, why: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", url, "stats"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"annotator: error: --db {url}: ") and why in err and "Traceback" not in err
    assert "SQLite file" in err and "postgresql://" in err  # what it takes instead
    assert err.count("\n") == 1


def test_the_message_never_shows_a_password_and_names_the_variable(monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ANNOTATOR_DB", "postgresql+pg8000://bob:s3cret@db.example/corpus")
    assert main(["stats"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("annotator: error: $ANNOTATOR_DB postgresql+pg8000://bob:***@db.example/corpus: ")
    assert "s3cret" not in err


def test_an_empty_db_option_is_refused_not_taken_as_the_default(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from annotator.cli import main

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # where the per-user store would be made
    for empty in ("", "  "):
        assert main(["--db", empty, "stats"]) == 1
        assert capsys.readouterr().err == (
            "annotator: error: --db is empty; give an SQLite file (a path, or sqlite:////absolute/path) or "
            "postgresql://user@host/database, or leave --db out for the per-user database\n")
    assert not (tmp_path / "data").exists()

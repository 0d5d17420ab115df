"""A file export aimed at a database (adversary pass): ``annotator export corpus.sqlite3 --format
jsonl`` -- ``--db`` forgotten, or a path completed wrongly -- replaced the store itself with the JSONL
(atomically: nothing of it left), and the same over its ``-wal`` file or any other SQLite database.
Now refused before anything is read or written, naming the path; the database stays as it was."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.errors import AnnotatorError
from annotator.io.exporter import ExportFormat, export
from annotator.io.selection import ExportOptions
from annotator.store import Store

FILE_FORMATS = [f for f in ExportFormat if not f.writes_folder]


@pytest.fixture
def accepted(store: Store) -> Store:
    store.import_documents([(NewDocument("Rabat is big.", "a.txt", "en", DocumentStatus.ACCEPTED), [])])
    return store


@pytest.mark.parametrize("fmt", FILE_FORMATS, ids=[f.value for f in FILE_FORMATS])
def test_exporting_over_the_store_itself_is_refused_and_the_store_is_intact(
        accepted: Store, db_path: Path, fmt: ExportFormat) -> None:
    before = db_path.read_bytes()[:16]
    with pytest.raises(AnnotatorError, match=f"cannot export to {db_path}: it is the database this command "
                                             "works on"):
        export(accepted, db_path, fmt, ExportOptions())
    assert db_path.read_bytes()[:16] == before == b"SQLite format 3\x00"
    assert accepted.document_count() == 1


def test_exporting_over_its_write_ahead_log_is_refused(accepted: Store, db_path: Path) -> None:
    wal = Path(f"{db_path}-wal")
    with pytest.raises(AnnotatorError, match="it is the database this command works on"):
        export(accepted, wal, ExportFormat.JSONL, ExportOptions())
    assert accepted.document_count() == 1


def test_exporting_over_another_sqlite_database_is_refused(accepted: Store, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    conn.close()
    with pytest.raises(AnnotatorError, match=f"cannot export to {other}: it is an SQLite database, not an export"):
        export(accepted, other, ExportFormat.PRODIGY, ExportOptions())
    with sqlite3.connect(other) as conn:
        assert conn.execute("SELECT count(*) FROM notes").fetchone() == (0,)
    conn.close()


def test_the_command_says_it_in_one_line_and_exits_1(accepted: Store, db_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db_path), "export", str(db_path), "--format", "jsonl"]) == 1
    out, err = capsys.readouterr()
    assert "wrote" not in out and err.count("\n") == 1 and "give another path" in err
    assert Store.open(str(db_path)).document_count() == 1

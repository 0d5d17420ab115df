"""The importer's pipeline: it writes each batch on a thread of its own while it reads the next (a write
that fails there, or a cancel while a batch is being written, still leaves the store exactly as it was),
and identifies the languages of up to 64 records together (the same languages as one at a time)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.core.errors import Problem
from annotator.core.language import detect_language
from annotator.core.progress import Cancelled, CancelToken
from annotator.io.importer import LANGUAGE_BATCH, BatchLimits, ImportOptions, import_paths, iter_inputs
from annotator.store import Store


def corpus(path: Path, n: int) -> Path:
    lines = []
    for i in range(n):
        text = f"Report {i}: Bourita met Blinken in Rabat."
        lines.append(json.dumps({"text": text, "spans": [{"start": 11 + len(str(i)), "end": 18 + len(str(i)),
                                                          "label": "PERSON"}]}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def rows(db: Path) -> tuple[int, int, list[str]]:
    with sqlite3.connect(db) as conn:
        return (conn.execute("SELECT count(*) FROM documents").fetchone()[0],
                conn.execute("SELECT count(*) FROM spans").fetchone()[0],
                [r[0] for r in conn.execute("SELECT state FROM imports ORDER BY id")])


def test_a_batch_that_fails_on_the_writer_thread_aborts_the_import(store: Store, db_path: Path,
                                                                    tmp_path: Path) -> None:
    path = corpus(tmp_path / "many.jsonl", 60)
    with store.engine.begin() as conn:  # the database refuses the 35th document (as a full disk would a batch)
        conn.exec_driver_sql("CREATE TRIGGER refuse BEFORE INSERT ON documents WHEN new.source = 'many.jsonl:35' "
                             "BEGIN SELECT RAISE(ABORT, 'test write failure'); END")
    with pytest.raises(Exception, match="test write failure"):
        import_paths(store, [path], ImportOptions(author="alice"), limits=BatchLimits(documents=10))
    assert rows(db_path) == (0, 0, ["failed"])  # three batches had been written: all removed
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER refuse")
    assert len(import_paths(store, [path], limits=BatchLimits(documents=10)).added) == 60


def test_a_cancel_while_a_batch_is_written_leaves_nothing(any_store: Store, tmp_path: Path) -> None:
    """On PostgreSQL the batches are written on the writer thread (on SQLite in line: see import_paths)."""
    store = any_store
    path = corpus(tmp_path / "many.jsonl", 60)
    cancel = CancelToken()

    def progress(done: int, total: int, message: str) -> None:
        if message.startswith("importing"):
            cancel.cancel()  # right after a batch was handed to the writer

    with pytest.raises(Cancelled):
        import_paths(store, [path], ImportOptions(author="alice"), progress, cancel, BatchLimits(documents=10))
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM documents").scalar() == 0
        assert conn.exec_driver_sql("SELECT count(*) FROM spans").scalar() == 0
        assert conn.exec_driver_sql("SELECT state FROM imports").scalars().all() == ["cancelled"]
    assert store.stats().spans == {}


def test_a_batch_that_fails_on_the_postgresql_writer_thread_aborts_the_import(postgres, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(postgres.create_database("writer_fails"))
    path = corpus(tmp_path / "many.jsonl", 60)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                             "RAISE EXCEPTION 'test write failure'; END $$")
        conn.exec_driver_sql("CREATE TRIGGER refuse BEFORE INSERT ON documents FOR EACH ROW "
                             "WHEN (new.source = 'many.jsonl:35') EXECUTE FUNCTION refuse()")
    with pytest.raises(Exception, match="test write failure"):
        import_paths(store, [path], ImportOptions(author="alice"), limits=BatchLimits(documents=10))
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM documents").scalar() == 0
        assert conn.exec_driver_sql("SELECT state FROM imports").scalars().all() == ["failed"]
    store.close()


def test_languages_identified_together_are_the_ones_identified_one_at_a_time(tmp_path: Path) -> None:
    texts = ["The minister arrived in Rabat on Monday for talks.", "Le président est arrivé lundi à Rabat.",
             "El ministro llegó el lunes a Rabat.", "Der Minister traf am Montag in Rabat ein.",
             "東京都は日本の首都です", "Министр прибыл в Рабат в понедельник.", "12345 !!! 2024", "Barack Obama",
             "Hello world", "Il ministro è arrivato lunedì a Rabat."]
    records = [{"text": f"{t} ({i})", **({"language": "fi"} if i % 7 == 3 else {})} for i, t in
               enumerate(texts * 15)]
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    problems: list[Problem] = []
    one = [(i.document.language, offset) for i, offset in iter_inputs([(path, "m")], ImportOptions(), problems)]
    together = [(i.document.language, offset) for i, offset in
                iter_inputs([(path, "m")], ImportOptions(), problems, together=LANGUAGE_BATCH)]
    assert problems == [] and len(one) == len(records) > LANGUAGE_BATCH
    assert together == one
    assert [lang for lang, _ in one] == [r.get("language") or detect_language(r["text"]) for r in records]
    assert {"en", "fr", "es", "de", "ja", "ru", "fi"} <= {lang for lang, _ in one}

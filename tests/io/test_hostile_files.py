"""Hostile input, table-driven: each file is either refused with a message naming it, or imported
exactly as written; the store is never left half-changed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.core.errors import InputRefused
from annotator.io.importer import import_paths
from annotator.store import Store

REFUSED = [
    ("empty.txt", b"", "is empty"),
    ("spaces.txt", b"   \n\t \r\n", "is empty"),
    ("latin1.txt", "Algérie".encode("latin-1"), "is not valid UTF-8"),
    ("nul.txt", b"Rabat\x00Tanger", "looks binary (NUL byte at offset 5)"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks binary"),
    ("utf16.txt", "Rabat".encode("utf-16"), "is UTF-16 encoded (byte order mark); save it as UTF-8"),
    ("empty.jsonl", b"", "holds no documents"),
    ("blank-lines.jsonl", b"\n\n  \n", "holds no documents"),
    ("truncated.jsonl", b'{"text": "Rabat"', "line 1: is not valid JSON"),
    ("not-object.jsonl", b'"Rabat"', "line 1: must be a JSON object, not str"),
    ("null-text.jsonl", b'{"text": null}', "line 1, field 'text': is missing"),
    ("nan.jsonl", b'{"text": "Rabat", "spans": [{"start": NaN, "end": 5, "label": "GPE"}]}',
     "offsets must be integers"),
    ("float-offsets.jsonl", b'{"text": "Rabat", "spans": [{"start": 0.0, "end": 5, "label": "GPE"}]}',
     "offsets must be integers"),
    ("negative.jsonl", b'{"text": "Rabat", "spans": [{"start": -1, "end": 5, "label": "GPE"}]}', "outside the text"),
    ("bad-status.jsonl", b'{"text": "Rabat", "status": 3}', "field 'status': unknown status '3'"),
    ("bad-answer.jsonl", b'{"text": "Rabat", "answer": "maybe"}', "field 'answer': must be one of"),
    ("deep.jsonl", b'{"text": "Rabat", "meta": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     "line 1: is not valid JSON"),
    ("broken.spacy", b"\x00\x01 not a docbin", "is not a readable spaCy DocBin file"),
]

EXACT = [
    ("bom-crlf.txt", b"\xef\xbb\xbfRabat\r\nest la capitale.\r\n", "Rabat\r\nest la capitale.\r\n"),
    ("emoji.txt", "Fans 👍🏽 cheered Bourita 🇲🇦.".encode(), "Fans 👍🏽 cheered Bourita 🇲🇦."),
    ("combining.txt", "Alge\u0301rie et Mauritanie".encode(), "Alge\u0301rie et Mauritanie"),
    ("rtl.txt", "الرباط عاصمة المغرب Rabat".encode(), "الرباط عاصمة المغرب Rabat"),
    ("html.txt", b"<p>Bourita &amp; <b>Blinken</b></p><script>x()</script>",
     "<p>Bourita &amp; <b>Blinken</b></p><script>x()</script>"),
    ("nbsp.txt", "Le\xa0Maroc\u2028et l'Algérie".encode(), "Le\xa0Maroc\u2028et l'Algérie"),
]


def snapshot(db: Path) -> tuple[list[tuple], list[tuple]]:
    with sqlite3.connect(db) as conn:
        return (conn.execute("SELECT * FROM documents ORDER BY id").fetchall(),
                conn.execute("SELECT * FROM spans ORDER BY id").fetchall())


@pytest.mark.parametrize(("name", "content", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_hostile_file_is_refused_by_name_and_nothing_changes(store: Store, db_path: Path, tmp_path: Path,
                                                            name: str, content: bytes, message: str) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Rabat is the capital of Morocco.", encoding="utf-8")
    import_paths(store, [good])
    bad = tmp_path / name
    bad.write_bytes(content)
    before = snapshot(db_path)
    with pytest.raises(InputRefused) as err:
        import_paths(store, [bad, good])
    assert name in str(err.value) and message in str(err.value)
    assert snapshot(db_path) == before


@pytest.mark.parametrize(("name", "content", "expected"), EXACT, ids=[e[0] for e in EXACT])
def test_unusual_but_valid_text_is_imported_exactly(store: Store, tmp_path: Path, name: str, content: bytes,
                                                    expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    report = import_paths(store, [path])
    assert store.view(report.added[0], "x").text == expected


def test_fifty_megabyte_file_imports_whole(store: Store, tmp_path: Path) -> None:
    line = "Le ministre Nasser Bourita a reçu Antony Blinken à Rabat, lundi. 👍\n"
    path = tmp_path / "huge.txt"
    with path.open("w", encoding="utf-8") as fh:
        for _ in range(50 * 1024 * 1024 // len(line.encode()) + 1):
            fh.write(line)
    size = path.stat().st_size
    assert size >= 50 * 1024 * 1024
    report = import_paths(store, [path])
    text = store.view(report.added[0], "x").text
    assert len(text.encode("utf-8")) == size and store.list_documents()[0].language == "fr"


def test_every_malformed_line_kind_in_one_file_is_listed(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    rows = ['{"text": "ok"}', "{", "[]", '{"text": 1}', '{"text": "Rabat", "spans": 5}', json.dumps({"text": "x" * 10})]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputRefused) as err:
        import_paths(store, [path])
    assert [p.line for p in err.value.problems] == [2, 3, 4, 5]
    assert store.document_count() == 0

"""Importing files: good inputs arrive exactly, bad inputs are refused whole with file/line/field."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.core.document import DocumentStatus
from annotator.core.errors import InputRefused
from annotator.core.span import Layer
from annotator.io.importer import ImportOptions, import_paths
from annotator.store import Store


def snapshot(db_path: Path) -> tuple[list[tuple], list[tuple]]:
    with sqlite3.connect(db_path) as conn:
        return (conn.execute("SELECT id, content_hash, status FROM documents ORDER BY id").fetchall(),
                conn.execute("SELECT * FROM spans ORDER BY id").fetchall())


def write_jsonl(path: Path, *objs: object) -> Path:
    path.write_text("\n".join(o if isinstance(o, str) else json.dumps(o) for o in objs) + "\n", encoding="utf-8")
    return path


def test_seeds_import_exactly_with_languages(store: Store, seeds_dir: Path) -> None:
    report = import_paths(store, [seeds_dir], ImportOptions(author="alice"))
    assert len(report.added) == 5
    docs = store.list_documents()
    assert sorted(d.language for d in docs) == ["en", "en", "en", "en", "fr"]
    for d in docs:
        original = (seeds_dir.parent / d.source).read_bytes().decode("utf-8")
        assert store.view(d.id, "alice").text == original  # byte for byte, NBSPs included
    assert docs[0].source == "seeds/000_50fb40a89a7d5859.txt"


def test_bom_is_stripped_and_recorded_and_crlf_kept(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfRabat\r\nis the capital.\r\n")
    doc = store.list_documents() or None
    assert doc is None
    import_paths(store, [path])
    doc_id = store.list_documents()[0].id
    assert store.view(doc_id, "x").text == "Rabat\r\nis the capital.\r\n"
    assert store.document(doc_id).had_bom


def test_html_markup_is_text_imported_as_is(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text("<b>Bourita</b> &amp; <script>alert(1)</script>", encoding="utf-8")
    import_paths(store, [path])
    assert store.view(store.list_documents()[0].id, "x").text == "<b>Bourita</b> &amp; <script>alert(1)</script>"


def test_language_can_be_forced(store: Store, seeds_dir: Path) -> None:
    import_paths(store, [seeds_dir / "001_118d716e0188fb48.txt"], ImportOptions(language="fr"))
    assert store.list_documents()[0].language == "fr"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("latin1.txt", "Algérie".encode("latin-1"), "latin1.txt, line 1: is not valid UTF-8 (byte 0xe9 at offset 3)"),
        ("blob.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "blob.txt: looks binary (NUL byte at offset 8)"),
        ("empty.txt", b"", "empty.txt: is empty"),
        ("blank.txt", b"  \n\t\n", "blank.txt: is empty"),
        ("notes.docx", b"PK\x03\x04", "notes.docx: unsupported file type '.docx'"),
    ],
)
def test_bad_text_files_are_refused_and_nothing_is_imported(
    store: Store, db_path: Path, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Rabat is the capital of Morocco.", encoding="utf-8")
    bad = folder / name
    bad.write_bytes(content)
    before = snapshot(db_path)
    with pytest.raises(InputRefused) as err:
        import_paths(store, [folder / "good.txt", bad])
    assert message in str(err.value)
    assert "nothing was imported" in str(err.value)
    assert snapshot(db_path) == before


def test_missing_path_is_named(store: Store, tmp_path: Path) -> None:
    with pytest.raises(InputRefused, match="nope.txt: does not exist"):
        import_paths(store, [tmp_path / "nope.txt"])


GOOD = {"text": "Blinken visited Rabat.", "spans": [{"start": 0, "end": 7, "label": "PERSON"}]}


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ('{"text": "Rabat"', "line 2: is not valid JSON"),
        ("[1, 2]", "line 2: must be a JSON object, not list"),
        ({"meta": {}}, "line 2, field 'text': is missing"),
        ({"text": 42}, "line 2, field 'text': must be a string, not int"),
        ({"text": "Rabat", "meta": "x"}, "line 2, field 'meta': must be an object"),
        ({"text": "Rabat", "status": "finished"}, "line 2, field 'status': unknown status 'finished'"),
        ({"text": "Rabat", "spans": {"start": 0}}, "line 2, field 'spans': must be a list"),
        ({"text": "Rabat", "spans": [[0, 5, "GPE"]]}, "line 2, field 'spans[0]': must be an object"),
        ({"text": "Rabat", "spans": [{"start": 0, "end": 5}]}, "line 2, field 'spans[0].label': must be a non-empty"),
        ({"text": "Rabat", "spans": [{"start": 0, "end": 50, "label": "GPE"}]},
         "line 2, field 'spans[0]': span 0-50 is outside the text (length 5)"),
        ({"text": "Rabat", "spans": [{"start": "0", "end": 5, "label": "GPE"}]},
         "line 2, field 'spans[0]': offsets must be integers"),
    ],
)
def test_malformed_jsonl_is_refused_whole_with_line_and_field(
    store: Store, db_path: Path, tmp_path: Path, bad_line: object, message: str
) -> None:
    path = write_jsonl(tmp_path / "docs.jsonl", GOOD, bad_line, {"text": "Tanger is a port."})
    before = snapshot(db_path)
    with pytest.raises(InputRefused) as err:
        import_paths(store, [path])
    assert f"docs.jsonl, {message}" in str(err.value)
    assert snapshot(db_path) == before


def test_every_bad_line_is_reported_not_only_the_first(store: Store, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", "{", GOOD, "nope", {"text": 1})
    with pytest.raises(InputRefused) as err:
        import_paths(store, [path])
    assert [p.line for p in err.value.problems] == [1, 3, 4]


def test_invalid_utf8_line_in_jsonl(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_bytes(json.dumps(GOOD).encode() + b'\n{"text": "Alg\xe9rie"}\n')
    with pytest.raises(InputRefused, match="d.jsonl, line 2: is not valid UTF-8"):
        import_paths(store, [path])


def test_jsonl_spans_are_human_by_default_and_status_honoured(store: Store, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", {**GOOD, "status": "accepted", "meta": {"source": "wire-1"}},
                       {"text": "Bourita spoke.", "spans": [], "language": "en"})
    report = import_paths(store, [path], ImportOptions(author="alice"))
    first, second = store.list_documents()
    assert (first.source, first.status) == ("wire-1", DocumentStatus.ACCEPTED)
    assert (second.source, second.status) == ("d.jsonl:2", DocumentStatus.IN_PROGRESS)
    view = store.view(report.added[0], "alice")
    assert [(s.label, s.layer, s.author) for s in view.confirmed] == [("PERSON", Layer.HUMAN, "alice")]


def test_jsonl_spans_as_model_predictions(store: Store, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", GOOD)
    import_paths(store, [path], ImportOptions(as_predictions=True, author="ext-model@1"))
    doc = store.list_documents()[0]
    view = store.view(doc.id, "alice")
    assert doc.status is DocumentStatus.PREANNOTATED and view.confirmed == ()
    assert [(s.label, s.author) for s in view.suggestions] == [("PERSON", "ext-model@1")]


def test_duplicates_within_and_across_imports(store: Store, seeds_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.txt"
    copy.write_bytes((seeds_dir / "004_28830c00cecbbf69.txt").read_bytes())
    first = import_paths(store, [seeds_dir, copy])
    assert len(first.added) == 5 and first.duplicates == [] and first.merged == 1  # the same text: one document
    second = import_paths(store, [seeds_dir])
    assert second.added == [] and len(second.duplicates) == 5

"""A document's title: the one its file gives (meta title), else its first line; kept through an
export and an import back."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.core.document import DocumentStatus
from annotator.io.exporter import ExportFormat, export
from annotator.io.importer import ImportOptions, import_paths
from annotator.io.selection import ExportOptions
from annotator.store import Store

TEXT = "Rabat, Monday.\n\nThe minister arrived in Rabat for two days of talks on trade."


def titles(store: Store) -> dict[str, str]:
    return {s.source: s.title for s in store.list_documents()}


def write_lines(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_a_title_in_meta_is_the_documents_title_else_the_first_line(store: Store, tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "in.jsonl",
        {"text": TEXT, "meta": {"source": "given", "title": "  Minister <b>visits</b>\nRabat  "}},
        {"text": TEXT + " Second.", "meta": {"source": "number", "title": 12}},
        {"text": TEXT + " Third.", "meta": {"source": "blank", "title": " \t"}},
        {"text": TEXT + " Fourth.", "meta": {"source": "long", "title": "word " * 40}},
    )
    import_paths(store, [path], ImportOptions(author="ana"))
    found = titles(store)
    assert found["given"] == "Minister <b>visits</b> Rabat"  # one line, kept as written (shown as plain text)
    assert found["number"] == found["blank"] == "Rabat, Monday."
    assert len(found["long"]) == 80 and found["long"].endswith("…")


def test_label_studio_and_doccano_titles_are_taken(store: Store, tmp_path: Path) -> None:
    studio = tmp_path / "studio.json"
    studio.write_text(json.dumps([{"id": 7, "data": {"text": TEXT, "title": "From Label Studio"},
                                   "annotations": []}]), encoding="utf-8")
    doccano = write_lines(tmp_path / "doccano.jsonl", {"text": TEXT + " Other.", "label": [], "title": "From doccano"})
    import_paths(store, [studio, doccano], ImportOptions(author="ana"))
    assert sorted(titles(store).values()) == ["From Label Studio", "From doccano"]


def test_titles_survive_an_export_and_an_import_back(store: Store, tmp_path: Path, db_path: Path) -> None:
    path = write_lines(tmp_path / "in.jsonl", {"text": TEXT, "meta": {"source": "a", "title": "The real headline"},
                                               "spans": [], "status": "accepted"})
    import_paths(store, [path], ImportOptions(author="ana"))
    out = tmp_path / "out.jsonl"
    export(store, out, ExportFormat.JSONL, ExportOptions(include=frozenset({DocumentStatus.ACCEPTED})))
    again = Store.open(f"sqlite:///{tmp_path / 'again.sqlite3'}")
    try:
        import_paths(again, [out], ImportOptions(author="bob"))
        assert list(titles(again).values()) == ["The real headline"]
    finally:
        again.close()

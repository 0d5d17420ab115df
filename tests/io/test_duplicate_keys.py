"""A JSON object that names one key twice is refused by file, line and field: json keeps the last
value without a word, so the first text, label or offset would be lost silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.errors import InputRefused
from annotator.io.importer import ImportOptions, import_paths
from annotator.store import Store

TWICE = "appears twice in one object (JSON would keep only the last value, without a word)"


def refused(store: Store, *paths: Path) -> str:
    with pytest.raises(InputRefused) as caught:
        import_paths(store, list(paths), ImportOptions(author="ana"))
    assert store.document_count() == 0
    return str(caught.value)


def test_jsonl_lines_naming_a_key_twice_are_refused_by_line_and_field(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "twice.jsonl"
    path.write_text('{"text": "Rabat is a city."}\n'
                    '{"text": "Rabat is a city.", "text": "Other."}\n'
                    '{"text": "Paris.", "spans": [{"start": 0, "end": 5, "label": "GPE", "label": "LOC"}]}\n',
                    encoding="utf-8")
    said = refused(store, path)
    assert f"twice.jsonl, line 2, field 'text': {TWICE}" in said
    assert f"twice.jsonl, line 3, field 'label': {TWICE}" in said


def test_a_json_file_naming_a_key_twice_is_refused_by_field(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "studio.json"
    path.write_text('[{"id": 1, "data": {"text": "Rabat.", "text": "x"}, "annotations": []}]', encoding="utf-8")
    assert f"studio.json, field 'text': {TWICE}" in refused(store, path)

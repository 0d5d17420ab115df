"""Label Studio regions quote the text they mark (``value.text``). Its browser counts offsets in
UTF-16 code units, as JavaScript does: after an emoji or a flag every offset is one or two ahead of
Python's characters. Found by the adversary pass: such a file imported "successfully" with every span
shifted onto the wrong words. The quote decides: offsets that fit it as characters are kept, offsets
that fit it only as UTF-16 units are converted (and said), a quote that fits neither refuses the file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from annotator.core.errors import InputRefused
from annotator.io.importer import import_paths
from annotator.store import Store
from annotator.store.schema import SpanRow

TEXT = "Fans 👍🏽 cheered Bourita in Rabat 🇲🇦 today; Blinken 🙂 too."


def utf16(i: int) -> int:
    return len(TEXT[:i].encode("utf-16-le")) // 2


def region(start: int, end: int, quoted: str, label: str) -> dict[str, object]:
    return {"from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": start, "end": end, "text": quoted, "labels": [label]}}


def task(*regions: dict[str, object]) -> list[dict[str, object]]:
    return [{"id": 1, "data": {"text": TEXT},
             "annotations": [{"id": 1, "completed_by": 1, "result": list(regions)}]}]


def entity(word: str, label: str, count: Callable[[int], int] = lambda i: i) -> dict[str, object]:
    start = TEXT.index(word)
    return region(count(start), count(start + len(word)), word, label)


def spans(store: Store) -> list[tuple[str, str]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(SpanRow).order_by(SpanRow.start)).all()
    return [(TEXT[r.start:r.end], r.label) for r in rows]


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "ls.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_offsets_counted_in_utf16_units_are_converted_to_characters_and_said(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, task(entity("Bourita", "PERSON", utf16), entity("Rabat", "GPE", utf16),
                                entity("Blinken", "PERSON", utf16)))
    report = import_paths(store, [path])
    assert spans(store) == [("Bourita", "PERSON"), ("Rabat", "GPE"), ("Blinken", "PERSON")]
    assert report.attention_documents == 0
    assert any("UTF-16" in w and "3 spans" in w and "ls.json" in w for w in report.warnings), report.warnings


def test_offsets_counted_in_characters_are_kept(store: Store, tmp_path: Path) -> None:
    report = import_paths(store, [write(tmp_path, task(entity("Bourita", "PERSON"), entity("Rabat", "GPE")))])
    assert spans(store) == [("Bourita", "PERSON"), ("Rabat", "GPE")]
    assert not any("UTF-16" in w for w in report.warnings)


def test_a_quote_that_fits_neither_count_refuses_the_file_by_field(store: Store, tmp_path: Path) -> None:
    start = TEXT.index("Rabat")
    path = write(tmp_path, task(entity("Bourita", "PERSON"), region(start, start + 5, "Tanger", "GPE")))
    with pytest.raises(InputRefused) as err:
        import_paths(store, [path])
    message = str(err.value)
    assert "ls.json" in message and "[0].annotations[0].result[1]" in message
    assert "'Tanger'" in message and "'Rabat'" in message
    assert store.document_count() == 0


def test_an_annotators_latest_annotation_is_their_version(store: Store, tmp_path: Path) -> None:
    """Two annotations by one annotator (a task submitted, then annotated again) were merged into one
    layer: Rabat both LOC and GPE, the report counting 4 entities for 3 written. The latest (by
    updated_at, else id) is their version; the earlier one is left out and said."""
    text = "Bourita met Blinken in Rabat."

    def ann(ident: int, updated: str, label: str, who: int = 1) -> dict[str, object]:
        return {"id": ident, "completed_by": who, "updated_at": updated,
                "result": [region(0, 7, "Bourita", "PERSON"), region(23, 28, "Rabat", label)]}

    path = write(tmp_path, [{"id": 1, "data": {"text": text}, "annotations": [
        ann(7, "2024-05-02T10:00:00Z", "GPE"), ann(3, "2024-05-01T10:00:00Z", "LOC"),
        ann(9, "2024-05-03T10:00:00Z", "ORG", who=2) | {"was_cancelled": True}]}])
    report = import_paths(store, [path])
    with store.engine.connect() as conn:
        rows = conn.execute(select(SpanRow).order_by(SpanRow.start)).all()
    assert [(text[r.start:r.end], r.label, r.author) for r in rows] == [
        ("Bourita", "PERSON", "label-studio:1"), ("Rabat", "GPE", "label-studio:1")]
    assert report.spans == 2
    assert any("ls.json" in w and "annotations[1]" in w and "an earlier annotation by label-studio:1" in w
               for w in report.warnings), report.warnings


def test_an_html_region_is_refused_saying_why(store: Store, tmp_path: Path) -> None:
    # A HyperTextLabels project: start/end are XPaths; the message said only "offsets must be integers".
    path = tmp_path / "html.json"
    path.write_text(json.dumps([{"id": 7, "data": {"html": "<p>Bourita met <b>Blinken</b>.</p>"}, "annotations": [
        {"id": 1, "completed_by": 1, "result": [{"id": "r1", "from_name": "ner", "to_name": "text",
                                                 "type": "hypertextlabels", "value": {
                                                     "start": "/p[1]/text()[1]", "end": "/p[1]/text()[1]",
                                                     "startOffset": 0, "endOffset": 7, "text": "Bourita",
                                                     "globalOffsets": {"start": 0, "end": 7},
                                                     "hypertextlabels": ["PER"]}}]}]}]), encoding="utf-8")
    with pytest.raises(InputRefused) as caught:
        import_paths(store, [path])
    said = str(caught.value)
    assert "html.json, field '[0].annotations[0].result[0].value.start': is a region of an HTML page" in said
    assert "offsets must be integers" not in said

"""What a file holds besides entities (doccano and Prodigy relations, Label Studio relations, choices,
text areas) was dropped without a word; it is now said once per file. And a text met twice in one
import had the second item's layers (and attention) counted twice in the report."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.io.importer import import_paths
from annotator.store import Store

TEXT = "Bourita met Blinken in Rabat."


def label_studio(results: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{"id": 5, "data": {"text": TEXT}, "predictions": [], "annotations": [
        {"id": 9, "completed_by": 1, "was_cancelled": False, "result": results}]}]


def region(rid: str, start: int, end: int, label: str) -> dict[str, object]:
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": start, "end": end, "text": TEXT[start:end], "labels": [label]}}


def test_relations_and_choices_are_said_once_per_file(store: Store, tmp_path: Path) -> None:
    doccano = tmp_path / "doccano.jsonl"
    doccano.write_text("".join(json.dumps(o) + "\n" for o in [
        {"text": TEXT, "entities": [{"id": 1, "label": "PER", "start_offset": 0, "end_offset": 7},
                                    {"id": 2, "label": "LOC", "start_offset": 23, "end_offset": 28}],
         "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "in"}]},
        {"text": "Blinken left.", "entities": [], "relations": []},
        {"text": "Bourita stayed.", "entities": [{"id": 3, "label": "PER", "start_offset": 0, "end_offset": 7},
                                                  {"id": 4, "label": "PER", "start_offset": 8, "end_offset": 14}],
         "relations": [{"id": 2, "from_id": 3, "to_id": 4, "type": "x"}, {"id": 3, "from_id": 4, "to_id": 3,
                                                                           "type": "y"}]},
    ]), encoding="utf-8")
    studio = tmp_path / "studio.json"
    studio.write_text(json.dumps(label_studio([
        region("a1", 0, 7, "PER"), region("a2", 23, 28, "LOC"),
        {"from_id": "a1", "to_id": "a2", "type": "relation", "direction": "right", "labels": []},
        {"id": "c1", "from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["Politics"]}},
        {"id": "t1", "from_name": "note", "to_name": "text", "type": "textarea", "value": {"text": ["check"]}},
    ])), encoding="utf-8")
    report = import_paths(store, [doccano, studio])
    assert "doccano.jsonl: 3 relations not imported (only entities are)" in report.warnings
    assert "studio.json: 1 relation, 1 document choice, 1 text area not imported (only entities are)" \
        in report.warnings
    assert report.spans == 6


def test_a_text_met_twice_in_one_import_counts_its_layers_once(store: Store, tmp_path: Path) -> None:
    doccano = tmp_path / "doccano.jsonl"
    doccano.write_text(json.dumps({"text": TEXT, "label": [[0, 7, "PER"], [23, 28, "LOC"]]}) + "\n", encoding="utf-8")
    studio = tmp_path / "studio.json"  # the same text, with two overlapping regions ("needs attention")
    studio.write_text(json.dumps(label_studio([region("a1", 0, 7, "PER"), region("a2", 0, 11, "PER")])),
                      encoding="utf-8")
    report = import_paths(store, [doccano, studio])
    assert report.merged == 1 and len(report.added) == 1
    assert report.layers == {("human", "import"): 2, ("human", "label-studio:1"): 2}
    assert report.attention_documents == 1
    assert report.attention == {"overlapping spans": 2}  # the two regions, once (was 4)

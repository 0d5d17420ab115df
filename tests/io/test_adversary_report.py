"""An import that brings thousands of labels (adversary pass: 20,000 distinct labels printed a single
170 KB line, "new labels added to the scheme: Lab0, Lab1, ..."). Like duplicates and warnings, the
new labels are listed up to ``SHOWN`` and counted beyond, and the line says where the rest are."""

from __future__ import annotations

import json
from pathlib import Path

from annotator.io.import_report import SHOWN, report_lines
from annotator.io.importer import import_paths
from annotator.store import Store


def test_thousands_of_new_labels_are_one_short_line(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps({"text": f"Rabat is town {i}.", "spans": [
        {"start": 0, "end": 5, "label": f"Place{i:04}"}]}) + "\n" for i in range(1_000)), encoding="utf-8")
    lines = report_lines(import_paths(store, [path]))
    (line,) = [ln for ln in lines if ln.startswith("new labels")]
    assert line.startswith("new labels added to the scheme (1,000): Place0000, Place0001, ")
    assert line.endswith(f"Place{SHOWN - 1:04} and 980 more ('annotator stats' lists them all)")
    assert len(line) < 400


def test_a_few_new_labels_are_all_listed(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps({"text": "Rabat Tanger", "spans": [{"start": 0, "end": 5, "label": "Town"},
                                                                  {"start": 6, "end": 12, "label": "Port"}]}) + "\n",
                    encoding="utf-8")
    assert "new labels added to the scheme: Port, Town" in report_lines(import_paths(store, [path]))

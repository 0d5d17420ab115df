"""Labels an import adds get colours far from every label's (QA pass 5: the import handed out a fixed
list, #a0c4ff first, about Delta E 13 from LAW's colour: PER and LAW looked alike)."""

from __future__ import annotations

import json
import math
from pathlib import Path

from annotator.core.colours import lab, luminance
from annotator.io.importer import ImportOptions, import_paths
from annotator.store import Store


def test_imported_labels_get_colours_apart_from_every_label(store: Store, tmp_path: Path) -> None:
    before = {lb.name: lb.colour for lb in store.labels()}
    path = tmp_path / "a.jsonl"
    text = "Bourita met Blinken in Rabat on Monday."
    path.write_text(json.dumps({"text": text, "spans": [
        {"start": 0, "end": 7, "label": "PER"}, {"start": 12, "end": 19, "label": "PER2"},
        {"start": 23, "end": 28, "label": "LOC2"}, {"start": 32, "end": 38, "label": "DAY"}]}) + "\n",
        encoding="utf-8")
    import_paths(store, [path], ImportOptions(author="maria"))
    after = {lb.name: lb.colour for lb in store.labels()}
    new = {name: colour for name, colour in after.items() if name not in before}
    assert sorted(new) == ["DAY", "LOC2", "PER", "PER2"]
    for name, colour in new.items():
        nearest = min(math.dist(lab(colour), lab(other)) for n, other in after.items() if n != name)
        assert nearest >= 20, (name, colour, nearest)
        assert (luminance(colour) + 0.05) / (luminance("#111111") + 0.05) >= 4.5  # the entity text reads


def test_hundreds_of_new_labels_each_get_a_colour(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps({"text": f"Item number {i}.", "spans": [
        {"start": 0, "end": 4, "label": f"KIND{i}"}]}) + "\n" for i in range(300)), encoding="utf-8")
    import_paths(store, [path], ImportOptions(author="maria"))
    colours = [lb.colour for lb in store.labels() if lb.name.startswith("KIND")]
    assert len(colours) == 300 and all(c.startswith("#") and len(c) == 7 for c in colours)

"""brat event annotation (as in GENIA or ACE-style corpora): an event's trigger is a text-bound line
(``T3<TAB>Meeting 8 11<TAB>met``) that an ``E`` line names as the event's trigger. It was imported as
an entity labelled with the event type; it is an event's words, not an entity."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from annotator.io.importer import import_paths
from annotator.store import Store
from annotator.store.schema import LabelRow, SpanRow

TEXT = "Bourita met Blinken in Rabat.\n"


def test_event_triggers_are_not_entities(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "a.ann").write_text(
        "T1\tPERSON 0 7\tBourita\nT2\tPERSON 12 19\tBlinken\nT3\tMeeting 8 11\tmet\n"
        "E1\tMeeting:T3 Participant:T1 Participant2:T2\nT4\tGPE 23 28\tRabat\nA1\tNegated E1\n", encoding="utf-8")
    report = import_paths(store, [folder])
    with store.engine.connect() as conn:
        rows = [(TEXT[r.start:r.end], r.label) for r in conn.execute(select(SpanRow).order_by(SpanRow.start))]
        labels = set(conn.scalars(select(LabelRow.name)))
    assert rows == [("Bourita", "PERSON"), ("Blinken", "PERSON"), ("Rabat", "GPE")]
    assert "Meeting" not in labels
    assert any("1 event trigger (text-bound annotations an event line names as its trigger) not imported" in w
               for w in report.warnings), report.warnings
    assert any("2 relation/event/attribute/note lines not imported" in w for w in report.warnings)

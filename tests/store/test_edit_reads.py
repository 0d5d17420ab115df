"""What an edit reads before it writes (``store/edit_reads.py``): one statement for the document, the
label check, the spans around the place and the entity edited; exact when a span reaches outside
that window; through indexes (EXPLAIN QUERY PLAN) — on SQLite files and PostgreSQL databases."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from annotator.core.document import NewDocument
from annotator.core.errors import NotFound, SpanRefused
from annotator.core.span import SpanData
from annotator.store import Store
from annotator.store.edit_reads import _BY_DOCUMENT, _BY_SPAN

TEXT = "Blinken met Bourita in Rabat and Tanger, then flew to Marrakech."


def _document(store: Store) -> int:
    (doc,) = store.import_documents([(NewDocument(TEXT, "a.txt", "en"), [])]).added
    store.replace_suggestions({doc: [SpanData(0, 7, "PERSON"), SpanData(12, 19, "PERSON"), SpanData(23, 28, "GPE"),
                                     SpanData(33, 39, "GPE"), SpanData(23, 39, "LOC")]}, "m@1")
    return doc


def _statements(store: Store) -> list[str]:
    seen: list[str] = []
    event.listen(store.engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: seen.append(statement.split(None, 1)[0].upper()))
    return seen


def test_each_one_entity_edit_reads_once_and_writes(any_store: Store) -> None:
    """Before: a span read, a document read and a span-window read, then the writes. Now the reads are
    one statement (plus BEGIN on SQLite) for add, confirm, relabel and delete."""
    store = any_store
    doc = _document(store)
    by_start = {sp.start: sp for sp in store.view(doc, "alice").suggestions if sp.label != "LOC"}
    seen = _statements(store)
    store.add_span(doc, 54, 63, "GPE", "alice")
    store.confirm_suggestion(by_start[0].id, "alice")
    store.delete_span(by_start[12].id, "alice")  # a dismissal: one insert
    mine = {sp.start: sp for sp in store.view(doc, "alice").confirmed}
    seen.clear()
    store.relabel_span(mine[54].id, "LOC", "alice")
    assert [s for s in seen if s == "SELECT"] == ["SELECT"], seen
    assert {"INSERT", "DELETE", "UPDATE"} <= set(seen)


def test_the_window_widens_to_every_span_that_reaches_outside_it(any_store: Store) -> None:
    """Confirming "Rabat" (23-28) must see the LOC suggestion 23-39 and the GPE 33-39 it overlaps: the
    layer rules stay exact, whatever the first read held."""
    store = any_store
    doc = _document(store)
    by_place = {(sp.start, sp.end): sp for sp in store.view(doc, "alice").suggestions}
    store.confirm_suggestion(by_place[(23, 39)].id, "alice")
    view = store.view(doc, "alice")
    assert [(e.start, e.end, e.label) for e in view.confirmed] == [(23, 39, "LOC")]
    # Hidden under the confirmed LOC: no longer suggestions; the others still are.
    assert sorted((sp.start, sp.end) for sp in view.suggestions) == [(0, 7), (12, 19)]
    with pytest.raises(SpanRefused, match="overlaps the LOC entity 'Rabat and Tanger'"):
        store.add_span(doc, 33, 39, "GPE", "alice")  # beside the window read first: still refused
    store.resize_span(view.confirmed[0].id, 23, 28, "alice")  # shrunk: the GPEs it hid stay hidden
    view = store.view(doc, "alice")
    assert [(e.start, e.end) for e in view.confirmed] == [(23, 28)]
    assert sorted((sp.start, sp.end) for sp in view.suggestions) == [(0, 7), (12, 19)]


def test_missing_span_or_document_is_named(any_store: Store) -> None:
    store = any_store
    doc = _document(store)
    with pytest.raises(NotFound, match="no span with id 987654"):
        store.confirm_suggestion(987654, "alice")
    with pytest.raises(NotFound, match="no document with id 987654"):
        store.add_span(987654, 0, 7, "PERSON", "alice")
    bob = store.add_span(doc, 54, 63, "GPE", "bob").added[0]
    with pytest.raises(SpanRefused, match="belongs to bob"):
        store.delete_span(bob.id, "alice")


def test_edit_reads_use_the_span_indexes(store: Store) -> None:
    _document(store)
    values = {"document_id": 1, "window_start": 0, "window_end": 7, "span_id": 1, "label": "GPE", "user": "alice"}
    with store.engine.connect() as conn:
        for statement in (_BY_DOCUMENT, _BY_SPAN):
            compiled = statement.statement.params(values).compile(conn, compile_kwargs={"literal_binds": True})
            plan = "\n".join(r[-1] for r in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
            assert "SCAN spans" not in plan and "SCAN target" not in plan and "SCAN documents" not in plan, plan
            assert "SEARCH spans USING INDEX" in plan, plan


def test_a_decomposed_label_name_means_the_schemes_label(store: Store) -> None:
    """Labels are stored NFC; an edit naming "PERSÖN" with a combining diaeresis (as some keyboards and
    files write it) is the same label, not "unknown label" and never a second one."""
    import unicodedata

    from annotator.core.labels import Label

    store.add_label(Label("PERSÖN", "#aa5500"))
    doc = _document(store)
    decomposed = unicodedata.normalize("NFD", "PERSÖN")
    assert decomposed != "PERSÖN"
    added = store.add_span(doc, 54, 63, decomposed, "alice").added[0]
    assert added.label == "PERSÖN"
    relabelled = store.relabel_span(added.id, " " + decomposed, "alice").added[0]
    assert relabelled.label == "PERSÖN"

"""Human edits on a real SQLite file: each is one transaction, returns its Changes, and reverts."""

from __future__ import annotations

from types import MappingProxyType

import pytest
from sqlalchemy import create_engine

from annotator.core.changes import Changes, StatusChange
from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.errors import ConflictError, SpanRefused
from annotator.core.span import Layer, SpanData
from annotator.store import Store

TEXT = "Antony Blinken met Nasser Bourita in Rabat on Monday."


@pytest.fixture
def store(any_store: Store) -> Store:
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_store


@pytest.fixture
def doc(store: Store) -> int:
    doc_id = store.import_documents([(NewDocument(TEXT, "a.txt", "en"), [])]).added[0]
    store.replace_suggestions(
        {doc_id: [SpanData(0, 14, "GPE"), SpanData(19, 33, "PERSON"), SpanData(37, 42, "GPE")]}, "m@1"
    )
    return doc_id


def visible(store: Store, doc_id: int, user: str = "alice") -> list[tuple[str, str, str]]:
    view = store.view(doc_id, user)
    return [(view.text[s.start : s.end], s.label, s.layer.value) for s in view.entities]


def rows(store: Store) -> list[tuple]:
    """What is really in the database, read with a fresh connection of its own (not through the Store)."""
    engine = create_engine(store.engine.url)
    with engine.connect() as conn:
        result = conn.exec_driver_sql('SELECT start, "end", label, layer, author, rejected FROM spans ORDER BY id')
        out = [(*r[:5], int(r[5])) for r in result]
    engine.dispose()
    return out


def test_relabel_a_suggestion_creates_a_human_span_and_keeps_the_model_row(store, doc) -> None:
    sugg = store.view(doc, "alice").suggestions[0]
    changes = store.relabel_span(sugg.id, "PERSON", "alice")
    assert [(s.start, s.end, s.label) for s in changes.added] == [(0, 14, "PERSON")]
    assert changes.statuses[0].after is DocumentStatus.IN_PROGRESS
    assert (0, 14, "PERSON", "human", "alice", 0) in rows(store)
    assert (0, 14, "GPE", "model", "m@1", 0) in rows(store)
    assert visible(store, doc)[0] == ("Antony Blinken", "PERSON", "human")


def test_add_span_refuses_overlap_with_own_entity_but_overrides_suggestions(store, doc) -> None:
    store.add_span(doc, 7, 14, "PERSON", "alice")  # "Blinken" inside the "Antony Blinken" suggestion
    assert ("Blinken", "PERSON", "human") in visible(store, doc)
    assert ("Antony Blinken", "GPE", "model") not in visible(store, doc)
    with pytest.raises(SpanRefused, match="overlaps the PERSON entity 'Blinken'"):
        store.add_span(doc, 0, 14, "PERSON", "alice")


def test_add_span_refuses_unknown_label_and_bad_offsets(store, doc) -> None:
    with pytest.raises(SpanRefused, match="unknown label 'NOPE'"):
        store.add_span(doc, 0, 6, "NOPE", "alice")
    with pytest.raises(SpanRefused, match="outside the text"):
        store.add_span(doc, 40, 400, "GPE", "alice")
    assert store.view(doc, "alice").confirmed == ()


def test_deleting_a_suggestion_rejects_it_for_good_even_after_a_model_rerun(store, doc) -> None:
    sugg = store.view(doc, "alice").suggestions[0]
    store.delete_span(sugg.id, "alice")
    assert ("Antony Blinken", "GPE", "model") not in visible(store, doc)
    store.replace_suggestions({doc: [SpanData(0, 14, "GPE")]}, "m@2")
    assert visible(store, doc) == []
    assert store.stats().rejections == 1


def test_deleting_a_confirmed_entity_does_not_resurface_the_suggestion_under_it(store, doc) -> None:
    sugg = store.view(doc, "alice").suggestions[0]
    confirmed = store.relabel_span(sugg.id, "PERSON", "alice").added[0]
    store.delete_span(confirmed.id, "alice")
    assert all(text != "Antony Blinken" for text, _, _ in visible(store, doc))


def test_undo_redo_chain_restores_every_state_and_ids(store, doc) -> None:
    before = rows(store)
    sugg = store.view(doc, "alice").suggestions[0]
    c1 = store.relabel_span(sugg.id, "PERSON", "alice")
    c2 = store.resize_span(c1.added[0].id, 7, 14, "alice")
    c3 = store.set_status(doc, DocumentStatus.ACCEPTED, "alice")
    after = rows(store)
    u3 = store.revert(c3)
    u2 = store.revert(c2)
    u1 = store.revert(c1)
    assert rows(store) == before
    assert store.document(doc).status is DocumentStatus.PREANNOTATED
    store.revert(u1)
    store.revert(u2)
    store.revert(u3)
    assert rows(store) == after
    assert store.document(doc).status is DocumentStatus.ACCEPTED


def test_accepting_confirms_what_is_shown(store, doc) -> None:
    changes = store.set_status(doc, DocumentStatus.ACCEPTED, "alice")
    assert len(changes.added) == 3
    view = store.view(doc, "alice")
    assert view.suggestions == () and len(view.confirmed) == 3
    assert view.info.status_by == "alice"


def test_confirm_and_accept_all(store, doc) -> None:
    first = store.view(doc, "alice").suggestions[0]
    store.confirm_suggestion(first.id, "alice")
    with pytest.raises(SpanRefused, match="hidden"):
        store.confirm_suggestion(first.id, "alice")
    changes = store.accept_all_suggestions(doc, "alice")
    assert len(changes.added) == 2
    assert [layer for _, _, layer in visible(store, doc)] == ["human"] * 3


def test_each_annotator_has_their_own_layer(store, doc) -> None:
    store.add_span(doc, 46, 52, "DATE", "alice")
    assert ("Monday", "DATE", "human") in visible(store, doc, "alice")
    assert ("Monday", "DATE", "human") not in visible(store, doc, "bob")
    bob_span = store.view(doc, "alice").confirmed[0]
    with pytest.raises(SpanRefused, match="belongs to alice"):
        store.delete_span(bob_span.id, "bob")


def test_model_rerun_never_touches_human_rows(store, doc) -> None:
    store.add_span(doc, 46, 52, "DATE", "alice")
    human_before = [r for r in rows(store) if r[3] == "human"]
    store.replace_suggestions({doc: [SpanData(46, 52, "TIME")]}, "m@2")
    assert [r for r in rows(store) if r[3] == "human"] == human_before
    assert [r for r in rows(store) if r[3] == "model"] == [(46, 52, "TIME", "model", "m@2", 0)]


def test_stale_version_is_a_conflict_not_a_lost_update(store, doc) -> None:
    version = store.document(doc).version
    store.add_span(doc, 46, 52, "DATE", "alice", expected_version=version)
    with pytest.raises(ConflictError, match="changed by someone else"):
        store.add_span(doc, 37, 42, "GPE", "bob", expected_version=version)
    assert store.document(doc).version > version


def test_undo_of_a_span_removed_elsewhere_is_a_conflict(store, doc) -> None:
    c = store.add_span(doc, 46, 52, "DATE", "alice")
    store.delete_span(c.added[0].id, "alice")
    with pytest.raises(ConflictError, match="changed elsewhere"):
        store.revert(c)


def test_import_keeps_layers_and_reports_duplicates(store) -> None:
    docs = [
        (NewDocument("Rabat is in Morocco.", "x.jsonl:1", "en", DocumentStatus.ACCEPTED), [SpanData(0, 5, "GPE")]),
        (NewDocument("Rabat is in Morocco.", "x.jsonl:2", "en"), []),
    ]
    report = store.import_documents(docs, layer=Layer.HUMAN, author="alice")
    assert len(report.added) == 1 and report.duplicates == [] and report.merged == 1
    again = store.import_documents(docs[1:])  # the same text with nothing to add: a duplicate
    assert again.added == [] and again.duplicates == [("x.jsonl:2", report.added[0])]
    layered = store.import_documents(docs[:1], author="bob")  # with spans: bob's layer joins the document
    assert layered.added == [] and layered.duplicates == [] and layered.layered == report.added
    assert [s.author for s in store.view(report.added[0], "bob").confirmed] == ["bob"]
    view = store.view(report.added[0], "alice")
    assert [(s.label, s.layer) for s in view.confirmed] == [("GPE", Layer.HUMAN)]


def test_unknown_labels_from_imports_join_the_scheme(store) -> None:
    report = store.import_documents([(NewDocument("Kamaz trucks", "k", "en"), [SpanData(0, 5, "BRAND")])])
    assert report.new_labels == ["BRAND"]
    assert "BRAND" in {label.name for label in store.labels()}


# -- undo: who set a status, and conflicts ---------------------------------------------------------


def test_every_edit_and_undo_reports_the_version_it_left(store, doc) -> None:
    sugg = store.view(doc, "alice").suggestions[0]
    steps = [
        lambda: store.add_span(doc, 46, 52, "DATE", "alice"),
        lambda: store.relabel_span(sugg.id, "PERSON", "alice"),
        lambda: store.confirm_suggestion(store.view(doc, "alice").suggestions[0].id, "alice"),
        lambda: store.set_status(doc, DocumentStatus.FLAGGED, "alice"),
        lambda: store.accept_all_suggestions(doc, "alice"),
    ]
    for step in steps:
        changes = step()
        assert dict(changes.versions) == {doc: store.document(doc).version}
        undone = store.revert(changes, expected_versions=changes.versions)
        assert dict(undone.versions) == {doc: store.document(doc).version}
        redone = store.revert(undone, expected_versions=undone.versions)
        assert dict(redone.versions) == {doc: store.document(doc).version}


def test_changes_versions_is_a_read_only_copy(store, doc) -> None:
    changes = store.add_span(doc, 46, 52, "DATE", "alice")
    assert isinstance(changes.versions, MappingProxyType)
    mine = {doc: 1}
    copy = Changes(versions=mine)
    mine[doc] = 2
    assert copy.versions == {doc: 1}


def test_undo_restores_who_set_the_status(store, doc) -> None:
    store.set_status(doc, DocumentStatus.FLAGGED, "bob")
    accepted = store.set_status(doc, DocumentStatus.ACCEPTED, "alice")
    assert accepted.statuses == (
        StatusChange(doc, DocumentStatus.FLAGGED, DocumentStatus.ACCEPTED, before_by="bob", after_by="alice"),
    )
    undone = store.revert(accepted)
    info = store.document(doc)
    assert (info.status, info.status_by) == (DocumentStatus.FLAGGED, "bob")
    store.revert(undone)  # redo
    info = store.document(doc)
    assert (info.status, info.status_by) == (DocumentStatus.ACCEPTED, "alice")


def test_undo_of_the_first_edit_restores_nobody_as_status_setter(store, doc) -> None:
    changes = store.add_span(doc, 46, 52, "DATE", "alice")  # pre-annotated -> in progress
    assert store.document(doc).status_by == "alice"
    store.revert(changes)
    info = store.document(doc)
    assert (info.status, info.status_by) == (DocumentStatus.PREANNOTATED, None)


def test_undo_after_someone_else_edited_the_document_is_a_conflict(store, doc) -> None:
    mine = store.add_span(doc, 46, 52, "DATE", "alice")
    store.add_span(doc, 37, 42, "GPE", "bob")
    before, version = rows(store), store.document(doc).version
    with pytest.raises(ConflictError, match=f"'{TEXT}' was changed by someone else since .*nothing was undone"):
        store.revert(mine, expected_versions=mine.versions)
    assert rows(store) == before and store.document(doc).version == version
    store.revert(mine, expected_versions={doc: version})  # having seen bob's edit, alice may undo hers
    assert ("Monday", "DATE", "human") not in visible(store, doc)
    assert ("Rabat", "GPE", "human") in visible(store, doc, "bob")


def test_undoing_a_status_someone_else_has_moved_since_is_a_conflict(store, doc) -> None:
    accepted = store.set_status(doc, DocumentStatus.ACCEPTED, "alice")
    store.set_status(doc, DocumentStatus.FLAGGED, "bob")
    before = rows(store)
    with pytest.raises(ConflictError, match=f"'{TEXT}' was marked flagged by bob since; nothing was undone"):
        store.revert(accepted)  # no expected_versions: the status check alone refuses it
    info = store.document(doc)
    assert (info.status, info.status_by) == (DocumentStatus.FLAGGED, "bob")
    assert rows(store) == before  # the spans accepting confirmed were not undone either


def test_undoing_a_status_someone_else_set_again_is_a_conflict(store, doc) -> None:
    accepted = store.set_status(doc, DocumentStatus.ACCEPTED, "alice")
    store.set_status(doc, DocumentStatus.FLAGGED, "bob")
    store.set_status(doc, DocumentStatus.ACCEPTED, "bob")  # the same status again, but bob's now
    with pytest.raises(ConflictError, match="by bob"):
        store.revert(accepted)
    assert store.document(doc).status_by == "bob"

"""Layers an import brings to documents stored before it, written a chunk of documents at a time
(``store/import_layers.py``): every (document, layer, author) replaced exactly, other layers untouched,
statuses moved as before, across more than one chunk — on SQLite and PostgreSQL; the span counts the
triggers keep still match a recount."""

from __future__ import annotations

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.span import Layer, SpanData
from annotator.store import Store, span_counts
from annotator.store.session import CHUNK

PERSON, GPE = SpanData(0, 7, "PERSON"), SpanData(23, 28, "GPE")


def test_a_second_annotators_file_over_more_than_a_chunk_of_documents(any_store: Store) -> None:
    store = any_store
    n = CHUNK + 7
    docs = [NewDocument(f"Blinken met Bourita in Rabat ({i}).", f"d{i}.txt", "en") for i in range(n)]
    ids = store.import_documents([(d, [PERSON, GPE]) for d in docs], author="alice").added
    store.replace_suggestions({ids[0]: [SpanData(12, 19, "PERSON")]}, "m@1")
    before = {d: store.view(d, "alice").info.version for d in ids[:3]}
    report = store.import_documents([(d, [GPE]) for d in docs], author="bob")
    assert not report.added and len(ids) == n
    assert all(d.text.startswith("Blinken") for d in docs)  # the caller's documents are left as they were
    again = store.import_documents([(d, [PERSON]) for d in docs[:2]], author="alice")  # alice's file, edited
    assert not again.added
    for doc_id in (ids[0], ids[1], ids[-1]):
        alice = store.view(doc_id, "alice")
        bob = store.view(doc_id, "bob")
        assert [(e.start, e.label) for e in bob.confirmed] == [(23, "GPE")]
        expected = [(0, "PERSON")] if doc_id in ids[:2] else [(0, "PERSON"), (23, "GPE")]
        assert [(e.start, e.label) for e in alice.confirmed] == expected
    assert [(m.start, m.layer) for m in store.view(ids[0], "alice").model] == [(12, Layer.MODEL)]
    assert store.view(ids[0], "bob").info.version == before[ids[0]] + 2
    assert store.view(ids[2], "bob").info.version == before[ids[2]] + 1
    assert store.view(ids[-1], "bob").info.status is DocumentStatus.IN_PROGRESS
    with store._read() as s:
        assert span_counts.drift(s) == {}


def test_status_and_attention_from_the_import(any_store: Store) -> None:
    store = any_store
    docs = [NewDocument(f"Blinken met Bourita in Rabat ({i}).", f"d{i}.txt", "en") for i in range(3)]
    ids = store.import_documents([(d, []) for d in docs]).added
    with store.begin_import(author="gold", status=DocumentStatus.ACCEPTED) as run:
        run.add([(d, [PERSON]) for d in docs])
        run.publish()
    infos = [store.view(d, "gold").info for d in ids]
    assert {(i.status, i.status_by) for i in infos} == {(DocumentStatus.ACCEPTED, "gold")}

"""The per-document counts the list sorts by (``document_counts``, kept by triggers, migration 0009) on a
real SQLite file and on PostgreSQL: after imports (published, cancelled, dead, layered), pre-annotation,
edits and their undo (which change no count), deleting documents (cascade) and the migration's fill,
they equal a fresh GROUP BY over the spans; the list sorted by a count is exact (the person's touched documents
merged with the maintained counts) and reads through indexes; Alt+Right from a filtered-out article."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text, update
from sqlalchemy.orm import Session

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.imported import Annotation, ImportItem
from annotator.core.span import Layer, SpanData
from annotator.store import Store, document_counts, listing, migrate
from annotator.store.listing import ListQuery, Sort
from annotator.store.schema import DocumentRow, ImportState

TEXT = "Bourita met Blinken in Rabat on {n} May."
PERSONS = [SpanData(0, 7, "PERSON"), SpanData(12, 19, "PERSON"), SpanData(23, 28, "GPE")]


def item(n: int, spans: list[SpanData] | None = None) -> tuple[NewDocument, list[SpanData]]:
    return NewDocument(TEXT.format(n=n), f"d{n}", "en", DocumentStatus.IN_PROGRESS), PERSONS if spans is None else spans


def fresh(store: Store) -> dict[int, int]:
    """The maintained counts, checked against the spans: one row per document, every count right."""
    with Session(store.engine) as s:
        off, kept, recounted = document_counts.drift(s), document_counts.maintained(s), document_counts.recount(s)
    assert off == {}
    assert kept == recounted
    return kept


def test_counts_follow_imports_suggestions_edits_undo_and_deletes(any_store: Store) -> None:
    store = any_store
    first = store.import_documents([item(0), item(1, [])], author="alice").added
    assert fresh(store) == {first[0]: 0, first[1]: 0}
    staged = store.begin_import(author="alice")
    staged.add([item(2), item(3)])
    fresh(store)  # pending documents are counted too (the list's filters leave them out)
    staged.publish()
    cancelled = store.begin_import(author="alice")
    cancelled.add([item(4)])
    cancelled.abort(ImportState.CANCELLED)
    dead = store.begin_import(layer=Layer.MODEL, author="m@0")
    dead.add([item(5), item(6)])
    dead._lock.release()  # its process died
    store.sweep_imports()
    assert len(fresh(store)) == 4
    layered = store.begin_import(author="carol")  # layers for a stored document, a model one with rejections
    layered.add([ImportItem(NewDocument(TEXT.format(n=1), "again", "en", DocumentStatus.IN_PROGRESS),
                            [Annotation(Layer.HUMAN, "carol", [SpanData(23, 28, "LOC")]),
                             Annotation(Layer.MODEL, "m@1", [SpanData(0, 7, "PERSON")],
                                        rejected=[SpanData(12, 19, "ORG")])])])
    layered.publish()
    assert fresh(store)[first[1]] == 2  # a rejected model span is a model span
    doc = first[0]
    store.replace_suggestions({doc: PERSONS, first[1]: [SpanData(0, 7, "PERSON")]}, "model@1")
    assert fresh(store)[doc] == 3
    suggestions = {sp.start: sp for sp in store.view(doc, "bob").suggestions}
    steps = [store.add_span(doc, 32, 33, "DATE", "bob")]
    steps.append(store.relabel_span(steps[0].added[0].id, "CARDINAL", "bob"))
    steps.append(store.resize_span(steps[1].added[0].id, 32, 37, "bob"))
    fresh(store)
    steps.append(store.confirm_suggestion(suggestions[0].id, "bob"))
    steps.append(store.delete_span(suggestions[12].id, "bob"))  # a rejection row: not an entity
    fresh(store)
    steps.append(store.add_span(doc, 23, 28, "LOC", "bob", replace=True))
    steps.append(store.accept_all_suggestions(doc, "dave"))
    steps.append(store.adopt_version(doc, "bob", "gold"))
    for step in reversed(steps):
        store.revert(step)
        fresh(store)
    assert fresh(store)[doc] == 3
    with store.engine.begin() as conn:  # an update in place (no code path does one today) and a cascade
        conn.execute(text("UPDATE spans SET layer = 'model' WHERE document_id = :d AND start = 0 "
                          "AND layer = 'human'"), {"d": doc})
        conn.execute(text("DELETE FROM documents WHERE id = :d"), {"d": first[1]})
    counts = fresh(store)
    assert counts[doc] == 4 and first[1] not in counts


def test_the_migration_fills_the_counts_and_goes_down_and_up(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    from alembic import command

    for backend in ("sqlite", "postgresql"):
        url = (str(tmp_path / "c.sqlite3") if backend == "sqlite"
               else request.getfixturevalue("postgres").create_database("document_counts_from_0008"))
        store = Store.open(url)
        docs = store.import_documents([item(0), item(1), item(2, [])], author="alice").added
        store.replace_suggestions({docs[1]: PERSONS}, "m@1")
        command.downgrade(migrate.alembic_config(store.engine), "0008")
        store.close()
        engine = create_engine(url if backend == "postgresql" else f"sqlite:///{url}")
        with engine.begin() as conn:  # written while no trigger counted them
            conn.execute(text("DELETE FROM spans WHERE label = 'GPE'"))
            conn.execute(text("INSERT INTO spans (document_id, start, \"end\", label, layer, author, rejected, "
                              "created_at) SELECT document_id, 23, 28, 'LOC', 'model', 'm', :f, created_at "
                              "FROM spans WHERE start = 0"), {"f": False})
        engine.dispose()
        store = Store.open(url)  # upgrades to head, filling the counts
        assert migrate.current_revision(store.engine) == migrate.head_revision()
        assert fresh(store) == {docs[0]: 1, docs[1]: 4, docs[2]: 0}, backend
        store.add_span(docs[2], 0, 7, "PERSON", "bob")
        assert fresh(store)[docs[2]] == 0
        store.close()


def _corpus(store: Store) -> list[int]:
    """20 documents with 0-5 suggestions each; alice touched a few of them (confirmed, dismissed, drawn)."""
    ids = store.import_documents([item(n, []) for n in range(20)]).added
    store.replace_suggestions({doc: [SpanData(0, 7, "PERSON"), SpanData(12, 19, "PERSON"), SpanData(23, 28, "GPE"),
                                     SpanData(32, 33, "CARDINAL"), SpanData(34, 37, "DATE")][:k % 6]
                               for k, doc in enumerate(ids)}, "m@1")
    for doc in ids[3::4]:
        view = store.view(doc, "alice")
        for sp in view.suggestions[:2]:
            store.confirm_suggestion(sp.id, "alice")
        if len(view.suggestions) > 2:
            store.delete_span(view.suggestions[2].id, "alice")
    store.add_span(ids[0], 0, 19, "ORG", "alice")
    store.add_span(ids[5], 23, 28, "LOC", "bob")  # someone else's: not alice's count
    with store._write() as s:
        s.execute(update(DocumentRow).where(DocumentRow.id.in_(ids[::3])).values(status=DocumentStatus.ACCEPTED.value))
    return ids


def _pages(store: Store, query: ListQuery, limit: int) -> list[int]:
    ids: list[int] = []
    after = None
    while True:
        found = store.list_page(query, after, limit)
        ids.extend(r.id for r in found.rows)
        if found.after is None:
            return ids
        after = found.after


@pytest.mark.parametrize("sort", [Sort.ENTITIES, Sort.SUGGESTIONS])
def test_a_count_order_is_exact_for_touched_and_untouched_documents(any_store: Store, sort: Sort) -> None:
    store = any_store
    ids = _corpus(store)
    for user in ("alice", None):
        counts = {r.id: (r.human_count if sort is Sort.ENTITIES else r.model_count)
                  for r in store.summaries(ids, user)}
        for descending in (False, True):
            for status in (None, DocumentStatus.ACCEPTED):
                query = ListQuery(user=user, sort=sort, descending=descending, status=status)
                listed = [i for i in ids if status is None or store.document(i).status is status]
                expected = sorted(listed, key=lambda i: (counts[i], i), reverse=descending)
                assert _pages(store, query, 3) == expected, (user, descending, status)
                assert _pages(store, query, 1000) == expected
                middle = expected[len(expected) // 2]
                assert store.list_neighbour(query, middle) == expected[len(expected) // 2 + 1]
                assert store.list_neighbour(query, middle, forward=False) == expected[len(expected) // 2 - 1]
                assert store.list_neighbour(query, expected[-1]) is None
                assert store.list_neighbour(query, None, forward=False) == expected[-1]


def _plan(store: Store, statement: object) -> str:
    with store.engine.connect() as conn:
        compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})  # type: ignore[attr-defined]
        return "\n".join(r[-1] for r in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all())


def test_a_count_order_reads_through_indexes(store: Store) -> None:
    """The touched documents come from the partial index of human spans by author; the others are read
    in the order of the maintained counts' index from the last row shown: no scan of spans, no sort."""
    _corpus(store)
    plan = _plan(store, document_counts.touched("alice"))
    assert "ix_spans_author_document_human" in plan and "SCAN" not in plan.replace("COVERING INDEX", ""), plan
    captured: list[object] = []
    with store._read() as s:
        real = s.execute
        s.execute = lambda statement, *a, **k: (captured.append(statement), real(statement, *a, **k))[1]  # type: ignore[method-assign]
        first = listing.page(s, ListQuery(user="alice", sort=Sort.SUGGESTIONS, descending=True), None, 3)
        listing.page(s, ListQuery(user="alice", sort=Sort.SUGGESTIONS, descending=True), first.after, 3)
        first = listing.page(s, ListQuery(user="alice", sort=Sort.ENTITIES), None, 3)  # untouched first: 0 each
        listing.page(s, ListQuery(user="alice", sort=Sort.ENTITIES), first.after, 3)
    walks = [st for st in captured if "FROM document_counts JOIN documents" in str(st)]
    assert len(walks) == 2
    for statement in walks:
        plan = _plan(store, statement)
        assert "ix_document_counts_model" in plan and "TEMP B-TREE" not in plan, plan
        assert "SCAN spans" not in plan and "SCAN documents" not in plan, plan
    zeros = [st for st in captured if "ORDER BY documents.id" in str(st) and "count(" not in str(st)
             and "FROM document_counts JOIN" not in str(st)]
    assert len(zeros) == 2
    plan = _plan(store, zeros[1])  # from the last row shown: a range of the primary key
    assert "SEARCH documents USING INTEGER PRIMARY KEY (rowid>?)" in plan and "TEMP B-TREE" not in plan, plan


def test_alt_right_from_an_article_the_filter_leaves_out_goes_into_the_list(any_store: Store) -> None:
    """Filtered by a status the open article lacks, sorted so that it sorts after every listed row:
    Alt+Right goes to the list's first row, Alt+Left to its last ("no more" only for an empty list)."""
    store = any_store
    ids = store.import_documents([item(n, []) for n in range(6)]).added
    for doc in ids[:4]:
        store.set_status(doc, DocumentStatus.ACCEPTED, "alice")
    with store._write() as s:  # the open article is the one edited last
        s.execute(update(DocumentRow).where(DocumentRow.id == ids[5]).values(status=DocumentStatus.NEW.value))
    for sort in (Sort.STATUS, Sort.IMPORTED, Sort.ENTITIES):
        query = ListQuery(user="alice", status=DocumentStatus.ACCEPTED, sort=sort)
        listed = _pages(store, query, 100)
        assert sorted(listed) == ids[:4]
        assert store.list_neighbour(query, ids[5]) == listed[0], sort  # was None: "no more documents"
        assert store.list_neighbour(query, ids[5], forward=False) == listed[-1]
        assert store.list_neighbour(query, listed[-1]) is None  # a listed last row: nothing follows
    between = ListQuery(user="alice", status=DocumentStatus.ACCEPTED, sort=Sort.IMPORTED)
    store.set_status(ids[1], DocumentStatus.IN_PROGRESS, "alice")  # now filtered out, between listed rows
    assert store.list_neighbour(between, ids[1]) == ids[2]
    assert store.list_neighbour(between, ids[1], forward=False) == ids[0]
    empty = ListQuery(user="alice", status=DocumentStatus.REJECTED)
    assert store.list_neighbour(empty, ids[5]) is None


def test_postgresql_finds_touched_documents_and_walks_the_counts_through_indexes(postgres) -> None:  # type: ignore[no-untyped-def]
    """The partial index serves the touched documents on PostgreSQL too (its condition spelled as in the
    index), and the maintained counts are walked in order through their index (seq scans disallowed:
    on a table this small the planner would rather read it)."""
    store = Store.open(postgres.create_database("document_counts_plans"))
    _corpus(store)
    with store._read() as s:
        s.execute(text("SET LOCAL enable_seqscan = off"))
        touched = document_counts.touched("alice").compile(s.connection(), compile_kwargs={"literal_binds": True})
        plan = "\n".join(r[0] for r in s.execute(text(f"EXPLAIN {touched}")))
        assert "ix_spans_author_document_human" in plan, plan
        walk = "\n".join(r[0] for r in s.execute(text(
            "EXPLAIN SELECT document_id FROM document_counts WHERE model <= 3 ORDER BY model DESC, document_id DESC "
            "LIMIT 10")))
        assert "ix_document_counts_model" in walk and "Sort" not in walk, walk
    store.close()


def test_check_says_when_the_suggestion_counts_drifted(store: Store) -> None:
    from annotator.store.integrity import check

    (doc,) = store.import_documents([(NewDocument("Blinken met Bourita in Rabat.", "a.txt", "en"), [])]).added
    store.replace_suggestions({doc: [SpanData(0, 7, "PERSON")]}, "m@1")
    head = migrate.head_revision()
    assert check(store.engine, head, head).ok
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE document_counts SET model = model + 2 WHERE document_id = :d"), {"d": doc})
    report = check(store.engine, head, head)
    assert report.problems == [f"the suggestion counts the list sorts by differ from the spans stored for 1 document "
                               f"(document {doc} +2): the counts were changed by hand or a trigger was dropped"]


def test_check_says_when_a_persons_suggestion_counts_drifted(store: Store) -> None:
    from annotator.store.integrity import check

    (doc,) = store.import_documents([(NewDocument("Blinken met Bourita in Rabat.", "a.txt", "en"), [])]).added
    store.replace_suggestions({doc: [SpanData(0, 7, "PERSON"), SpanData(23, 28, "GPE")]}, "m@1")
    store.add_span(doc, 12, 19, "PERSON", "alice")
    head = migrate.head_revision()
    assert check(store.engine, head, head).ok
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE suggestion_counts SET visible = visible + 1 WHERE document_id = :d"), {"d": doc})
    report = check(store.engine, head, head)
    assert report.problems == [f"the suggestions each person still sees, as the list counts them, differ from the "
                               f"spans stored for 1 document (document {doc} for 'alice' kept 3, counted 2): the "
                               "counts were changed by hand or a trigger was dropped"]

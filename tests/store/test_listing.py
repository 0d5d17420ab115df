"""The document list's queries (pages, per-person counts, neighbours) and full-text search, on real
SQLite files and PostgreSQL databases; the query plans use indexes (EXPLAIN QUERY PLAN)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.span import SpanData
from annotator.store import Store
from annotator.store.listing import ListQuery, Sort, page
from annotator.store.schema import DocumentRow, utcnow

WORDS = ["Rabat", "Tanger", "Daesh", "Blinken", "Marrakech", "Fès", "Oujda"]


def _corpus(store: Store, n: int = 23) -> list[int]:
    docs = [(NewDocument(f"{WORDS[(i * 2) % 7]} report {i}\nDispatch {i}: {WORDS[i % 7]} and {WORDS[(i * 3) % 7]} "
                         f"met in {WORDS[(i + 2) % 7]}.", f"d{i:02}.txt", "fr" if i % 5 == 0 else "en"), [])
            for i in range(n)]
    return store.import_documents(docs).added


def _all_pages(store: Store, query: ListQuery, limit: int) -> list[int]:
    ids: list[int] = []
    found = store.list_page(query, None, limit)
    while True:
        ids.extend(r.id for r in found.rows)
        if found.after is None:
            return ids
        found = store.list_page(query, found.after, limit)


WORKFLOW = [DocumentStatus.NEW, DocumentStatus.PREANNOTATED, DocumentStatus.IN_PROGRESS, DocumentStatus.FLAGGED,
            DocumentStatus.REJECTED, DocumentStatus.ACCEPTED]  # the list's Status order (migration 0010)


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("descending", [False, True])
def test_keyset_pages_list_every_document_once_in_the_sorted_order(store: Store, sort: Sort, descending: bool) -> None:
    ids = _corpus(store)
    with store._write() as s:  # distinct edit times, some equal titles and statuses: ties break by id
        for k, doc_id in enumerate(ids):
            s.execute(update(DocumentRow).where(DocumentRow.id == doc_id)
                      .values(updated_at=utcnow() - timedelta(minutes=k % 4)))
    store.replace_suggestions({ids[1]: [SpanData(0, 5, "MISC")], ids[2]: [SpanData(0, 5, "MISC"),
                                                                       SpanData(6, 12, "MISC")]}, "m@1")
    store.set_status(ids[3], DocumentStatus.ACCEPTED, "alice")
    query = ListQuery(user="alice", sort=sort, descending=descending)
    everything = store.list_page(query, None, 1000).rows
    assert len(everything) == len(ids) and len({r.id for r in everything}) == len(ids)
    assert _all_pages(store, query, 4) == [r.id for r in everything]
    key = {
        Sort.IMPORTED: lambda r: r.id, Sort.TITLE: lambda r: r.title.lower(), Sort.LANGUAGE: lambda r: r.language,
        Sort.STATUS: lambda r: WORKFLOW.index(r.status), Sort.ENTITIES: lambda r: r.human_count,
        Sort.SUGGESTIONS: lambda r: r.model_count, Sort.EDITED: lambda r: r.updated_at,
    }[sort]
    expected = sorted(everything, key=lambda r: (key(r), r.id), reverse=descending)
    assert [r.id for r in everything] == [r.id for r in expected]


def test_counts_are_the_persons_own(any_store: Store) -> None:
    """Issue 10 #9: "Entities" = this person's entities (not dismissals, not other annotators' or
    gold); "Sugg." = the suggestions they still see."""
    store = any_store
    text = "Blinken met Bourita in Rabat and Tanger."
    (doc,) = store.import_documents([(NewDocument(text, "a.txt", "en"), [])]).added
    store.replace_suggestions({doc: [SpanData(0, 7, "PERSON"), SpanData(12, 19, "PERSON"), SpanData(23, 28, "GPE"),
                                     SpanData(33, 39, "GPE")]}, "m@1")
    view = store.view(doc, "alice")
    by_start = {sp.start: sp for sp in view.suggestions}
    store.confirm_suggestion(by_start[0].id, "alice")  # confirmed: an entity, no longer a suggestion
    store.delete_span(by_start[12].id, "alice")  # dismissed: neither
    store.add_span(doc, 23, 39, "LOC", "alice", replace=True)  # drawn over two suggestions: hides both
    store.add_span(doc, 12, 19, "PERSON", "bob")
    store.add_span(doc, 0, 7, "PERSON", "@gold")
    alice = store.summary(doc, "alice")
    assert (alice.human_count, alice.model_count) == (2, 0)
    assert len(store.view(doc, "alice").suggestions) == alice.model_count
    bob = store.summary(doc, "bob")
    assert (bob.human_count, bob.model_count) == (1, 3)
    assert len(store.view(doc, "bob").suggestions) == bob.model_count
    everyone = store.summary(doc)
    assert (everyone.human_count, everyone.model_count) == (4, 4)


def test_neighbours_follow_the_filtered_sorted_order_and_unfinished_wraps(any_store: Store) -> None:
    store = any_store
    ids = _corpus(store)
    query = ListQuery(language="en", sort=Sort.TITLE, descending=True)
    order = [r.id for r in store.list_page(query).rows]
    assert store.list_neighbour(query, None) == order[0]
    assert store.list_neighbour(query, None, forward=False) == order[-1]
    assert store.list_neighbour(query, order[3]) == order[4]
    assert store.list_neighbour(query, order[3], forward=False) == order[2]
    assert store.list_neighbour(query, order[-1]) is None
    french = next(i for i in ids if i not in order)  # filtered out: its place in the order still counts
    after = store.list_neighbour(query, french)
    assert after is None or after in order
    for doc_id in order[5:]:
        store.set_status(doc_id, DocumentStatus.ACCEPTED, "alice")
    assert store.list_neighbour(query, order[3], unfinished=True) == order[4]
    assert store.list_neighbour(query, order[4], unfinished=True) == order[0]  # wrapped to the top
    for doc_id in order[:5]:
        store.set_status(doc_id, DocumentStatus.REJECTED, "alice")
    assert store.list_neighbour(query, order[0], unfinished=True) is None


def test_search_titles_and_text_with_a_prefix(any_store: Store) -> None:
    store = any_store
    ids = _corpus(store, 14)
    texts = store.texts(ids)
    summaries = {r.id: r for r in store.summaries(ids)}
    in_title = {i for i in ids if "daesh" in summaries[i].title.lower()}
    in_text = {i for i in ids if "Daesh" in texts[i][0]}
    assert in_title and in_text - in_title
    assert set(store.search("daesh", in_text=False)) == in_title
    assert set(store.search("DAESH", in_text=True)) == in_title | in_text
    assert set(store.search("Dae", in_text=True)) == in_title | in_text  # the last word as a prefix
    assert set(store.search("dispatch 3")) == {i for i in ids if "Dispatch 3" in texts[i][0]}
    assert store.search("--") == [] and store.search("zzzz") == []
    listed = store.list_page(ListQuery(search="daesh", in_text=True, language="en")).rows
    assert {r.id for r in listed} == {i for i in in_title | in_text if texts[i][1] == "en"}


def test_search_index_follows_imports_that_publish_or_stop(store: Store) -> None:
    _corpus(store, 3)
    with pytest.raises(RuntimeError), store.begin_import() as staged:
        staged.add([(NewDocument("Zanzibar harbour news.", "z.txt", "en"), [])])
        assert store.search("zanzibar") == []  # not published: not found
        raise RuntimeError("stop")
    store.sweep_imports()
    assert store.search("zanzibar") == []
    (doc,) = store.import_documents([(NewDocument("Zanzibar harbour news again.", "z2.txt", "en"), [])]).added
    assert store.search("zanzibar") == [doc]
    assert [d[0] for d in store.documents_containing("harbour news")] == [doc]
    assert store.documents_containing("Harbour news") == []  # exact text only


def test_find_entity_text_uses_the_index_and_keeps_exact_matches(store: Store) -> None:
    a, b, c = store.import_documents([(NewDocument(t, f"{k}.txt", "en"), []) for k, t in enumerate(
        ["Abu Dhabi hosts talks.", "In abu dhabi, talks.", "Abu Dhabians said so. Abu Dhabi too."])]).added
    assert [d[0] for d in store.documents_containing("Abu Dhabi")] == [a, c]
    assert [d[0] for d in store.documents_containing("Abu Dhabi", limit=1)] == [a]
    assert [d[0] for d in store.documents_containing(",")] == [b]  # no word: a substring scan
    (cjk,) = store.import_documents([(NewDocument("他在北京说。", "zh.txt", "zh"), [])]).added
    assert [d[0] for d in store.documents_containing("北京")] == [cjk]  # inside a run of characters


def _plan(store: Store, statement: object) -> str:
    with store.engine.connect() as conn:
        compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})  # type: ignore[attr-defined]
        rows = conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
    return "\n".join(r[-1] for r in rows)


@pytest.mark.parametrize("sort", [Sort.IMPORTED, Sort.TITLE, Sort.LANGUAGE, Sort.STATUS, Sort.EDITED])
def test_list_pages_read_through_indexes(store: Store, sort: Sort) -> None:
    """No full sort and no scan of spans: each page walks an index in the list's order and stops
    after a page; the counts probe the spans of that page's documents only."""
    _corpus(store, 5)
    captured: list[object] = []
    first = store.list_page(ListQuery(user="alice", sort=sort), None, 2)
    with store._read() as s:
        for after in (None, first.after):
            captured.append(_statement(s, ListQuery(user="alice", sort=sort), after))
        # A label filter may start from the documents holding the label (then sorts that few), but
        # never scans the spans.
        labelled = _statement(s, ListQuery(user="alice", sort=sort, label="GPE", status=DocumentStatus.NEW),
                              first.after)
    for statement in [*captured, labelled]:
        plan = _plan(store, statement)
        assert "SCAN spans" not in plan and "SCAN human" not in plan and "SCAN model" not in plan, plan
    for statement in captured:
        assert "USE TEMP B-TREE FOR ORDER BY" not in _plan(store, statement)
    plan = _plan(store, captured[1])
    assert "SEARCH documents" in plan, plan  # the keyset: a range of the index, not a scan from the top


def _statement(s: object, query: ListQuery, after: object) -> object:
    from annotator.store import listing
    from annotator.store.list_query import beyond

    key = listing.sort_key(query)
    where = listing.filters(s, query)  # type: ignore[arg-type]
    if after is not None:
        where.append(beyond(key, after, query.descending))  # type: ignore[arg-type]
    return listing._select(query, key).where(*where).order_by(key, DocumentRow.id).limit(listing.PAGE)


def test_search_and_edit_read_through_indexes(store: Store) -> None:
    from annotator.store import queries, search
    from annotator.store.schema import SpanRow

    _corpus(store, 5)
    with store._read() as s:
        for in_text in (False, True):
            where = search.matching(s, "daesh rab", in_text)
            plan = _plan(store, select(DocumentRow.id).where(where))  # type: ignore[arg-type]
            assert "SCAN documents_" in plan and "VIRTUAL TABLE INDEX" in plan, plan  # FTS5 lookups
            assert "SCAN documents\n" not in plan + "\n" and not plan.endswith("SCAN documents"), plan
    # The span window an edit reads: a person's spans and the model's, by document, never a scan.
    window = select(SpanRow.id).where(SpanRow.document_id == 1,
                                      (SpanRow.layer == "model") | (SpanRow.author == "alice"),
                                      SpanRow.start < 40, SpanRow.end > 10)
    plan = _plan(store, window)
    assert "SCAN" not in plan, plan
    plan = _plan(store, queries._VISIBLE_DOCUMENT.params(document_id=1))
    assert "SCAN documents" not in plan, plan


def test_page_counts_match_the_documents_views(store: Store) -> None:
    ids = _corpus(store, 6)
    store.replace_suggestions({i: [SpanData(0, 5, "MISC"), SpanData(6, 12, "CARDINAL")] for i in ids}, "m@1")
    store.add_span(ids[0], 0, 5, "ORG", "alice")
    with store._read() as s:
        rows = page(s, ListQuery(user="alice")).rows
    for r in rows:
        view = store.view(r.id, "alice")
        assert (r.human_count, r.model_count) == (len(view.confirmed), len(view.suggestions))


def test_a_0005_store_upgrades_with_its_documents_searchable(any_store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Migration 0006 indexes what an older store already holds (SQLite FTS5 'rebuild'; PostgreSQL's
    side table filled from the documents), then keeps up with new documents; downgrading removes it."""
    from alembic import command

    from annotator.store import migrate
    from annotator.store.engine import make_engine

    url = any_store.engine.url.render_as_string(hide_password=False)
    any_store.close()
    engine = make_engine(url)
    command.downgrade(migrate.alembic_config(engine), "0005")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO documents (text, source, title, language, content_hash, status, had_bom, meta, "
            "created_at, updated_at, version) VALUES ('Old news from Oujda.', 'o.txt', 'Old news', 'en', 'h', "
            "'new', false, '{}', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)")
    engine.dispose()
    store = Store.open(url)
    try:
        assert store.search("oujda") == [1] and store.search("old", in_text=False) == [1]
        (new,) = store.import_documents([(NewDocument("New from Oujda too.", "n.txt", "en"), [])]).added
        assert store.search("oujda") == [1, new]
    finally:
        store.close()

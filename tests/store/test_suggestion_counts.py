"""The per-(document, person) counts of the suggestions each person still sees (``suggestion_counts``,
kept by triggers, migration 0010) on a real SQLite file and on PostgreSQL: after random sequences of
edits, dismissals, confirmations, undo, pre-annotation replacing the model layer, documents deleted
(the cascade) and stopped imports, for several people, they equal a brute force counted here in Python
from the spans themselves, and the list sorted by "Sugg." (either way, paged, Alt+Right/Left) is the
brute-force order; the migration from 0009 fills them from what is stored; the list's Status order is
the workflow's, through its expression index; the count walks read through indexes."""

from __future__ import annotations

import contextlib
import random
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, delete, select, text

from annotator.core.changes import Changes
from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.errors import AnnotatorError
from annotator.core.imported import Annotation, ImportItem
from annotator.core.span import Layer, SpanData
from annotator.store import Store, document_counts, listing, migrate
from annotator.store.listing import ListQuery, Sort
from annotator.store.schema import DocumentRow, ImportState, SpanRow
from tests.store.test_listing import WORKFLOW, _all_pages

USERS = ("alice", "bob", "carol")
LABELS = ("PER", "LOC", "ORG")
TEXT = "w" * 150


def _exact(store: Store) -> tuple[dict[tuple[int, str], int], dict[int, int], set[tuple[int, str]]]:
    """Brute force from every span: ({(document, person): suggestions they see} for every document and
    person of ``USERS``, {document: model spans}, the (document, person) pairs holding a human span)."""
    with store._read() as s:
        spans = s.execute(select(SpanRow.document_id, SpanRow.start, SpanRow.end, SpanRow.label, SpanRow.layer,
                                 SpanRow.author, SpanRow.rejected)).all()
        docs = list(s.scalars(select(DocumentRow.id)))
    model: dict[int, list[Any]] = {d: [] for d in docs}
    human: dict[tuple[int, str], list[Any]] = {}
    for sp in spans:
        if sp.layer == "model":
            model[sp.document_id].append(sp)
        else:
            human.setdefault((sp.document_id, sp.author), []).append(sp)
    seen = {}
    for doc in docs:
        for user in {*USERS, *(a for d, a in human if d == doc)}:
            mine = human.get((doc, user), [])
            seen[(doc, user)] = sum(1 for m in model[doc] if not any(
                h.start < m.end and h.end > m.start
                and (not h.rejected or (h.start, h.end, h.label) == (m.start, m.end, m.label)) for h in mine))
    return seen, {d: len(ms) for d, ms in model.items()}, set(human)


def check(store: Store) -> dict[tuple[int, str], int]:
    """The maintained counts against the brute force: a row for every touched (document, person), each
    right (a row left after its person's last span there counts every model span); no drift reported."""
    seen, model, touched = _exact(store)
    with store._read() as s:
        kept = document_counts.suggestions_kept(s)
        drift = document_counts.suggestion_drift(s)
        assert document_counts.drift(s) == {}
    assert touched <= set(kept), touched - set(kept)
    assert kept == {pair: seen[pair] for pair in kept}
    assert drift == {}
    return {pair: kept.get(pair, model[pair[0]]) for pair in seen}


def check_orders(store: Store, rng: random.Random) -> None:
    """"Sugg." both ways for each person (and everyone's), paged and by Alt+Right/Left, against the
    brute-force order; the counts shown are the brute force's."""
    seen, model, _ = _exact(store)
    for user in (*USERS, None):
        counts = {d: (seen[(d, user)] if user else n) for d, n in model.items()}
        for descending in (False, True):
            query = ListQuery(user=user, sort=Sort.SUGGESTIONS, descending=descending)
            expected = sorted(counts, key=lambda d: (counts[d], d), reverse=descending)
            assert _all_pages(store, query, rng.choice((1, 3, 7))) == expected, (user, descending)
            assert [r.model_count for r in store.list_page(query, None, 500).rows] == [counts[d] for d in expected]
            for at in rng.sample(range(len(expected)), min(4, len(expected))):
                after = expected[at + 1] if at + 1 < len(expected) else None
                before = expected[at - 1] if at > 0 else None
                assert store.list_neighbour(query, expected[at]) == after, (user, descending, at)
                assert store.list_neighbour(query, expected[at], forward=False) == before


def _suggestions(rng: random.Random) -> list[SpanData]:
    starts = sorted(rng.sample(range(0, 140, 10), rng.choice((0, 1, 3, 5, 8))))
    return [SpanData(a, a + rng.randint(2, 9), rng.choice(LABELS)) for a in starts]


def _step(store: Store, rng: random.Random, ids: list[int], undo: list[Changes]) -> None:
    """One random write, as the app makes them (a refused one changes nothing)."""
    live = ids
    doc, user = rng.choice(live), rng.choice(USERS)
    view = store.view(doc, user)
    kind = rng.random()
    if kind < 0.3:  # an entity of their own: hides every suggestion it overlaps
        a = rng.randrange(0, 140)
        undo.append(store.add_span(doc, a, a + rng.randint(1, 20), rng.choice(LABELS), user))
    elif kind < 0.45 and view.suggestions:  # a dismissal: hides the same start, end and label only
        undo.append(store.delete_span(rng.choice(view.suggestions).id, user))
    elif kind < 0.55 and view.suggestions:
        undo.append(store.confirm_suggestion(rng.choice(view.suggestions).id, user))
    elif kind < 0.65 and view.confirmed:  # removing one of theirs (and its overlapping suggestions dismissed)
        undo.append(store.delete_span(rng.choice(view.confirmed).id, user))
    elif kind < 0.68 and view.confirmed:  # relabelled: a dismissal of the same place may hide again or not
        undo.append(store.relabel_span(rng.choice(view.confirmed).id, rng.choice(LABELS), user))
    elif kind < 0.72 and view.confirmed:
        mine = rng.choice(view.confirmed)
        undo.append(store.resize_span(mine.id, max(0, mine.start - 3), mine.end + rng.randint(-1, 6), user))
    elif kind < 0.8 and undo:
        store.revert(undo.pop())
    elif kind < 0.88:  # pre-annotation re-run: a new model layer for a few documents
        store.replace_suggestions({d: _suggestions(rng) for d in rng.sample(live, min(3, len(live)))}, "m@2")
    elif kind < 0.92:
        undo.append(store.accept_all_suggestions(doc, user))
    else:
        undo.append(store.label_places(user, rng.choice(LABELS), {doc: [(0, 4)], rng.choice(live): [(50, 60)]}, None))


@pytest.mark.parametrize("seed", [11, 12])
def test_maintained_counts_match_the_brute_force_after_random_edits(any_store: Store, seed: int) -> None:
    store = any_store
    rng = random.Random(seed)
    ids = store.import_documents([(NewDocument(f"{TEXT} {i}", f"d{i}.txt", "en"), []) for i in range(14)]).added
    store.replace_suggestions({d: _suggestions(rng) for d in ids}, "m@1")
    undo: list[Changes] = []
    for n in range(90):
        with contextlib.suppress(AnnotatorError):  # refused (overlaps one of theirs): nothing written
            _step(store, rng, ids, undo)
        if n % 10 == 9:
            check(store)
        if n % 30 == 29:
            check_orders(store, rng)
            gone = rng.choice(ids)  # a document deleted: its rows go with it (the cascade)
            with store._write() as s:
                s.execute(delete(DocumentRow).where(DocumentRow.id == gone))
            ids.remove(gone)
            undo = [c for c in undo if gone not in c.document_ids]
            check(store)
    check_orders(store, rng)


def test_imports_of_human_layers_and_stopped_imports_keep_the_counts(any_store: Store) -> None:
    """Human layers imported (raw multi-row inserts on PostgreSQL) with the model layer in the same
    batch; a stopped import's rows removed; a store's own layer for a document stored before."""
    store = any_store
    first = store.import_documents([(NewDocument(f"{TEXT} {i}", f"a{i}", "en"), [SpanData(0, 5, "PER")])
                                    for i in range(3)], author="alice").added
    layered = store.begin_import(author="bob")
    layered.add([ImportItem(NewDocument(f"{TEXT} {i}", f"b{i}", "en"),
                            [Annotation(Layer.HUMAN, "bob", [SpanData(0, 5, "PER")]),
                             Annotation(Layer.MODEL, "m@1", [SpanData(0, 5, "PER"), SpanData(3, 9, "LOC"),
                                                             SpanData(20, 30, "ORG")],
                                        rejected=[SpanData(40, 45, "ORG")])]) for i in range(6)])
    layered.publish()
    check(store)
    stopped = store.begin_import(author="carol")
    stopped.add([(NewDocument(f"{TEXT} x{i}", f"c{i}", "en"), [SpanData(1, 4, "LOC")]) for i in range(4)])
    check(store)
    stopped.abort(ImportState.CANCELLED)
    store.sweep_imports()
    check(store)
    with store._read() as s:  # bob's layer went onto alice's documents (the same texts): a row each
        kept = document_counts.suggestions_kept(s)
    assert {(d, who) for d in first for who in ("alice", "bob")} <= set(kept)
    check_orders(store, random.Random(3))


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migration_fills_the_counts_from_what_is_stored(tmp_path: Path, request: pytest.FixtureRequest,
                                                            backend: str) -> None:
    """A populated store at 0009, spans written while no trigger of 0010 counted them: upgrading fills
    every touched (document, person); down and up again gives the same."""
    url = (str(tmp_path / "c.sqlite3") if backend == "sqlite"
           else request.getfixturevalue("postgres").create_database("suggestion_counts_from_0009"))
    store = Store.open(url)
    rng = random.Random(5)
    ids = store.import_documents([(NewDocument(f"{TEXT} {i}", f"d{i}", "en"), []) for i in range(10)]).added
    store.replace_suggestions({d: _suggestions(rng) for d in ids}, "m@1")
    command.downgrade(migrate.alembic_config(store.engine), "0009")
    store.close()
    engine = create_engine(url if backend == "postgresql" else f"sqlite:///{url}")
    with engine.begin() as conn:
        for _ in range(40):
            a = rng.randrange(0, 140)
            conn.execute(text('INSERT INTO spans (document_id, start, "end", label, layer, author, rejected, '
                              "created_at) VALUES (:d, :a, :b, :l, 'human', :u, :r, CURRENT_TIMESTAMP)"),
                         {"d": rng.choice(ids), "a": a, "b": a + rng.randint(1, 15), "l": rng.choice(LABELS),
                          "u": rng.choice(USERS), "r": rng.random() < 0.4})
    engine.dispose()
    store = Store.open(url)  # upgrades to head, filling the counts
    assert migrate.current_revision(store.engine) == migrate.head_revision()
    before = check(store)
    with store._read() as s:
        assert len(document_counts.suggestions_kept(s)) > 10  # filled: a row for each touched pair
    command.downgrade(migrate.alembic_config(store.engine), "0009")
    command.upgrade(migrate.alembic_config(store.engine), "head")
    assert check(store) == before
    check_orders(store, rng)
    store.close()


def test_the_status_order_is_the_workflow_order(any_store: Store) -> None:
    """New, pre-annotated, in progress, flagged, rejected, accepted (work to do first), ties by id,
    both ways, paged by keyset from any row; Alt+Right walks it too."""
    store = any_store
    workflow = WORKFLOW
    rng = random.Random(9)
    statuses = [rng.choice(workflow) for _ in range(30)]
    ids = store.import_documents([(NewDocument(f"{TEXT} {i}", f"s{i}", "en", st), [])
                                  for i, st in enumerate(statuses)]).added
    for descending in (False, True):
        query = ListQuery(user="alice", sort=Sort.STATUS, descending=descending)
        expected = sorted(ids, key=lambda d: (workflow.index(statuses[ids.index(d)]), d), reverse=descending)
        for limit in (1, 4, 100):
            assert _all_pages(store, query, limit) == expected
        for at in range(len(expected) - 1):
            assert store.list_neighbour(query, expected[at]) == expected[at + 1]
        flagged = ListQuery(user="alice", sort=Sort.STATUS, descending=descending, status=DocumentStatus.FLAGGED)
        assert _all_pages(store, flagged, 2) == [d for d in expected
                                                 if statuses[ids.index(d)] is DocumentStatus.FLAGGED]


def _plan(store: Store, statement: Any) -> str:
    with store.engine.connect() as conn:
        compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})
        return "\n".join(r[-1] for r in conn.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all())


def test_the_sorts_read_through_indexes(store: Store) -> None:
    """"Sugg." either way walks ``ix_suggestion_counts_author_visible`` and ``ix_document_counts_model``
    from the mark (the latter probing the primary key of ``suggestion_counts``); Status walks its
    expression index: no sort, no scan of spans or of the documents' rows (a walk down an index only)."""
    rng = random.Random(2)
    ids = store.import_documents([(NewDocument(f"{TEXT} {i}", f"d{i}", "en"), []) for i in range(12)]).added
    store.replace_suggestions({d: _suggestions(rng) for d in ids}, "m@1")
    for d in ids[::3]:
        store.add_span(d, 0, 12, "PER", "alice")
    captured: list[Any] = []
    with store._read() as s:
        real = s.execute
        s.execute = lambda statement, *a, **k: (captured.append(statement), real(statement, *a, **k))[1]  # type: ignore[method-assign]
        for descending in (False, True):
            for sort in (Sort.SUGGESTIONS, Sort.STATUS):
                query = ListQuery(user="alice", sort=sort, descending=descending)
                first = listing.page(s, query, None, 3)
                listing.page(s, query, first.after, 3)
    walks = {"ix_suggestion_counts_author_visible": "FROM suggestion_counts JOIN",
             "ix_document_counts_model": "FROM document_counts JOIN", "ix_documents_status_order": "CASE documents"}
    for index, marker in walks.items():
        statements = [st for st in captured if marker in str(st)]
        assert len(statements) == 4, index
        for statement in statements:
            plan = _plan(store, statement)
            assert index in plan and "TEMP B-TREE" not in plan, plan
            assert "SCAN spans" not in plan and not re.search(r"SCAN documents(?! USING INDEX)", plan), plan


def test_postgresql_walks_the_counts_and_the_status_order_through_indexes(postgres) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(postgres.create_database("suggestion_counts_plans"))
    ids = store.import_documents([(NewDocument(f"{TEXT} {i}", f"d{i}", "en"), []) for i in range(12)]).added
    store.replace_suggestions({d: _suggestions(random.Random(d)) for d in ids}, "m@1")
    store.add_span(ids[0], 0, 12, "PER", "alice")
    with store._read() as s:
        s.execute(text("SET LOCAL enable_seqscan = off"))
        for sql, index in (
                ("SELECT document_id FROM suggestion_counts WHERE author = 'alice' AND visible >= 2 "
                 "ORDER BY visible, document_id LIMIT 10", "ix_suggestion_counts_author_visible"),
                ("SELECT id FROM documents ORDER BY (CASE documents.status WHEN 'new' THEN 0 WHEN 'pre-annotated' "
                 "THEN 1 WHEN 'in progress' THEN 2 WHEN 'flagged' THEN 3 WHEN 'rejected' THEN 4 WHEN 'accepted' "
                 "THEN 5 ELSE 6 END) DESC, id DESC LIMIT 10", "ix_documents_status_order")):
            plan = "\n".join(r[0] for r in s.execute(text(f"EXPLAIN {sql}")))
            assert index in plan and "Sort" not in plan, plan
    store.close()



def _wait_for_a_lock_wait(engine: Any, deadline: float = 60.0) -> None:
    """Until another backend of this database waits on a row lock (polled, bounded)."""
    end = time.monotonic() + deadline
    with engine.connect() as conn:
        while time.monotonic() < end:
            waiting = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                        "AND wait_event_type = 'Lock'")).scalar()
            if waiting:
                return
    raise AssertionError("no writer waited on the other's lock")


def test_postgresql_an_edit_and_a_pre_annotation_over_one_document_wait_for_each_other(postgres) -> None:  # type: ignore[no-untyped-def]
    """An edit and a pre-annotation run over the same document at once, each way round: the second waits
    for the first's row lock, then counts what the first committed (no lost update, no deadlock)."""
    url = postgres.create_database("suggestion_counts_concurrent")
    store = Store.open(url)
    ids = store.import_documents([(NewDocument(f"{TEXT} {i}", f"d{i}", "en"), []) for i in range(3)]).added
    layer = {d: [SpanData(0, 5, "PER"), SpanData(10, 15, "LOC"), SpanData(30, 40, "ORG")] for d in ids}
    store.replace_suggestions(layer, "m@1")
    store.add_span(ids[0], 10, 15, "LOC", "alice")  # alice's row there: 2 of 3 seen
    engine = create_engine(url)
    span = ('INSERT INTO spans (document_id, start, "end", label, layer, author, rejected, created_at) '
            "VALUES (:d, :a, :b, 'PER', :layer, :u, false, now())")
    try:
        with engine.connect() as conn:  # the edit first, its transaction open: it hides ORG 30-40
            conn.begin()
            conn.execute(text(span), {"d": ids[0], "a": 32, "b": 35, "layer": "human", "u": "alice"})
            other = threading.Thread(target=store.replace_suggestions, args=({d: layer[d] + [SpanData(33, 34, "PER")]
                                                                               for d in ids}, "m@2"))
            other.start()
            _wait_for_a_lock_wait(engine)
            conn.commit()
        other.join()
        assert check(store)[(ids[0], "alice")] == 1  # PER 0-5 only: LOC confirmed, ORG and PER 33-34 hidden
        with engine.connect() as conn:  # a pre-annotation's model spans first, open: the edit waits
            conn.begin()
            conn.execute(text(span), {"d": ids[0], "a": 60, "b": 70, "layer": "model", "u": "m@2"})
            edit = threading.Thread(target=store.add_span, args=(ids[0], 62, 64, "PER", "alice"))
            edit.start()
            _wait_for_a_lock_wait(engine)
            conn.commit()
        edit.join()
        assert check(store)[(ids[0], "alice")] == 1  # the new suggestion is hidden by the edit that waited
    finally:
        engine.dispose()
        store.close()

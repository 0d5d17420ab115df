"""The list sorted by a count on random data, against a brute-force exact order counted here in Python
from the spans themselves: every page, every neighbour, both directions, several people (issue 13:
"Sugg." descending ranks the touched documents lazily, by their maintained counts as upper bounds)."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.span import SpanData
from annotator.store import Store
from annotator.store.listing import ListQuery, Sort
from tests.store.test_listing import _all_pages

USERS = ("alice", "bob", "carol", None)  # alice touched many articles, bob few, carol none; None: everyone
LABELS = ("PER", "LOC", "ORG")
TEXT = "x" * 120


def _random_store(path: Path, seed: int) -> tuple[Store, list[int]]:
    rng = random.Random(seed)
    store = Store.open(str(path))
    ids = store.import_documents([(NewDocument(f"{TEXT} {i}", f"d{i:03}.txt", "en"), [])
                                  for i in range(160)]).added
    suggestions: dict[int, list[SpanData]] = {}
    for doc_id in ids:  # few counts, many ties: the order's ties break by id
        starts = sorted(rng.sample(range(0, 110, 10), rng.choice((0, 1, 2, 3, 3, 5, 8, 11))))
        suggestions[doc_id] = [SpanData(a, a + rng.randint(2, 9), rng.choice(LABELS)) for a in starts]
    store.replace_suggestions(suggestions, "m@1")
    human = []
    for doc_id in ids:
        for user, share in (("alice", 0.4), ("bob", 0.05)):
            if rng.random() < share:
                model = suggestions[doc_id]
                for _ in range(rng.randint(1, 4)):
                    if model and rng.random() < 0.5:  # a dismissal or a confirmation of a suggestion
                        m = rng.choice(model)
                        human.append((doc_id, m.start, m.end, m.label, user, int(rng.random() < 0.5)))
                    else:  # an entity of their own, hiding what it overlaps; or a dismissal hiding nothing
                        a = rng.randrange(0, 115)
                        human.append((doc_id, a, a + rng.randint(1, 25), rng.choice(LABELS), user,
                                      int(rng.random() < 0.2)))
    conn = sqlite3.connect(path)
    conn.executemany('INSERT INTO spans (document_id, start, "end", label, layer, author, rejected, created_at) '
                     "VALUES (?, ?, ?, ?, 'human', ?, ?, '2026-12-01 10:00:00.000000')", human)
    conn.commit()
    conn.close()
    return store, ids


def _exact(path: Path, user: str | None) -> dict[int, tuple[int, int]]:
    """Brute force: {document: (entities, suggestions)} as ``user`` sees them, from every span."""
    conn = sqlite3.connect(path)
    spans = conn.execute('SELECT document_id, start, "end", label, layer, author, rejected FROM spans').fetchall()
    docs = [doc_id for (doc_id,) in conn.execute("SELECT id FROM documents")]
    conn.close()
    by_doc: dict[int, list[tuple]] = {doc_id: [] for doc_id in docs}  # type: ignore[type-arg]
    for span in spans:
        by_doc[span[0]].append(span)
    out = {}
    for doc_id in docs:
        mine = [s for s in by_doc[doc_id] if s[4] == "human" and (user is None or s[5] == user)]
        model = [s for s in by_doc[doc_id] if s[4] == "model"]
        entities = sum(1 for s in mine if not s[6])
        if user is None:
            out[doc_id] = (entities, len(model))
            continue
        shown = [m for m in model if not any(
            h[1] < m[2] and h[2] > m[1] and (not h[6] or (h[1], h[2], h[3]) == (m[1], m[2], m[3])) for h in mine)]
        out[doc_id] = (entities, len(shown))
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_count_orders_match_the_brute_force_order_page_by_page(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "random.sqlite3"
    store, ids = _random_store(path, seed)
    try:
        for user in USERS:
            exact = _exact(path, user)
            assert any(n > 0 for n, _ in exact.values()) == (user != "carol")
            for sort, column in ((Sort.SUGGESTIONS, 1), (Sort.ENTITIES, 0)):
                for descending in (True, False):
                    query = ListQuery(user=user, sort=sort, descending=descending)
                    expected = sorted(ids, key=lambda d, c=column: (exact[d][c], d), reverse=descending)
                    for limit in (5, 200):  # every row once, in the exact order, however it is paged
                        assert _all_pages(store, query, limit) == expected, (user, sort, descending, limit)
                    first = store.list_page(query, None, 10).rows
                    assert [(r.human_count, r.model_count) for r in first] == [exact[d] for d in expected[:10]]
    finally:
        store.close()


@pytest.mark.parametrize("seed", [4, 5])
def test_count_order_neighbours_match_the_brute_force_order(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "random.sqlite3"
    store, ids = _random_store(path, seed)
    rng = random.Random(seed)
    try:
        for user in ("alice", "bob"):
            exact = _exact(path, user)
            for sort, column in ((Sort.SUGGESTIONS, 1), (Sort.ENTITIES, 0)):
                for descending in (True, False):
                    query = ListQuery(user=user, sort=sort, descending=descending)
                    expected = sorted(ids, key=lambda d, c=column: (exact[d][c], d), reverse=descending)
                    for at in rng.sample(range(1, len(ids) - 1), 12):
                        current = expected[at]
                        assert store.list_neighbour(query, current) == expected[at + 1]
                        assert store.list_neighbour(query, current, forward=False) == expected[at - 1]
                    assert store.list_neighbour(query, None) == expected[0]
    finally:
        store.close()


def test_count_orders_keep_the_filters(tmp_path: Path) -> None:
    """Filtered lists: the touched documents are ranked before the filters (Entities) or after them
    (Sugg.), and every page holds listed documents only, in the exact order."""
    path = tmp_path / "random.sqlite3"
    store, ids = _random_store(path, 6)
    rng = random.Random(6)
    accepted = set(rng.sample(ids, 50))
    try:
        for doc_id in accepted:
            store.set_status(doc_id, DocumentStatus.ACCEPTED, "carol")
        conn = sqlite3.connect(path)
        with_org = {doc_id for (doc_id,) in conn.execute("SELECT document_id FROM spans WHERE label = 'ORG' "
                                                          "AND NOT rejected")}
        conn.close()
        for user in ("alice", "bob"):
            exact = _exact(path, user)
            for sort, column in ((Sort.SUGGESTIONS, 1), (Sort.ENTITIES, 0)):
                for descending in (True, False):
                    for listed, query in (
                            (accepted, ListQuery(user=user, sort=sort, descending=descending,
                                                 status=DocumentStatus.ACCEPTED)),
                            (with_org, ListQuery(user=user, sort=sort, descending=descending, label="ORG"))):
                        expected = sorted(listed, key=lambda d, c=column: (exact[d][c], d), reverse=descending)
                        assert 0 < len(expected) < len(ids)
                        for limit in (4, 200):
                            assert _all_pages(store, query, limit) == expected, (user, sort, descending, limit)
    finally:
        store.close()

"""Read queries on a real SQLite file and on PostgreSQL: the document list, its one-row refresh, and
the status/language filters shared by counts, exports and pre-annotation."""

from __future__ import annotations

from collections.abc import Collection

import pytest

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.errors import NotFound
from annotator.core.span import SpanData
from annotator.store import Store


@pytest.fixture
def store(any_store: Store) -> Store:
    return any_store


@pytest.fixture
def docs(store: Store) -> list[int]:
    """An English accepted, an English new and a French flagged document; the first two with suggestions."""
    added = store.import_documents([
        (NewDocument("Rabat is in Morocco.", "a", "en", DocumentStatus.ACCEPTED), []),
        (NewDocument("Blinken flew to Rabat.", "b", "en"), []),
        (NewDocument("Bourita est à Paris.", "c", "fr", DocumentStatus.FLAGGED), []),
    ]).added
    store.replace_suggestions({added[0]: [SpanData(0, 5, "GPE"), SpanData(12, 19, "GPE")],
                               added[1]: [SpanData(0, 7, "PERSON")]}, "m@1")
    store.add_span(added[0], 0, 5, "GPE", "alice")
    store.delete_span(store.view(added[0], "alice").suggestions[0].id, "alice")  # a rejection: not counted
    return added


def test_summary_is_the_document_list_row(store: Store, docs: list[int]) -> None:
    listed = store.list_documents()
    assert [d.id for d in listed] == docs
    assert [store.summary(d) for d in docs] == listed
    assert [(d.human_count, d.model_count) for d in listed] == [(1, 2), (0, 1), (0, 0)]
    with pytest.raises(NotFound, match="no document with id 999"):
        store.summary(999)


def test_status_and_language_filters(store: Store, docs: list[int]) -> None:
    a, b, c = docs
    assert store.document_count() == 3
    assert store.document_count([DocumentStatus.ACCEPTED, DocumentStatus.FLAGGED]) == 2
    assert store.document_count([DocumentStatus.ACCEPTED, DocumentStatus.FLAGGED], language="fr") == 1
    assert store.document_count([]) == 0

    def bundled(statuses: Collection[DocumentStatus] | None = None, language: str | None = None) -> list[int]:
        return [bundle.info.id for batch in store.bundles(statuses, language, batch_size=1) for bundle in batch]

    assert bundled() == docs
    assert bundled(statuses=[DocumentStatus.ACCEPTED, DocumentStatus.FLAGGED]) == [a, c]
    assert bundled(language="en") == [a, b]

    assert store.ids_needing_suggestions() == [c]  # unfinished, never suggested
    assert store.ids_needing_suggestions(rerun=True) == [b, c]  # every unfinished one
    assert store.ids_needing_suggestions(language="en", rerun=True) == [b]

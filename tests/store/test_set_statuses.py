"""``Store.set_statuses``: many documents' status in batches of transactions, with progress; accepting
settles unreviewed suggestions as ``set_status`` does; documents with the status already are left as
they are; Cancel stops between batches with the finished batches kept — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.progress import Cancelled, CancelToken
from annotator.core.span import SpanData
from annotator.store import Store


def _corpus(store: Store, n: int) -> list[int]:
    ids = store.import_documents([(NewDocument(f"Blinken met Bourita in Rabat ({i}).", f"d{i}.txt", "en"), [])
                                  for i in range(n)]).added
    store.replace_suggestions({d: [SpanData(0, 7, "PERSON"), SpanData(23, 28, "GPE")] for d in ids[:4]}, "m@1")
    return ids


def test_accepting_many_settles_their_suggestions_in_batches(any_store: Store) -> None:
    store = any_store
    ids = _corpus(store, 8)
    store.set_status(ids[7], DocumentStatus.ACCEPTED, "alice")
    before = store.view(ids[7], "alice").info.version
    seen: list[tuple[int, int]] = []
    report = store.set_statuses(ids, DocumentStatus.ACCEPTED, "alice", batch=3,
                                progress=lambda done, total, message: seen.append((done, total)))
    assert (report.changed, report.unchanged, report.confirmed, report.dismissed) == (7, 1, 8, 0)
    assert seen == [(3, 8), (6, 8), (8, 8)]
    assert {store.view(d, "alice").info.status for d in ids} == {DocumentStatus.ACCEPTED}
    assert [(e.start, e.label) for e in store.view(ids[0], "alice").confirmed] == [(0, "PERSON"), (23, "GPE")]
    assert store.view(ids[7], "alice").info.version == before  # had it already: not written


def test_dismissing_the_unreviewed_ones(any_store: Store) -> None:
    store = any_store
    ids = _corpus(store, 5)
    report = store.set_statuses(ids, DocumentStatus.ACCEPTED, "bob", unreviewed="dismiss", batch=2)
    assert (report.changed, report.confirmed, report.dismissed) == (5, 0, 8)
    view = store.view(ids[0], "bob")
    assert not view.confirmed and not view.suggestions and len(view.rejections) == 2


def test_cancel_keeps_the_batches_done_and_says_so(store: Store) -> None:
    ids = _corpus(store, 7)
    cancel = CancelToken()

    def progress(done: int, total: int, message: str) -> None:
        if done == 3:
            cancel.cancel()

    with pytest.raises(Cancelled):
        store.set_statuses(ids, DocumentStatus.FLAGGED, "alice", progress=progress, cancel=cancel, batch=3)
    statuses = [store.view(d, "alice").info.status for d in ids]
    assert statuses[:3] == [DocumentStatus.FLAGGED] * 3
    assert DocumentStatus.FLAGGED not in statuses[3:]
    report = store.set_statuses(ids, DocumentStatus.FLAGGED, "alice", batch=3)  # running it again finishes
    assert (report.changed, report.unchanged) == (4, 3)


def test_the_command_shows_progress_and_counts(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    from annotator.cli import main

    db = str(tmp_path / "many.sqlite3")
    store = Store.open(db)
    ids = _corpus(store, 6)
    store.set_status(ids[5], DocumentStatus.ACCEPTED, "carol")
    store.close()
    assert main(["--db", db, "--user", "carol", "set-status", "accepted", "--all"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == ("set 'accepted' on 5 documents (1 had it already); 8 unreviewed suggestions "
                                    "confirmed as entities (--unreviewed dismiss to dismiss them)")
    assert "100.0% set 'accepted' on 5 documents of 5" in captured.err

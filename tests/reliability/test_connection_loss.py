"""The PostgreSQL server goes away mid-session: a clear error, nothing half-written, and a retry
works once it is back."""

from __future__ import annotations

import pytest

from annotator.core.document import NewDocument
from annotator.core.errors import StoreUnavailable
from annotator.store import Store
from tests.postgres import ThrowawayPostgres, require_pg_bin


@pytest.fixture
def own_server():  # type: ignore[no-untyped-def]
    server = ThrowawayPostgres(require_pg_bin()).start()
    yield server
    server.stop()


def test_edit_during_an_outage_fails_clearly_and_succeeds_on_retry(own_server) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(own_server.url())
    doc = store.import_documents([(NewDocument("Bourita met Blinken in Rabat.", "r.txt", "en"), [])]).added[0]
    store.add_span(doc, 0, 7, "PERSON", "alice")
    own_server._run("pg_ctl", "-D", str(own_server.dir / "data"), "-m", "immediate", "stop")
    with pytest.raises(StoreUnavailable, match="lost the connection to the database"):
        store.add_span(doc, 12, 19, "PERSON", "alice")
    with pytest.raises(StoreUnavailable):
        store.view(doc, "alice")  # reads say so too, no raw driver error
    own_server._run("pg_ctl", "-D", str(own_server.dir / "data"), "-l", str(own_server.dir / "log"), "-w", "-o",
                    f"-p {own_server.port} -k {own_server.dir} -c listen_addresses=127.0.0.1", "start")
    store.add_span(doc, 12, 19, "PERSON", "alice")  # the retry
    spans = [(s.start, s.end) for s in store.view(doc, "alice").confirmed]
    assert spans == [(0, 7), (12, 19)]  # the failed attempt left nothing behind
    store.close()

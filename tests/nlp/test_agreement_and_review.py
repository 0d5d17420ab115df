"""Two annotators on the seeds: agreement figures, a reviewer's gold version, exports preferring it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.core.document import DocumentStatus
from annotator.core.span import GOLD
from annotator.io.exporter import ExportFormat, export
from annotator.io.importer import import_paths
from annotator.io.selection import ExportOptions
from annotator.nlp.agreement import agreement
from annotator.nlp.preannotate import preannotate
from annotator.store import Store


@pytest.fixture
def two_annotators(store: Store, seeds_dir: Path, pipelines) -> tuple[Store, int]:  # type: ignore[no-untyped-def]
    import_paths(store, [seeds_dir / "001_118d716e0188fb48.txt"])
    preannotate(store, pipelines)
    doc = store.list_documents()[0].id
    store.accept_all_suggestions(doc, "alice")
    store.accept_all_suggestions(doc, "bob")
    bob = store.view(doc, "bob")
    blinken = [s for s in bob.confirmed if bob.text[s.start : s.end] == "Blinken"]
    for s in blinken[:2]:
        store.relabel_span(s.id, "GPE", "bob")  # bob disagrees twice
    store.delete_span(bob.confirmed[-1].id, "bob")
    store.set_status(doc, DocumentStatus.ACCEPTED, "alice")
    return store, doc


def test_pairwise_agreement(two_annotators) -> None:  # type: ignore[no-untyped-def]
    store, doc = two_annotators
    (pair,) = agreement(store)
    assert (pair.a, pair.b) == ("alice", "bob")
    n = len(store.view(doc, "alice").confirmed)
    assert pair.spans.overall.tp == n - 3 and 0.9 < pair.f < 1.0
    assert pair.kappa is not None and 0.8 < pair.kappa < 1.0
    assert pair.kappa_for("PERSON") < 1.0 and pair.per_document[doc][0] == pair.f


def test_review_takes_a_version_into_gold_and_exports_prefer_it(two_annotators, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, doc = two_annotators
    assert store.annotators(doc) == ["alice", "bob"]
    changes = store.adopt_version(doc, "bob")
    gold = store.view(doc, GOLD).confirmed
    assert sorted((s.start, s.end, s.label) for s in gold) == \
        sorted((s.start, s.end, s.label) for s in store.view(doc, "bob").confirmed)
    out = tmp_path / "d.jsonl"
    export(store, out, ExportFormat.JSONL, ExportOptions())
    record = json.loads(out.read_text())
    assert record["meta"]["annotator"] == GOLD and len(record["spans"]) == len(gold)
    store.revert(changes)  # undoable like any edit
    assert store.view(doc, GOLD).confirmed == ()
    assert agreement(store)[0].b == "bob"  # gold is not an annotator


def test_cli_agreement_and_review(two_annotators, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    store, doc = two_annotators
    db = store.url.removeprefix("sqlite:///")
    assert main(["--db", db, "agreement"]) == 0
    out = capsys.readouterr().out
    assert "alice vs bob: 1 document, span F" in out and "token kappa" in out and "PERSON" in out
    assert main(["--db", db, "agreement", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["documents"] == 1
    assert main(["--db", db, "review", str(doc), "--take", "alice"]) == 0
    assert "gold version is now alice's" in capsys.readouterr().out
    assert main(["--db", db, "review", str(doc), "--take", "carol"]) == 1
    assert "carol has not annotated this document" in capsys.readouterr().err

"""Every format a peer's user brings, imported with its meaning (issue 14): one table, one small file
set per format written here, and what the store must hold afterwards: each document's text and
status, every layer (whose, entities and rejections), what needs attention, and the warnings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from annotator.core.document import DocumentStatus
from annotator.core.errors import InputRefused
from annotator.core.imported import DISCONTINUOUS, OFF_TOKENS, OVERLAP, WHITESPACE_EDGE
from annotator.io.importer import ImportOptions, import_paths
from annotator.store import Store
from annotator.store.schema import DocumentRow, SpanRow

Spans = list[tuple[int, int, str]]
TEACH = "Apple is looking at buying U.K. startup for $1 billion"


def jsonl(*rows: Any) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


@dataclass
class Doc:
    text: str
    status: DocumentStatus
    layers: dict[str, Spans] = field(default_factory=dict)  # "human:alice" / "model:m" -> entities
    rejected: dict[str, Spans] = field(default_factory=dict)  # "human:alice" -> rejected suggestions
    attention: dict[str, int] | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # keys that must be in the document's meta


@dataclass
class Case:
    files: dict[str, str]  # name -> content (a name with "/" makes a folder; the folder is imported)
    docs: list[Doc]
    warnings: list[str] = field(default_factory=list)  # pieces of the report's warnings, in order
    options: ImportOptions = ImportOptions(author="me")


CASES = {
    "prodigy teach: accept, reject, ignore on one text": Case(
        {"teach.jsonl": jsonl(
            {"text": TEACH, "spans": [{"start": 0, "end": 5, "label": "ORG"}], "answer": "accept",
             "_input_hash": 11, "_task_hash": 1, "_view_id": "ner", "_annotator_id": "news-alice",
             "meta": {"score": 0.9}},
            {"text": TEACH, "spans": [{"start": 27, "end": 31, "label": "ORG"}], "answer": "reject",
             "_input_hash": 11, "_task_hash": 2, "_view_id": "ner", "_annotator_id": "news-alice"},
            {"text": TEACH, "spans": [{"start": 44, "end": 54, "label": "MONEY"}], "answer": "ignore",
             "_input_hash": 11, "_task_hash": 3, "_view_id": "ner", "_annotator_id": "news-alice"},
            {"text": TEACH, "spans": [{"start": 27, "end": 31, "label": "GPE"}], "answer": "accept",
             "_input_hash": 11, "_task_hash": 4, "_view_id": "ner", "_session_id": "news-bob"},
            {"text": " ", "spans": [], "answer": "accept", "_view_id": "ner_manual"},
        )},
        [Doc(TEACH, DocumentStatus.IN_PROGRESS,  # the reject rejected a span, not the document
             layers={"human:news-alice": [(0, 5, "ORG")], "human:news-bob": [(27, 31, "GPE")]},
             rejected={"human:news-alice": [(27, 31, "ORG")]}, meta={"_input_hash": 11})],
        warnings=["teach.jsonl, line 5, field 'text': is empty or only whitespace: the task was skipped"],
    ),
    "prodigy manual, per-span answers": Case(
        {"manual.jsonl": jsonl(
            {"text": "Bourita met Blinken in Rabat.", "answer": "accept", "_view_id": "ner_manual",
             "spans": [{"start": 0, "end": 7, "label": "PERSON"}, {"start": 23, "end": 28, "label": "GPE"}]},
            {"text": "Blinken left.", "answer": "accept",
             "spans": [{"start": 0, "end": 7, "label": "PERSON", "answer": "reject"}]},
        )},
        [Doc("Bourita met Blinken in Rabat.", DocumentStatus.ACCEPTED,
             layers={"human:me": [(0, 7, "PERSON"), (23, 28, "GPE")]}),
         Doc("Blinken left.", DocumentStatus.IN_PROGRESS, rejected={"human:me": [(0, 7, "PERSON")]})],
    ),
    "conll in a .txt: -DOCSTART-, IOB1, space columns": Case(
        {"eng.txt": "-DOCSTART- -X- -X- O\n\nEU NNP B-NP I-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP I-MISC\n"
                    "call NN I-NP O\n. . O O\n\nPeter NNP B-NP I-PER\nBlackburn NNP I-NP I-PER\n\n"
                    "-DOCSTART- -X- -X- O\n\nBRUSSELS NNP B-NP I-LOC\nAlan NNP I-NP I-PER\nBob NNP I-NP B-PER\n"},
        [Doc("EU rejects German call .\nPeter Blackburn", DocumentStatus.ACCEPTED,
             layers={"human:me": [(0, 2, "ORG"), (11, 17, "MISC"), (25, 40, "PER")]},
             meta={"tokens": [[0, 2], [3, 10], [11, 17], [18, 22], [23, 24], [25, 30], [31, 40]]}),
         Doc("BRUSSELS Alan Bob", DocumentStatus.ACCEPTED,
             layers={"human:me": [(0, 8, "LOC"), (9, 13, "PER"), (14, 17, "PER")]})],
    ),
    "conll: tabs, IOB2 and BILUO, unreviewed tokens": Case(
        {"x.conll": "Le\tO\nPrésident\tB-PER\nMacron\tL-PER\nà\t-\nParis\tU-LOC\n"},
        [Doc("Le Président Macron à Paris", DocumentStatus.IN_PROGRESS,
             layers={"human:me": [(3, 19, "PER"), (22, 27, "LOC")]})],
    ),
    "brat pair with a discontinuous span and a relation": Case(
        {"brat/a.txt": "Bourita met Blinken and Lavrov in Rabat.\n",
         "brat/a.ann": "T1\tPERSON 0 7\tBourita\nT2\tPERSON 12 19;24 30\tBlinken Lavrov\nT3\tGPE 34 39\tRabat\n"
                       "R1\tMeets Arg1:T1 Arg2:T2\n#1\tAnnotatorNotes T1\tminister\n"},
        [Doc("Bourita met Blinken and Lavrov in Rabat.\n", DocumentStatus.IN_PROGRESS,
             layers={"human:me": [(0, 7, "PERSON"), (12, 19, "PERSON"), (24, 30, "PERSON"), (34, 39, "GPE")]},
             attention={DISCONTINUOUS: 1})],
        warnings=["a.ann: 2 relation/event/attribute/note lines not imported"],
    ),
    "doccano: whitespace edges, mid-token, nested; extra keys kept": Case(
        {"d.jsonl": jsonl(
            {"id": 7, "text": "Le ministre Nasser Bourita est arrivé à Rabat.", "Comments": ["check"],
             "label": [[11, 27, "PERSON"], [18, 26, "PERSON"], [40, 43, "GPE"], [12, 18, "PERSON"]]},
        )},
        [Doc("Le ministre Nasser Bourita est arrivé à Rabat.", DocumentStatus.IN_PROGRESS,
             layers={"human:me": [(11, 27, "PERSON"), (12, 18, "PERSON"), (18, 26, "PERSON"), (40, 43, "GPE")]},
             attention={WHITESPACE_EDGE: 2, OFF_TOKENS: 1, OVERLAP: 3}, meta={"Comments": ["check"]})],
    ),
    "doccano 1.x: data instead of text": Case(
        {"old.jsonl": jsonl({"id": 1, "data": "Rabat welcomes Blinken.", "label": [[0, 5, "GPE"]], "batch": 3})},
        [Doc("Rabat welcomes Blinken.", DocumentStatus.IN_PROGRESS, layers={"human:me": [(0, 5, "GPE")]},
             meta={"batch": 3})],
    ),
    "label studio JSON: two annotators, a prediction, a cancelled annotation": Case(
        {"ls.json": json.dumps([{
            "id": 1, "data": {"text": "Bourita met Blinken.", "site": "mfa"},
            "annotations": [
                {"completed_by": 1, "result": [{"value": {"start": 0, "end": 7, "labels": ["PERSON"]},
                                                "from_name": "label", "to_name": "text", "type": "labels"}]},
                {"completed_by": {"email": "b@x.org"}, "result": [
                    {"value": {"start": 12, "end": 19, "labels": ["PERSON"]}, "type": "labels"}]},
                {"completed_by": 3, "was_cancelled": True, "result": [
                    {"value": {"start": 0, "end": 19, "labels": ["ORG"]}, "type": "labels"}]}],
            "predictions": [{"model_version": "ls-ner@2", "result": [
                {"value": {"start": 0, "end": 7, "labels": ["ORG"]}, "type": "labels"}]}]}])},
        [Doc("Bourita met Blinken.", DocumentStatus.IN_PROGRESS,
             layers={"human:label-studio:1": [(0, 7, "PERSON")], "human:label-studio:b@x.org": [(12, 19, "PERSON")],
                     "model:ls-ner@2": [(0, 7, "ORG")]}, meta={"site": "mfa"})],
    ),
    "label studio JSON-MIN": Case(
        {"min.json": json.dumps([{"text": "Rabat is big.", "id": 4, "annotator": 2,
                                  "label": [{"start": 0, "end": 5, "text": "Rabat", "labels": ["GPE"]}]}])},
        [Doc("Rabat is big.", DocumentStatus.IN_PROGRESS, layers={"human:label-studio:2": [(0, 5, "GPE")]})],
    ),
    "spaCy simple training JSON": Case(
        {"train.json": json.dumps([["Uber blew through $1 million", {"entities": [[0, 4, "ORG"]]}],
                                   ["Google rebrands", {"entities": []}]])},
        [Doc("Uber blew through $1 million", DocumentStatus.IN_PROGRESS, layers={"human:me": [(0, 4, "ORG")]}),
         Doc("Google rebrands", DocumentStatus.IN_PROGRESS)],
    ),
    "spaCy v2 JSON": Case(
        {"v2.json": json.dumps([{"id": 0, "paragraphs": [{"raw": "Bourita met Blinken.", "sentences": [{"tokens": [
            {"orth": "Bourita", "ner": "U-PER"}, {"orth": "met", "ner": "O"}, {"orth": "Blinken", "ner": "U-PER"},
            {"orth": ".", "ner": "O"}]}]}]}])},
        [Doc("Bourita met Blinken.", DocumentStatus.IN_PROGRESS, layers={"human:me": [(0, 7, "PER"), (12, 19, "PER")]},
             meta={"tokens": [[0, 7], [8, 11], [12, 19], [19, 20]]})],
    ),
    "status given on the command line": Case(
        {"gold.jsonl": jsonl({"text": "Rabat is big.", "spans": [{"start": 0, "end": 5, "label": "GPE"}]})},
        [Doc("Rabat is big.", DocumentStatus.ACCEPTED, layers={"human:me": [(0, 5, "GPE")]})],
        options=ImportOptions(author="me", status=DocumentStatus.ACCEPTED),
    ),
}


def write(folder: Path, files: dict[str, str]) -> list[Path]:
    tops: list[Path] = []
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        top = folder / Path(name).parts[0]
        if top not in tops:
            tops.append(top)
    return tops


def stored(store: Store) -> list[Doc]:
    with store.engine.connect() as conn:
        docs = conn.execute(select(DocumentRow).order_by(DocumentRow.id)).all()
        spans = conn.execute(select(SpanRow).order_by(SpanRow.start, SpanRow.end, SpanRow.label)).all()
    out = []
    for d in docs:
        doc = Doc(d.text, DocumentStatus(d.status), attention=d.attention, meta=d.meta)
        for s in (s for s in spans if s.document_id == d.id):
            (doc.rejected if s.rejected else doc.layers).setdefault(f"{s.layer}:{s.author}", []).append(
                (s.start, s.end, s.label))
        out.append(doc)
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_each_format_imports_with_its_meaning(store: Store, tmp_path: Path, name: str) -> None:
    case = CASES[name]
    report = import_paths(store, write(tmp_path, case.files), case.options)
    got = stored(store)
    assert [(d.text, d.status, d.layers, d.rejected) for d in got] == \
        [(d.text, d.status, d.layers, d.rejected) for d in case.docs]
    for have, want in zip(got, case.docs, strict=True):
        assert have.attention == want.attention
        assert {k: have.meta.get(k) for k in want.meta} == want.meta
    assert len(report.warnings) == len(case.warnings)
    for warning, piece in zip(report.warnings, case.warnings, strict=True):
        assert piece in warning
    needing = store.needing_attention()
    assert sorted(needing.values(), key=str) == sorted((d.attention for d in case.docs if d.attention), key=str)
    assert report.attention_documents == len(needing)


def test_strict_refuses_what_lossless_keeps(store: Store, tmp_path: Path) -> None:
    (path,) = write(tmp_path, CASES["doccano: whitespace edges, mid-token, nested; extra keys kept"].files)
    with pytest.raises(InputRefused) as err:
        import_paths(store, [path], ImportOptions(strict=True))
    message = str(err.value)
    assert "d.jsonl, line 1, field 'label[0]': span 11-27 ' Nasser Bourita ' starts or ends with whitespace" in message
    assert "field 'label[2]': span 40-43 'Rab' (GPE) does not match token boundaries" in message
    assert "field 'label': span 11-27 (PERSON) overlaps span 12-18 (PERSON)" in message
    assert store.document_count() == 0


def test_a_table_that_is_not_conll_is_refused_with_a_hint(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "table.txt"
    path.write_text("EU NNP NP\nrejects VBZ VP\nGerman JJ NP\ncall NN NP\n", encoding="utf-8")
    with pytest.raises(InputRefused, match="table.txt: looks like a column table .* --format conll"):
        import_paths(store, [path])
    report = import_paths(store, [path], ImportOptions(format="text"))  # prose, when the user says so
    assert len(report.added) == 1


@pytest.mark.parametrize("content, message", [
    ("Rabat O\nis\n", "bad.conll, line 2: has a token without a tag"),
    ("Rabat B-\n", "bad.conll, line 1, field 'tag': 'B-' is not a tag"),
])
def test_malformed_conll_is_refused_by_line(store: Store, tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.conll"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputRefused, match=message):
        import_paths(store, [path])


def test_brat_offsets_that_do_not_fit_the_text_refuse_the_import(store: Store, tmp_path: Path) -> None:
    write(tmp_path, {"b/x.txt": "Rabat is big.",
                     "b/x.ann": "T1\tGPE 0 5\tRabat\nT2\tGPE 3 40\tbig\nT3\tGPE 9 12\tsma\n"})
    with pytest.raises(InputRefused) as err:
        import_paths(store, [tmp_path / "b"])
    assert [(p.line, p.reason.split(" (")[0]) for p in err.value.problems] == [
        (2, "span 3-40 is outside the text"), (3, "quotes 'sma' but the text at its offsets is 'big': the .ann does "
                                                  "not belong to this .txt")]


def test_import_into_an_existing_document_adds_then_updates_a_layer(store: Store, tmp_path: Path) -> None:
    text = "Bourita met Blinken in Rabat."
    first = import_paths(store, [write(tmp_path, {"a.jsonl": jsonl({"text": text, "spans": [
        {"start": 0, "end": 7, "label": "PERSON"}]})})[0]], ImportOptions(author="alice"))
    doc_id = first.added[0]
    bob = tmp_path / "bob"
    bob.mkdir()
    second = import_paths(store, [write(bob, {"b.jsonl": jsonl({"text": text, "spans": [
        {"start": 12, "end": 19, "label": "PERSON"}, {"start": 23, "end": 28, "label": "GPE"}]})})[0]],
        ImportOptions(author="bob"))
    assert second.added == [] and second.layered == [doc_id] and second.spans == 2
    again = import_paths(store, [bob / "b.jsonl"], ImportOptions(author="bob", status=DocumentStatus.ACCEPTED))
    assert again.layered == [doc_id]  # bob's layer replaced, not doubled
    (doc,) = stored(store)
    assert doc.layers == {"human:alice": [(0, 7, "PERSON")], "human:bob": [(12, 19, "PERSON"), (23, 28, "GPE")]}
    assert doc.status is DocumentStatus.ACCEPTED
    plain = import_paths(store, [write(tmp_path / "bob", {"c.jsonl": jsonl({"text": text})})[0]])
    assert plain.duplicates == [("c.jsonl:1", doc_id)] and plain.layered == []


def test_a_refused_import_adds_no_layer_to_existing_documents(store: Store, tmp_path: Path) -> None:
    text = "Bourita met Blinken in Rabat."
    import_paths(store, [write(tmp_path, {"a.jsonl": jsonl({"text": text})})[0]])
    bad = tmp_path / "b.jsonl"
    bad.write_text(jsonl({"text": text, "spans": [{"start": 0, "end": 7, "label": "PERSON"}]}) + "{nope\n")
    with pytest.raises(InputRefused):
        import_paths(store, [bad], ImportOptions(author="bob"))
    assert stored(store)[0].layers == {}


def test_needs_attention_can_be_resolved(store: Store, tmp_path: Path) -> None:
    (path,) = write(tmp_path, {"n.jsonl": jsonl({"text": "Rabat Tanger", "spans": [
        {"start": 0, "end": 12, "label": "GPE"}, {"start": 6, "end": 12, "label": "GPE"}]})})
    report = import_paths(store, [path])
    assert report.attention == {OVERLAP: 2}
    (doc_id,) = report.added
    assert store.needing_attention() == {doc_id: {OVERLAP: 2}}
    store.resolve_attention(doc_id)
    assert store.needing_attention() == {}


@pytest.mark.parametrize("name, content, message", [
    ("nul.conll", "Ra\x00bat B-GPE\n", "nul.conll, line 1, field 'text': contains a NUL character"),
    ("ls.json", '[{"data": {"text": "Rabat", "score": NaN}, "annotations": []}]',
     "ls.json, field '[0].data.score': is NaN"),
    ("simple.json", '[["Rabat\\u0000", {"entities": []}]]', "simple.json, field '[0][0]': contains a NUL"),
])
def test_what_the_store_cannot_keep_is_refused_in_every_format(store: Store, tmp_path: Path, name: str,
                                                                content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputRefused) as err:
        import_paths(store, [path])
    assert message in str(err.value)
    assert store.document_count() == 0

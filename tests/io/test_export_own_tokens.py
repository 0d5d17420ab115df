"""A document whose file gave its tokens (CoNLL, Prodigy ``tokens``) is exported on those tokens:
"1996-08-22", one CoNLL token, came back as five ("1996 - 08 - 22") cut by spaCy's tokenizer."""

from __future__ import annotations

import json
from pathlib import Path

from spacy.tokens import DocBin
from spacy.vocab import Vocab

from annotator.core.document import DocumentStatus
from annotator.io.exporter import ExportFormat, export
from annotator.io.importer import ImportOptions, import_paths
from annotator.io.selection import ExportOptions
from annotator.store import Store

CONLL = ("-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP B-MISC\ncall NN I-NP O\n"
         ". . O O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\n\n-DOCSTART- -X- -X- O\n\n"
         "BRUSSELS NNP B-NP B-LOC\n1996-08-22 CD I-NP O\nU.S.-based JJ B-NP B-MISC\nfirms NNS I-NP O\n")


def columns(text: str) -> list[tuple[str, str]]:
    """(token, entity tag) of every token line, documents and sentences apart."""
    return [(line.split()[0], line.split()[-1]) for line in text.splitlines() if line.strip()]


def test_conll_comes_back_on_its_own_tokens(store: Store, tmp_path: Path) -> None:
    source = tmp_path / "eng.train"
    source.write_text(CONLL, encoding="utf-8")
    import_paths(store, [source], ImportOptions(author="maria"))
    out = tmp_path / "out.conll"
    report = export(store, out, ExportFormat.CONLL, ExportOptions())
    assert columns(out.read_text(encoding="utf-8")) == columns(CONLL)
    assert sum(report.alignment.changed.values()) == 0  # every entity on the file's own tokens
    folder = tmp_path / "spacy"
    export(store, folder, ExportFormat.SPACY, ExportOptions())
    docs = [d for f in sorted(folder.rglob("*.spacy")) for d in DocBin().from_disk(f).get_docs(Vocab())]
    tokens = [t.text for d in docs for t in d if not t.is_space]
    assert "1996-08-22" in tokens and "U.S.-based" in tokens
    assert [(e.text, e.label_) for d in docs for e in d.ents] == [
        ("EU", "ORG"), ("German", "MISC"), ("Peter Blackburn", "PER"), ("BRUSSELS", "LOC"), ("U.S.-based", "MISC")]


def test_prodigy_tokens_come_back_as_given(store: Store, tmp_path: Path) -> None:
    text = "Call 555-0199 now."
    given = [{"text": "Call", "start": 0, "end": 4, "id": 0, "ws": True},
             {"text": "555-0199", "start": 5, "end": 13, "id": 1, "ws": True},
             {"text": "now", "start": 14, "end": 17, "id": 2, "ws": False},
             {"text": ".", "start": 17, "end": 18, "id": 3, "ws": False}]
    source = tmp_path / "p.jsonl"
    source.write_text(json.dumps({"text": text, "tokens": given, "_view_id": "ner_manual", "answer": "accept",
                                  "_input_hash": 1, "spans": [{"start": 5, "end": 13, "label": "PHONE"}]}) + "\n",
                      encoding="utf-8")
    import_paths(store, [source], ImportOptions(author="maria"))
    assert store.summaries([1])[0].status is DocumentStatus.ACCEPTED
    out = tmp_path / "out.jsonl"
    export(store, out, ExportFormat.PRODIGY, ExportOptions())
    task = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert [(t["text"], t["start"], t["end"], t["ws"]) for t in task["tokens"]] == [
        (t["text"], t["start"], t["end"], t["ws"]) for t in given]
    assert task["spans"][0]["token_start"] == task["spans"][0]["token_end"] == 1

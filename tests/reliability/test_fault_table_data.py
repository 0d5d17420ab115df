"""Fault table, hostile data (issue 11, items 1 and 6), on SQLite and on PostgreSQL.

Each row is one hostile input and the exact message a user sees: the file, the line (or the
document of a DocBin) and the field, and why. Nothing is written, whatever else the import held.
Before: a 1.2 M-character JSONL article or any export of one crashed with spaCy's E088; the
label rows went in (and broke CoNLL), or were a raw DataError on PostgreSQL like NUL, NaN, a long
source or language; a lone surrogate was a UnicodeEncodeError naming no file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.tokens import DocBin, Span

from annotator.core.errors import InputRefused
from annotator.core.language import unknown_language_reason
from annotator.io.exporter import ExportFormat, export
from annotator.io.importer import import_paths
from annotator.io.selection import ExportOptions
from annotator.store import Store

REPO = Path(__file__).resolve().parents[2]
RULE = ("use 1-64 letters (any script), digits, single spaces between words and _ . - ( ) / & + ' \u2019, "
        "starting with a letter")


def jsonl(*records: Any) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def docbin(text: str, label: str) -> bytes:
    doc = spacy.blank("en").make_doc(text)
    doc.ents = [Span(doc, 0, 1, label=label)]
    return DocBin(docs=[doc], store_user_data=True).to_bytes()


def rabat(label: str) -> dict[str, Any]:
    return {"text": "Rabat is the capital.", "spans": [{"start": 0, "end": 5, "label": label}]}


@dataclass(frozen=True)
class Case:
    name: str  # the file imported, next to a good one
    content: bytes
    problems: tuple[str, ...]  # exactly what the user is told, one line each


CASES = [
    Case("label-10k.jsonl", jsonl(rabat("A" * 10_000)), (
        "label-10k.jsonl, line 1, field 'spans[0].label': label name 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'… "
        f"(10,000 characters) is too long (at most 64 characters): {RULE}",)),
    Case("label-nbsp.jsonl", jsonl({**rabat("CAPITAL\u00a0CITY"), "answer": "accept"}), (  # Prodigy
        f"label-nbsp.jsonl, line 1, field 'spans[0].label': label name 'CAPITAL\\xa0CITY' contains a no-break space: "
        f"{RULE} (e.g. 'CAPITAL CITY')",)),
    Case("label-newline.jsonl", jsonl({"text": "Rabat is the capital.", "label": [[0, 5, "GPE\nCITY"]]}), (  # doccano
        f"label-newline.jsonl, line 1, field 'label[0][2]': label name 'GPE\\nCITY' contains a line break: {RULE} "
        "(e.g. 'GPE CITY')",)),
    Case("label-html.jsonl", jsonl({"text": "Rabat is the capital.",
                                    "entities": [{"start_offset": 0, "end_offset": 5, "label": "<img src=x>"}]}), (
        f"label-html.jsonl, line 1, field 'entities[0].label': label name '<img src=x>' starts with '<': {RULE}",)),
    Case("label.spacy", docbin("Rabat is the capital.", "CAPITAL  CITY"), (
        f"label.spacy, field 'docs[0].ents[0].label': label name 'CAPITAL  CITY' has two spaces in a row: {RULE} "
        "(e.g. 'CAPITAL CITY')",)),
    Case("nul-text.jsonl", jsonl({"text": "Rabat\x00 is the capital."}), (
        "nul-text.jsonl, line 1, field 'text': contains a NUL character (U+0000) at offset 5, which the store "
        "cannot keep",)),
    Case("nul-meta.jsonl", jsonl({"text": "Rabat is the capital.", "meta": {"byline": "AFP\x00"}}), (
        "nul-meta.jsonl, line 1, field 'meta.byline': contains a NUL character (U+0000) at offset 3, which the "
        "store cannot keep",)),
    Case("surrogate.jsonl", b'{"text": "Rabat \\ud800 is the capital."}\n', (
        "surrogate.jsonl, line 1, field 'text': contains a lone surrogate ('\\ud800') at offset 6: not a character, "
        "usually an unpaired \\uXXXX escape",)),
    Case("surrogate-label.jsonl", b'{"text": "Rabat", "spans": [{"start": 0, "end": 5, "label": "GPE\\udfff"}]}\n', (
        f"surrogate-label.jsonl, line 1, field 'spans[0].label': label name 'GPE\\udfff' contains '\\udfff': {RULE} "
        "(e.g. 'GPE')",)),
    Case("long-source.jsonl", jsonl({"text": "Rabat is the capital.", "meta": {"source": "s" * 1025}}), (
        "long-source.jsonl, line 1, field 'meta.source': is 1,025 characters long; a document source is at most "
        "1,024",)),
    Case("long-language.jsonl", jsonl({"text": "Rabat is the capital.", "language": "x" * 17}), (
        f"long-language.jsonl, line 1, field 'language': {unknown_language_reason('x' * 17)}",)),
    Case("unknown-language.jsonl", jsonl({"text": "Rabat is the capital.", "meta": {"language": "klingon"}}), (
        f"unknown-language.jsonl, line 1, field 'meta.language': {unknown_language_reason('klingon')}",)),
    Case("nan-meta.jsonl", b'{"text": "Rabat is the capital.", "meta": {"score": NaN}}\n', (
        "nan-meta.jsonl, line 1, field 'meta.score': is NaN, which is not a JSON number (use null or a string)",)),
    Case("huge-number.jsonl", b'{"text": "Rabat is the capital.", "meta": {"n": 1' + b"0" * 5000 + b"}}\n", (
        "huge-number.jsonl, line 1: is not valid JSON for import (a number has more than 4,300 digits)",)),
    Case("every-problem.jsonl", jsonl(rabat("GPE"), rabat("g\tpe"), {"text": "Tanger\x00", "language": "elvish"}), (
        f"every-problem.jsonl, line 2, field 'spans[0].label': label name 'g\\tpe' contains a tab: {RULE} "
        "(e.g. 'g pe')",
        "every-problem.jsonl, line 3, field 'text': contains a NUL character (U+0000) at offset 6, which the store "
        "cannot keep",
        f"every-problem.jsonl, line 3, field 'language': {unknown_language_reason('elvish')}",)),
]


def state(store: Store) -> tuple[Any, ...]:
    """Everything an import could change, read through the store (the same on SQLite and PostgreSQL)."""
    docs = store.list_documents()
    return (
        [(d.id, d.source, d.language, d.status, d.human_count, d.model_count) for d in docs],
        [label.name for label in store.labels()],
        [(store.view(d.id, "import").text, store.view(d.id, "import").confirmed) for d in docs],
    )


@pytest.fixture
def seeded(any_store: Store, tmp_path: Path) -> Store:
    """A store that already holds an annotated document."""
    first = tmp_path / "first.jsonl"
    first.write_bytes(jsonl({"text": "Nasser Bourita met Antony Blinken.",
                             "spans": [{"start": 0, "end": 14, "label": "PERSON"}]}))
    import_paths(any_store, [first])
    return any_store


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_data_is_refused_with_file_line_and_field(seeded: Store, tmp_path: Path, case: Case) -> None:
    bad = tmp_path / case.name
    bad.write_bytes(case.content)
    good = tmp_path / "good.jsonl"
    good.write_bytes(jsonl({"text": "Tanger is a port.", "spans": [{"start": 0, "end": 6, "label": "GPE"}]}))
    before = state(seeded)
    with pytest.raises(InputRefused) as err:
        import_paths(seeded, [good, bad])
    assert tuple(str(p) for p in err.value.problems) == case.problems
    assert str(err.value) == "import refused, nothing was imported:\n" + "\n".join(f"  {p}" for p in case.problems)
    assert state(seeded) == before


LONG = ("Le ministre Nasser Bourita a reçu Antony Blinken à Rabat, lundi.\n" * 19_000)[:1_200_000]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["txt", "jsonl"])
def test_long_document_imports_exports_and_imports_back(any_store: Store, tmp_path: Path, kind: str) -> None:
    """Past spaCy's max_length (1,000,000): imported whole, exported in every format without E088
    (tokenizer only), and the export imports back with the same spans."""
    text = LONG[: LONG.rindex("\n") + 1]
    spans = [(i, i + 14, "PERSON") for i in range(len(text)) if text.startswith("Antony Blinken", i)][::500]
    assert len(text) > 1_000_000 and spans[-1][0] > 1_000_000
    path = tmp_path / f"long.{kind}"
    if kind == "txt":
        path.write_text(text, encoding="utf-8")
        spans = []
    else:
        path.write_bytes(jsonl({"text": text, "spans": [{"start": s, "end": e, "label": lb} for s, e, lb in spans]}))
    import_paths(any_store, [path])
    doc = any_store.list_documents()[0]
    view = any_store.view(doc.id, "import")
    assert view.text == text and [(s.start, s.end, s.label) for s in view.confirmed] == spans
    include = frozenset({doc.status})
    for fmt in ExportFormat:
        out = tmp_path / f"out-{fmt.value}"
        report = export(any_store, out, fmt, ExportOptions(include=include, dev_ratio=0.0))
        assert (report.documents, report.entities) == (1, len(spans))
        if fmt is ExportFormat.CONLL:
            continue  # read back against the text in tests/io/test_long_documents.py (no CoNLL importer)
        back = Store.open(str(tmp_path / f"back-{fmt.value}.sqlite3"))
        try:
            import_paths(back, [out / "train.spacy" if fmt is ExportFormat.SPACY else out.rename(f"{out}.jsonl")])
            again = back.view(back.list_documents()[0].id, "import")
            assert again.text == text and [(s.start, s.end, s.label) for s in again.confirmed] == spans
        finally:
            back.close()


def test_the_cli_says_it_in_one_problem_line_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "labels.jsonl"
    bad.write_bytes(jsonl(rabat("GPE"), rabat("CAPITAL\tCITY")))
    db = tmp_path / "cli.sqlite3"
    result = subprocess.run([sys.executable, "-m", "annotator", "import", str(bad), "--db", str(db)],
                            capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 1 and result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if not line.lstrip().startswith(("0.0%", "100.0%"))]
    assert lines == ["annotator: error: import refused, nothing was imported:",
                     f"  labels.jsonl, line 2, field 'spans[0].label': label name 'CAPITAL\\tCITY' contains a tab: "
                     f"{RULE} (e.g. 'CAPITAL CITY')"]
    store = Store.open(str(db))
    try:
        assert store.document_count() == 0
    finally:
        store.close()

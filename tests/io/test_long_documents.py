"""Documents longer than spaCy's ``nlp.max_length`` (1,000,000 characters) import, export in every
format and import back with identical spans: tokens come from the tokenizer itself, which has no limit.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.document import DocumentStatus
from annotator.io.exporter import ExportFormat, export
from annotator.io.importer import import_paths
from annotator.io.selection import ExportOptions
from annotator.store import Store

pytestmark = pytest.mark.slow

SENTENCE = "Le ministre Nasser Bourita a reçu Antony Blinken à Rabat, lundi, puis il est parti pour Tanger.\n"
LENGTH = 1_200_000
Article = tuple[str, list[tuple[int, int, str]]]  # the text and its (start, end, label) entities


def long_article() -> Article:
    """A 1.2 M-character article and 400 entities spread over all of it, the last ones past 1,000,000."""
    text = (SENTENCE * (LENGTH // len(SENTENCE) + 1))[:LENGTH]
    text = text[: text.rindex("\n") + 1]
    spans: list[tuple[int, int, str]] = []
    starts = range(0, len(text) - len(SENTENCE), len(text) // 200)
    for at in starts:
        s = text.index("Blinken", at)
        spans.append((s - 7, s + 7, "PERSON"))  # "Antony Blinken"
        r = text.index("Rabat", s)
        spans.append((r, r + 5, "GPE"))
    spans = sorted(set(spans))
    assert spans[-1][0] > 1_000_000 and len(text) > 1_000_000
    return text, spans


def write_jsonl(path: Path, text: str, spans: list[tuple[int, int, str]]) -> Path:
    record = {"text": text, "status": "accepted", "language": "fr",
              "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans]}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def human_spans(store: Store) -> dict[str, list[tuple[int, int, str]]]:
    out = {}
    for d in store.list_documents():
        view = store.view(d.id, store.document(d.id).status_by or "import")
        out[view.text] = sorted((s.start, s.end, s.label) for s in view.confirmed)
    return out


@pytest.fixture(scope="module")
def article() -> Article:
    return long_article()


@pytest.fixture(scope="module")
def long_store(tmp_path_factory: pytest.TempPathFactory, article: Article) -> Path:
    text, spans = article
    folder = tmp_path_factory.mktemp("long")
    path = folder / "store.sqlite3"
    store = Store.open(str(path))
    import_paths(store, [write_jsonl(folder / "long.jsonl", text, spans)])
    store.close()
    return path


def test_long_txt_imports_whole(store: Store, tmp_path: Path, article: Article) -> None:
    text, _ = article
    path = tmp_path / "long.txt"
    path.write_text(text, encoding="utf-8")
    report = import_paths(store, [path])
    assert store.view(report.added[0], "x").text == text


def test_long_jsonl_with_spans_imports_every_span(long_store: Path, article: Article) -> None:
    text, spans = article
    store = Store.open(str(long_store))
    try:
        assert human_spans(store) == {text: spans}
        assert store.list_documents()[0].status is DocumentStatus.ACCEPTED
    finally:
        store.close()


def conll_spans(conll: str, text: str) -> list[tuple[int, int, str]]:
    """Entities back from ``token TAG`` lines, each token found in the text after the previous one."""
    spans: list[tuple[int, int, str]] = []
    pos = 0
    current: list[int | str] | None = None
    for line in conll.splitlines():
        if not line or line.startswith("-DOCSTART-"):
            continue
        token, tag = line.rsplit(" ", 1)
        start = text.index(token, pos)
        pos = start + len(token)
        if tag.startswith("I-") and current is not None:
            current[1] = pos
            continue
        if current is not None:
            spans.append((int(current[0]), int(current[1]), str(current[2])))
            current = None
        if tag.startswith("B-"):
            current = [start, pos, tag[2:]]
    if current is not None:
        spans.append((int(current[0]), int(current[1]), str(current[2])))
    return spans


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_long_document_exports_and_imports_back_identical(long_store: Path, tmp_path: Path, fmt: ExportFormat,
                                                          article: Article) -> None:
    text, spans = article
    source = Store.open(str(long_store))
    try:
        out = tmp_path / ("spacy" if fmt is ExportFormat.SPACY else f"out.{fmt.value}")
        report = export(source, out, fmt, ExportOptions(dev_ratio=0.0))
    finally:
        source.close()
    assert (report.documents, report.entities, report.warnings) == (1, len(spans), [])
    if fmt is ExportFormat.CONLL:  # no CoNLL importer: read the tags back against the text
        conll = out.read_text(encoding="utf-8")
        assert conll_spans(conll, text) == spans
        assert " O\n" in conll and "-\n" not in conll  # accepted: every other token is "no entity"
        return
    back = tmp_path / "back.sqlite3"
    target = Store.open(str(back))
    try:
        if fmt is not ExportFormat.SPACY:
            out = out.rename(out.with_suffix(".jsonl"))
        import_paths(target, [out / "train.spacy" if fmt is ExportFormat.SPACY else out])
        assert human_spans(target) == {text: spans}
        assert target.list_documents()[0].status is DocumentStatus.ACCEPTED
    finally:
        target.close()

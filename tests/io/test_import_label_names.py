"""Labels as other tools write them ("Job Title", "Société", "Org (other)", "人物") come in unchanged
from every format, are counted by `annotator stats`, leave in every export format and come back, and
train a spaCy model. A label spelt in decomposed Unicode is the same label as its composed spelling."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.tokens import DocBin
from sqlalchemy import select

from annotator.cli import main
from annotator.core.document import DocumentStatus
from annotator.core.errors import InputRefused
from annotator.core.limits import LABEL_MAX
from annotator.io.exporter import ExportFormat, export
from annotator.io.importer import ImportOptions, import_paths
from annotator.io.selection import ExportOptions
from annotator.store import Store
from annotator.store.schema import SpanRow

TEXT = "Anna Schmidt is Chief Engineer at Société Générale in Lyon and met Ministry staff."
NAMED = {"Anna Schmidt": "人物", "Chief Engineer": "Job Title", "Société Générale": "Société",
         "Lyon": "Lieu géographique", "Ministry": "Org (other)"}
BRAT_NAMED = {"Anna Schmidt": "人物", "Société Générale": "Société", "Lyon": "Lieu_géographique"}  # no spaces


def offsets(text: str, named: dict[str, str]) -> list[tuple[int, int, str]]:
    return sorted((text.index(s), text.index(s) + len(s), label) for s, label in named.items())


def jsonl(*rows: Any) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def conll(named: dict[str, str]) -> str:
    """TEXT as CoNLL, each entity tagged with its label %-escaped as our export writes it."""
    ents, lines, pos = offsets(TEXT, named), [], 0
    for tok in TEXT.replace(".", " .").split():
        start = TEXT.index(tok, pos)
        pos = start + len(tok)
        tag = next((f"{'B' if start == a else 'I'}-{label.replace(' ', '%20')}" for a, b, label in ents
                    if a <= start < b), "O")
        lines.append(f"{tok}\t{tag}")
    return "\n".join(lines) + "\n"


def docbin(named: dict[str, str]) -> bytes:
    doc = spacy.blank("en").make_doc(TEXT)
    doc.ents = [doc.char_span(a, b, label=label) for a, b, label in offsets(TEXT, named)]
    return DocBin(docs=[doc]).to_bytes()


FILES: dict[str, tuple[dict[str, str | bytes], dict[str, str]]] = {
    "doccano": ({"d.jsonl": jsonl({"text": TEXT, "label": [list(s) for s in offsets(TEXT, NAMED)]})}, NAMED),
    "prodigy": ({"p.jsonl": jsonl({"text": TEXT, "answer": "accept", "_view_id": "ner_manual", "spans": [
        {"start": a, "end": b, "label": label} for a, b, label in offsets(TEXT, NAMED)]})}, NAMED),
    "label studio": ({"ls.json": json.dumps([{"id": 1, "data": {"text": TEXT}, "annotations": [
        {"completed_by": 1, "result": [{"value": {"start": a, "end": b, "labels": [label]}, "type": "labels"}
                                       for a, b, label in offsets(TEXT, NAMED)]}]}], ensure_ascii=False)}, NAMED),
    "brat": ({"a.txt": TEXT, "a.ann": "".join(f"T{i}\t{label} {a} {b}\t{TEXT[a:b]}\n"
                                              for i, (a, b, label) in enumerate(offsets(TEXT, BRAT_NAMED), 1))},
             BRAT_NAMED),
    "conll": ({"x.conll": conll(NAMED)}, NAMED),
    "spacy docbin": ({"x.spacy": docbin(NAMED)}, NAMED),
}


def write(folder: Path, files: dict[str, str | bytes]) -> list[Path]:
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return [folder / name for name in files if not name.endswith(".ann")]


def strings(value: Any) -> set[str]:
    """Every string in a JSON value, keys and values, however deep."""
    if isinstance(value, dict):
        return set(value) | {s for v in value.values() for s in strings(v)}
    if isinstance(value, list):
        return {s for v in value for s in strings(v)}
    return {value} if isinstance(value, str) else set()


def stored(store: Store) -> list[tuple[str, str]]:
    """(entity text, label) of every span in the store."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(SpanRow.document_id, SpanRow.start, SpanRow.end, SpanRow.label)).all()
    texts = {d.id: store.view(d.id, "x").text for d in store.list_documents()}
    return sorted((texts[doc][a:b], label) for doc, a, b, label in rows)


@pytest.mark.parametrize("fmt", list(FILES))
def test_each_format_keeps_labels_as_the_file_writes_them(any_store: Store, tmp_path: Path, fmt: str) -> None:
    store, (files, named) = any_store, FILES[fmt]
    report = import_paths(store, write(tmp_path, files))
    assert stored(store) == sorted(named.items())
    assert sorted(report.new_labels) == sorted(set(named.values()))
    new = {lb.name: lb for lb in store.labels() if lb.name in named.values()}
    assert set(new) == set(named.values())
    assert all(lb.key is None and lb.colour.startswith("#") for lb in new.values())  # no key taken, no crash


def test_a_decomposed_spelling_is_the_same_label(any_store: Store, tmp_path: Path) -> None:
    """"Société" typed on a Mac may arrive as "Socie\u0301te\u0301": stored composed, one label. A name
    of 64 accented letters (128 bytes) fits the 64-character column on PostgreSQL too."""
    store, decomposed, longest = any_store, unicodedata.normalize("NFD", "Société"), "É" * LABEL_MAX
    assert decomposed != "Société"
    path = tmp_path / "d.jsonl"
    path.write_text(jsonl({"text": TEXT, "label": [[34, 50, decomposed], [54, 58, "Société"], [0, 4, longest]]}),
                    encoding="utf-8")
    import_paths(store, [path])
    assert stored(store) == [("Anna", longest), ("Lyon", "Société"), ("Société Générale", "Société")]
    assert [lb.name for lb in store.labels()].count("Société") == 1
    assert decomposed not in {lb.name for lb in store.labels()}


def test_a_brat_type_with_a_space_is_refused_by_line(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.ann").write_text("T1\tJob Title 16 30\tChief Engineer\n", encoding="utf-8")
    with pytest.raises(InputRefused) as err:
        import_paths(store, [tmp_path / "a.txt"])
    assert [str(p) for p in err.value.problems] == [
        "a.ann, line 1: offsets 'Title 16 30' are not 'start end': the type 'Job' is followed by 'Title', "
        "and a brat type cannot hold a space (write it as 'Job_Title' in brat, or import another format)"]
    assert store.document_count() == 0


def test_stats_name_each_label(store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files, _ = FILES["doccano"]
    import_paths(store, write(tmp_path, files))
    db = store.url.removeprefix("sqlite:///")
    assert main(["--db", db, "stats", "--json"]) == 0
    counted = {s["label"]: s["count"] for s in json.loads(capsys.readouterr().out)["spans"]}
    assert counted == dict.fromkeys(NAMED.values(), 1)
    assert main(["--db", db, "stats"]) == 0
    table = capsys.readouterr().out
    assert all(f"  {label}" in table for label in NAMED.values())


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_every_export_keeps_the_names_and_imports_back(store: Store, tmp_path: Path, fmt: ExportFormat) -> None:
    files, _ = FILES["doccano"]
    import_paths(store, write(tmp_path, files), ImportOptions(status=DocumentStatus.ACCEPTED))
    out = tmp_path / {ExportFormat.SPACY: "spacy", ExportFormat.CONLL: "out.conll"}.get(fmt, f"{fmt.value}.jsonl")
    export(store, out, fmt, ExportOptions(dev_ratio=0.0))
    if fmt is ExportFormat.CONLL:
        tags = {line.split()[-1] for line in out.read_text(encoding="utf-8").splitlines() if line.strip()}
        assert {"B-Job%20Title", "I-Job%20Title", "B-Société", "B-Lieu%20géographique", "B-Org%20(other)",
                "B-人物"} <= tags
    elif fmt is ExportFormat.SPACY:
        (doc,) = DocBin().from_disk(out / "train.spacy").get_docs(spacy.blank("en").vocab)
        assert sorted((e.text, e.label_) for e in doc.ents) == sorted(NAMED.items())
    else:
        (line,) = out.read_text(encoding="utf-8").splitlines()
        assert set(NAMED.values()) <= strings(json.loads(line))
    again = Store.open(str(tmp_path / "again.sqlite3"))
    try:
        import_paths(again, [out / "train.spacy" if fmt.writes_folder else out])
        assert stored(again) == sorted(NAMED.items())
    finally:
        again.close()


def test_training_learns_labels_with_spaces_and_accents(store: Store, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """spaCy's NER takes any string as a label: `annotator train` on a blank German pipeline (no
    package for it here) ends with a model whose NER knows "Job Title" and "Société"."""
    rows = [{"text": f"{TEXT} ({i})", "language": "de", "label": [list(s) for s in offsets(TEXT, NAMED)]}
            for i in range(6)]
    (tmp_path / "d.jsonl").write_text(jsonl(*rows), encoding="utf-8")
    import_paths(store, [tmp_path / "d.jsonl"], ImportOptions(status=DocumentStatus.ACCEPTED))
    db = store.url.removeprefix("sqlite:///")
    assert main(["--db", db, "train", "--language", "de", "--fixed-epochs", "2", "--folds", "2",
                 "--rehearsal", "0", "--output", str(tmp_path / "models")]) == 0
    (model,) = store.trained_models("de")
    ner = spacy.load(model.path).get_pipe("ner")
    assert set(NAMED.values()) <= set(ner.labels)
    assert "on 6 documents" in capsys.readouterr().out


def test_conll_escapes_what_would_break_a_tag_and_reads_it_back(store: Store, tmp_path: Path) -> None:
    """A label ending in "-" or "_" once exported as "B-Org-", which reads as a prefix with no type."""
    text = "Bourita met Blinken in Rabat."
    names = {"Bourita": "Org-", "Blinken": "Person_", "Rabat": "Lieu géographique"}
    path = tmp_path / "d.jsonl"
    path.write_text(jsonl({"text": text, "label": [list(s) for s in offsets(text, names)]}), encoding="utf-8")
    import_paths(store, [path], ImportOptions(status=DocumentStatus.ACCEPTED))
    out = tmp_path / "out.conll"
    export(store, out, ExportFormat.CONLL, ExportOptions(dev_ratio=0.0))
    assert [line.split()[-1] for line in out.read_text(encoding="utf-8").splitlines()[2:8]] == [
        "B-Org%2D", "O", "B-Person%5F", "O", "B-Lieu%20géographique", "O"]
    again = Store.open(str(tmp_path / "again.sqlite3"))
    try:
        import_paths(again, [out])
        assert stored(again) == sorted(names.items())
    finally:
        again.close()

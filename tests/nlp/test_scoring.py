"""Honest scores: named documents, entity counts, bootstrap intervals, the model's own label scheme."""

from __future__ import annotations

import hashlib

import pytest

from annotator.core.document import DocumentStatus
from annotator.core.span import SpanData
from annotator.io.selection import ExportDocument
from annotator.nlp.evaluate import ALL, bootstrap_f, count_units, describe, evaluate, paired_gain
from annotator.nlp.pipelines import Pipelines
from annotator.nlp.schemes import LabelScheme
from annotator.nlp.segments import sentence_ranges
from tests.nlp.gold_seeds import gold_spans, seed_path, seed_text


def as_document(key: str, language: str = "en") -> ExportDocument:
    text = seed_text(key)
    return ExportDocument(int(key), text, language, seed_path(key).name, DocumentStatus.ACCEPTED, "gold",
                          hashlib.sha256(text.encode()).hexdigest(), {}, tuple(gold_spans(key)), (), True)


def test_bootstrap_interval_brackets_the_estimate_and_is_paired() -> None:
    perfect = [{"PERSON": [2, 0, 0]}] * 20
    assert bootstrap_f(perfect)[ALL] == (1.0, 1.0)
    mixed = [{"PERSON": [1, 0, 0]}, {"PERSON": [0, 1, 1]}, {"GPE": [3, 0, 0]}, {"GPE": [1, 1, 0]}] * 5
    lo, hi = bootstrap_f(mixed)[ALL]
    assert lo < 2 * 25 / (2 * 25 + 10 + 5) < hi
    assert bootstrap_f(mixed, paired=mixed)[ALL] == (0.0, 0.0)  # same units, same resamples: no difference
    assert bootstrap_f(mixed, seed=3) == bootstrap_f(mixed, seed=3)  # reproducible


def test_counts_go_to_the_sentence_an_entity_starts_in() -> None:
    predicted = [SpanData(0, 5, "PERSON"), SpanData(20, 25, "GPE")]
    gold = [SpanData(0, 5, "PERSON"), SpanData(20, 25, "LOC")]
    units = count_units(predicted, gold, starts=[0, 15])
    assert units == [{"PERSON": [1, 0, 0]}, {"GPE": [0, 1, 0], "LOC": [0, 0, 1]}]
    assert count_units(predicted, gold) == [{"PERSON": [1, 0, 0], "GPE": [0, 1, 0], "LOC": [0, 0, 1]}]


def test_sentences_split_headlines_and_never_cut_an_entity() -> None:
    text = "Blinken will travel to Morocco\n\nThe U.S. Secretary of State. He said so."
    ranges = sentence_ranges(text, "en")
    assert [text[a:b] for a, b in ranges] == ["Blinken will travel to Morocco", "The U.S. Secretary of State.",
                                              "He said so."]
    across = SpanData(text.index("State"), text.index("He") + 2, "ORG")
    assert [text[a:b] for a, b in sentence_ranges(text, "en", [across])][1:] == [
        "The U.S. Secretary of State. He said so."]
    assert sentence_ranges(" \n\n ", "en") == []


def test_a_paragraph_over_a_million_characters_is_split_into_sentences() -> None:
    sentence = "Blinken met Bourita in Rabat on Monday. "
    text = sentence * (1_050_000 // len(sentence))  # one paragraph, no blank line: E088 before
    ranges = sentence_ranges(text, "en")
    assert len(ranges) == text.count(". ")
    assert all(text[a:b] == sentence.strip() for a, b in ranges[:3] + ranges[-3:])


def test_french_labels_fold_into_the_models_scheme(pipelines: Pipelines) -> None:
    fr = LabelScheme.of(pipelines.get("fr"))
    assert fr.conll and fr.model_labels == {"PER", "LOC", "ORG", "MISC"}
    assert {lb: fr.to_model(lb) for lb in ["PERSON", "GPE", "LOC", "FAC", "NORP", "EVENT", "DATE", "ORG", "MISC",
                                           "WEAPON"]} == {
        "PERSON": "PER", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "NORP": "MISC", "EVENT": "MISC", "DATE": None,
        "ORG": "ORG", "MISC": "MISC", "WEAPON": "WEAPON"}
    gold = [SpanData(0, 4, "LOC"), SpanData(5, 9, "DATE"), SpanData(10, 14, "PERSON")]
    assert fr.gold_as_shown(gold) == [SpanData(0, 4, "GPE"), SpanData(10, 14, "PERSON")]
    assert fr.outside(gold) == 1
    en = LabelScheme.of(pipelines.get("en"))
    assert en.gold_as_shown(gold) == gold and en.training_spans(gold) == tuple(gold)


@pytest.mark.slow
def test_an_evaluation_names_its_documents_counts_entities_and_gives_an_interval(pipelines: Pipelines) -> None:
    docs = [as_document("001"), as_document("004")]
    result = evaluate(pipelines.get("en"), docs, how="held out")
    assert [d.source[:3] for d in result.documents] == ["001", "004"]
    assert result.entities == sum(len(d.entities) for d in docs) == 114
    assert result.unit == "sentence" and len(result.units) > 20  # two documents: resample sentences
    lo, hi = result.intervals()[ALL]
    assert lo < result.scores.overall.f < hi and hi - lo < 0.3
    data = result.as_dict()
    assert data["entities"] == 114 and data["ci_unit"] == "sentence" and data["how"] == "held out"
    assert [d["source"][:3] for d in data["documents_scored"]] == ["001", "004"]
    assert "114 entities in 2 documents: 001_" in describe(result)
    assert paired_gain(result, result) == (0.0, 0.0)


@pytest.mark.slow
def test_french_is_scored_in_its_own_scheme(pipelines: Pipelines) -> None:
    doc = as_document("003", "fr")
    result = evaluate(pipelines.get("fr"), [doc])
    dates = sum(1 for s in doc.entities if s.label in {"DATE", "CARDINAL", "ORDINAL", "PERCENT"})
    assert result.outside_scheme == dates > 20
    assert result.entities == len(doc.entities) - dates
    assert set(result.scores.per_label) <= {"PERSON", "GPE", "ORG", "MISC"}


def test_a_document_longer_than_the_pipelines_limit_is_scored_in_pieces(pipelines: Pipelines) -> None:
    """spaCy refuses texts over ``nlp.max_length`` (E088): evaluation cuts them as pre-annotation does.
    The limit is lowered here so the test stays small; the code path is the one a 1.2 M-character
    article takes with the default limit."""
    one = as_document("001")
    copies = 4
    sep = "\n\n"
    text = sep.join([one.text] * copies)
    step = len(one.text) + len(sep)
    gold = tuple(SpanData(s.start + k * step, s.end + k * step, s.label) for k in range(copies) for s in one.entities)
    long = ExportDocument(1, text, "en", "long.txt", DocumentStatus.ACCEPTED, "gold",
                          hashlib.sha256(text.encode()).hexdigest(), {}, gold, (), True)
    en = pipelines.get("en")
    whole = evaluate(en, [one], by_sentence=False).scores.overall.f
    limit = en.nlp.max_length
    en.nlp.max_length = len(one.text) + 10  # the long text is over the limit; each copy is under it
    try:
        result = evaluate(en, [long], by_sentence=False)
    finally:
        en.nlp.max_length = limit
    assert result.entities == copies * len(one.entities)
    assert abs(result.scores.overall.f - whole) < 0.02  # each piece is one copy, cut at a paragraph break

"""A model's entity never runs over a paragraph break: a fine-tuned model suggested
"Daesh\\n\\nAFP/JACQUELYN" as one ORG (QA pass 5); it is cut at the blank line."""

from __future__ import annotations

import spacy
from spacy.tokens import Span

from annotator.nlp.pipelines import Pipeline
from annotator.nlp.suggest import entities_of


def test_an_entity_over_a_blank_line_is_cut_there() -> None:
    nlp = spacy.blank("en")
    text = "They fought Daesh\n\nAFP/JACQUELYN MARTIN said so.\nAntony\nBlinken came."
    doc = nlp(text)
    words = [t.text for t in doc]
    daesh, martin, antony = words.index("Daesh"), words.index("MARTIN"), words.index("Antony")
    doc.ents = [Span(doc, daesh, martin + 1, label="ORG"), Span(doc, antony, antony + 3, label="PERSON")]
    pipeline = Pipeline("en", nlp, "blank:en", "0", {})
    found = [(text[s.start:s.end], s.label) for s in entities_of(doc, pipeline)]
    # cut at the paragraph break; a single line break (a wrapped name) is not one
    assert found == [("Daesh", "ORG"), ("Antony\nBlinken", "PERSON")]
    shifted = entities_of(doc, pipeline, offset=100)
    assert [(s.start, s.end) for s in shifted] == [(112, 117), (100 + text.index("Antony"), 100 + text.index(" came"))]

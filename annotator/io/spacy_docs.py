"""ExportDocument -> spaCy ``Doc`` with entities, missing regions and rejected spans set the spaCy way.

Uses the language's rule-based tokenizer (``spacy.blank``): it is what the small pipelines use, it
loads in milliseconds, and ``spacy train`` re-aligns to the training pipeline's own tokens anyway.
The tokenizer is called directly, never through ``make_doc``/``nlp()``: those refuse texts longer than
``nlp.max_length`` (1,000,000 characters, a guard for the parser's and NER's memory), while tokens
alone cost about 50 bytes a character, so documents of any length import and export. Measured on a
5 MB article (4.9 M characters, 1.1 M tokens): tokens ~260 MB; peak memory of a whole process 0.43 GB
to import it as JSONL with spans, 0.89 GB to export it as DocBin (spaCy's ``to_bytes`` copies the token
array), 1.2 GB as Prodigy (a token object each), under 0.2 GB as doccano or our JSONL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from annotator.io.selection import ExportDocument

INCORRECT_SPANS_KEY = "incorrect_spans"
USER_DATA_KEY = "annotator"


@dataclass
class Tokenizers:
    """One blank pipeline per language, created on first use."""

    _cache: dict[str, Language] = field(default_factory=dict)

    def get(self, language: str) -> Language:
        if language not in self._cache:
            try:
                self._cache[language] = spacy.blank(language)
            except Exception:
                self._cache[language] = spacy.blank("xx")
        return self._cache[language]

    def tokenize(self, language: str, text: str) -> Doc:
        """Tokens only, whatever the length of ``text`` (no ``max_length`` check: no model runs)."""
        return self.get(language).tokenizer(text)


def _span(doc: Doc, start: int, end: int, label: str, warnings: list[str], ex: ExportDocument) -> Span | None:
    span = doc.char_span(start, end, label=label)
    if span is None:
        span = doc.char_span(start, end, label=label, alignment_mode="expand")
        if span is not None:
            warnings.append(f"{ex.source}: {label} {start}-{end} '{ex.text[start:end]}' does not match token "
                            f"boundaries; exported as '{span.text}'")
    return span


def to_spacy_doc(ex: ExportDocument, tokenizers: Tokenizers, warnings: list[str]) -> Doc:
    doc = tokenizers.tokenize(ex.language, ex.text)
    ents: list[Span] = []
    for s in ex.entities:
        span = _span(doc, s.start, s.end, s.label, warnings, ex)
        if span is not None and (not ents or span.start >= ents[-1].end):
            ents.append(span)
    # Reviewed documents: every other token is "no entity". Partial ones: every other token is
    # *missing*, so the model is not taught that an unreviewed name is not a name.
    doc.set_ents(ents, default="outside" if ex.complete else "missing")
    incorrect = [sp for s in ex.rejected if (sp := _span(doc, s.start, s.end, s.label, warnings, ex)) is not None]
    if incorrect:
        doc.spans[INCORRECT_SPANS_KEY] = incorrect
    doc.user_data[USER_DATA_KEY] = {
        "id": ex.id, "source": ex.source, "status": ex.status.value, "language": ex.language,
        "annotator": ex.annotator, "meta": ex.meta,
    }
    return doc

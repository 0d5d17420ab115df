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

from spacy.tokens import Doc
from spacy.vocab import Vocab

from annotator.core.plural import plural
from annotator.io.alignment import tokens_of
from annotator.io.export_alignment import Alignment, entities, rejections
from annotator.io.selection import ExportDocument
from annotator.io.tokenizers import Tokenizers

__all__ = ["INCORRECT_SPANS_KEY", "USER_DATA_KEY", "Tokenizers", "own_tokens", "to_spacy_doc"]

INCORRECT_SPANS_KEY = "incorrect_spans"
USER_DATA_KEY = "annotator"


WARNINGS_KEPT = 20  # documents named in an export's warnings; ``Alignment.documents`` counts them all


def to_spacy_doc(ex: ExportDocument, tokenizers: Tokenizers, warnings: list[str],
                 alignment: Alignment | None = None) -> Doc:
    """``ex`` as a ``Doc``: entities on whole tokens without overlaps (``alignment.entities``; every span
    moved or left out counted in ``alignment``, and said in ``warnings``), rejected suggestions as
    ``incorrect_spans`` (a span group: overlaps allowed), our record in ``user_data``."""
    doc = own_tokens(ex, tokenizers)
    counted = alignment if alignment is not None else Alignment()
    before = sum(counted.changed.values())
    ents = entities(doc, ex.entities, ex.source, counted)
    # Reviewed documents: every other token is "no entity". Partial ones: every other token is
    # *missing*, so the model is not taught that an unreviewed name is not a name.
    doc.set_ents(ents, default="outside" if ex.complete else "missing")
    incorrect = rejections(doc, ex.rejected, ex.source, counted)
    if incorrect:
        doc.spans[INCORRECT_SPANS_KEY] = incorrect
    if sum(counted.changed.values()) != before:
        counted.documents += 1
        if len(warnings) < WARNINGS_KEPT:  # a million re-aligned documents must not mean a million lines
            warnings.append(f"{ex.source}: {plural(sum(counted.changed.values()) - before, 'span')} aligned to "
                            "tokens or left out")
    doc.user_data[USER_DATA_KEY] = {
        "id": ex.id, "source": ex.source, "status": ex.status.value, "language": ex.language,
        "annotator": ex.annotator, "meta": ex.meta,
    }
    return doc


def own_tokens(ex: ExportDocument, tokenizers: Tokenizers) -> Doc:
    """``ex``'s tokens: its own when its file gave them (CoNLL, Prodigy ``tokens``, spaCy v2 JSON: kept
    in its meta at import), so an export writes back the tokens the file had ("1996-08-22" stays one
    token); else the language's tokenizer's."""
    nlp = tokenizers.get(ex.language)
    bounds = tokens_of(ex.meta)
    own = _from_bounds(nlp.vocab, ex.text, bounds) if bounds is not None else None
    return own if own is not None else nlp.tokenizer(ex.text)


def _from_bounds(vocab: Vocab, text: str, bounds: list[tuple[int, int]]) -> Doc | None:
    """A ``Doc`` of ``text`` with these (start, end) tokens, the whitespace between them as spaCy keeps
    it (one space after a token; any other run of whitespace a token of its own); None when they do not
    tile the text (out of order, overlapping, or text other than whitespace between them)."""
    words: list[str] = []
    spaces: list[bool] = []

    def gap(between: str) -> bool:
        if between and not between.isspace():
            return False
        if between[:1] == " " and words:
            spaces[-1], between = True, between[1:]
        if between:
            words.append(between)
            spaces.append(False)
        return True

    at = 0
    for start, end in bounds:
        if not at <= start < end <= len(text) or not gap(text[at:start]):
            return None
        words.append(text[start:end])
        spaces.append(False)
        at = end
    if not gap(text[at:]):
        return None
    doc = Doc(vocab, words=words, spaces=spaces)
    return doc if doc.text == text else None

"""Which language a document is written in: py3langid's naive Bayes identifier (140 language labels,
its model inside the wheel, offline), answered in spaCy's codes.

Why this identifier and not another, with the measurements: docs/decisions/0007-language-identifier.md.
The model (4.6 MB compressed) is loaded once per process, on the first document, under a lock.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from annotator.core import language as core_language
from annotator.core.language import MULTI, SPACY_LANGUAGES, spacy_language

# A short text (under SHORT characters) whose best language scores below MIN_CONFIDENCE (py3langid's
# normalised probability, summed over the codes that map to one spaCy language) says too little: a
# name, a one-word headline. Measured: every news sentence of benchmarks/language.py scores 0.53 or
# more, headlines of four or five words 0.22 or more; "Barack Obama" 0.03, "Hello world" 0.14. Longer
# texts always take the best language: py3langid's probabilities flatten as a text grows (its softmax
# temperature is the square root of the length), so a threshold would refuse long, repetitive articles.
MIN_CONFIDENCE = 0.2
SHORT = 400
# The identifier reads at most SAMPLE_CHARACTERS of an article: its first half from the start, the other
# from the middle (a scraped page's menus and bylines come first). Measured (benchmarks/language.py
# --long, 245 articles of 126-26,489 characters in 12 languages and the seeds): the same answers as the first 5,000
# characters, in half the time (0.50 ms against 1.03 ms an article; that was a quarter of an import).
SAMPLE_CHARACTERS = 2_000

# py3langid codes that are not spaCy's but written with a spaCy language's tokenizer rules. Nigerian
# Pidgin ("pcm") is English-lexified and spelt as English: short English texts often score highest as
# it ("Emoji test in Tokyo with Sony." came out "xx"), and English rules tokenize it.
_VARIETIES = {"wuu": "zh", "yue": "zh", "ary": "ar", "arz": "ar", "pcm": "en", "uzs": MULTI, "zxx": ""}


@dataclass(frozen=True)
class _Model:
    identifier: Any  # py3langid's LanguageIdentifier, normalised probabilities
    codes: tuple[str, ...]  # the spaCy code each group of classes answers
    group: Any  # numpy: class index -> index in ``codes`` (one spaCy language and its varieties)
    multi: Any  # numpy: which classes are languages spaCy lacks (never added up)
    kept: Any  # numpy: 1.0 for the classes that add up, 0.0 for ``multi`` ones
    multi_code: int  # index of MULTI in ``codes`` (-1: none)


_lock = threading.Lock()
_model: _Model | None = None


def _identifier_class() -> Any:
    """py3langid's identifier, scoring with a float32 copy of only the feature rows a text visits: its
    own product of float32 counts with the float16 table costs twice as much, for the same numbers
    (numpy computes the mixed product in float32 too). Up to half of an import's time was spent here."""
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    class Identifier(LanguageIdentifier):
        __slots__ = ()

        def _sparse_score(self, visits: Any, table: Any) -> Any:
            idx = np.fromiter(visits.keys(), dtype=np.intp, count=len(visits))
            counts = np.fromiter(visits.values(), dtype=np.float32, count=len(visits))
            return np.log1p(counts) @ table.take(idx, axis=0).astype(np.float32) + self.nb_pc

    return Identifier


def _loaded() -> _Model:
    global _model
    with _lock:
        if _model is None:
            import numpy as np
            from py3langid.langid import MODEL_FILE

            identifier = _identifier_class().from_model_file(MODEL_FILE, norm_probs=True)
            mapped = [spacy_code(c) for c in identifier.nb_classes]
            codes = tuple(dict.fromkeys(mapped))
            multi = np.array([c == MULTI for c in mapped])
            _model = _Model(identifier, codes, np.array([codes.index(c) for c in mapped]), multi,
                            np.where(multi, 0.0, 1.0), codes.index(MULTI) if MULTI in codes else -1)
        return _model


def spacy_code(identified: str) -> str:
    """A py3langid code as spaCy's: "no" → "nb", "wuu" → "zh", a language spaCy lacks → "xx",
    no language at all ("zxx") → ""."""
    if identified in _VARIETIES:
        return _VARIETIES[identified]
    code = spacy_language(identified)
    return code if code is not None and code in SPACY_LANGUAGES else MULTI


def sample(text: str) -> str:
    """What the identifier reads of ``text``: all of it up to ``SAMPLE_CHARACTERS``, else half that from
    the start and half from the middle, each in whole words (a broken word adds odd letter n-grams)."""
    if len(text) <= SAMPLE_CHARACTERS:
        return text
    half = SAMPLE_CHARACTERS // 2
    middle = max(half, len(text) // 2 - half // 2)
    return f"{_words(text, 0, half)}\n{_words(text, middle, middle + half)}"


def _words(text: str, start: int, end: int) -> str:
    """``text[start:end]`` without the word cut at either end (unless that leaves less than half)."""
    piece = text[start:end]
    if start and not text[start - 1].isspace() and 0 <= (cut := piece.find(" ")) < len(piece) // 2:
        piece = piece[cut + 1:]
    if end < len(text) and not text[end].isspace() and (cut := piece.rfind(" ")) > len(piece) // 2:
        piece = piece[:cut]
    return piece


def identify(text: str) -> str | None:
    """The spaCy code of ``text``'s language, or None when the identifier is not confident enough."""
    return identify_many([text])[0]


def identify_many(texts: Sequence[str]) -> list[str | None]:
    """``identify`` of each text, the texts scored together: py3langid's ``_decide`` (walk, scores,
    softmax at temperature sqrt(bytes), aliases folded) done with one gather of the feature rows and
    array operations over all of them instead of a dozen small ones per text. The same numbers:
    each text's product is the same call on the same values, the rest is elementwise."""
    import numpy as np
    from py3langid.langid import visit_counts

    model = _loaded()
    ident = model.identifier
    n = len(texts)
    if not n:
        return []
    encoded = [ident._encode(sample(text)) for text in texts]
    visits = [visit_counts(ident.tk_nextmove, ident._rowbase, ident.tk_output, e) for e in encoded]
    scores = np.zeros((n, len(ident.nb_classes)), dtype=np.float32)  # no feature: 0.0, as _raw_score says
    seen = [i for i, v in enumerate(visits) if v]
    if seen:
        features = [np.fromiter(visits[i].keys(), dtype=np.intp, count=len(visits[i])) for i in seen]
        rows = ident.nb_ptc.take(np.concatenate(features), axis=0).astype(np.float32)
        at = 0
        for i, idx in zip(seen, features, strict=True):
            counts = np.fromiter(visits[i].values(), dtype=np.float32, count=len(idx))
            scores[i] = np.log1p(counts) @ rows[at:at + len(idx)] + ident.nb_pc
            at += len(idx)
    scores *= np.array([1.0 / math.sqrt(len(e) or 1) for e in encoded], dtype=np.float32)[:, None]
    np.exp(scores - scores.max(axis=1, keepdims=True), out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    for i, j in ident._alias_pairs:
        scores[:, i] += scores[:, j]
        scores[:, j] = 0.0
    # A language and its varieties (zh, wuu, yue) add up; languages spaCy lacks are not one language:
    # MULTI scores as the best of them alone.
    out: list[str | None] = []
    for text, probabilities in zip(texts, scores, strict=True):
        summed = np.bincount(model.group, weights=probabilities * model.kept, minlength=len(model.codes))
        if model.multi_code >= 0:
            summed[model.multi_code] = probabilities[model.multi].max()
        top = int(summed.argmax())  # the first of equals, in ``codes`` order
        best = model.codes[top]
        short = len(text.strip()) < SHORT
        out.append(None if not best or (short and summed[top] < MIN_CONFIDENCE) else best)
    return out


def detect_languages(texts: Sequence[str], default: str = "en") -> list[str]:
    """``detect_language`` of each text, identified together (``identify_many``)."""
    found = iter(identify_many([t for t in texts if _has_letters(t)]))
    return [(next(found) or default) if _has_letters(t) else default for t in texts]


def _has_letters(text: str) -> bool:
    return any(c.isalpha() for c in text[:2000])  # as core.language.detect_language decides


def detect_language(text: str, default: str = "en") -> str:
    """``core.language.detect_language`` with this identifier: the spaCy code of ``text``'s language,
    ``default`` when the text gives no evidence."""
    return core_language.detect_language(text, default)


core_language.install_identifier(identify)

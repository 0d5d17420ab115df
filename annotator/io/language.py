"""Which language a document is written in: py3langid's naive Bayes identifier (140 language labels,
its model inside the wheel, offline), answered in spaCy's codes.

Why this identifier and not another, with the measurements: docs/decisions/0007-language-identifier.md.
The model (4.6 MB compressed) is loaded once per process, on the first document, under a lock.
"""

from __future__ import annotations

import threading
from collections import defaultdict
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
SAMPLE_CHARACTERS = 5_000  # the identifier reads the start of a long article; more changes nothing

# py3langid codes that are not spaCy's but written with a spaCy language's tokenizer rules.
_VARIETIES = {"wuu": "zh", "yue": "zh", "ary": "ar", "arz": "ar", "uzs": MULTI, "zxx": ""}

_lock = threading.Lock()
_model: Any = None


def _identifier() -> Any:
    global _model
    with _lock:
        if _model is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _model


def spacy_code(identified: str) -> str:
    """A py3langid code as spaCy's: "no" → "nb", "wuu" → "zh", a language spaCy lacks → "xx",
    no language at all ("zxx") → ""."""
    if identified in _VARIETIES:
        return _VARIETIES[identified]
    code = spacy_language(identified)
    return code if code is not None and code in SPACY_LANGUAGES else MULTI


def identify(text: str) -> str | None:
    """The spaCy code of ``text``'s language, or None when the identifier is not confident enough."""
    sample = text[:SAMPLE_CHARACTERS]
    scores: defaultdict[str, float] = defaultdict(float)
    for identified, probability in _identifier().rank(sample):
        code = spacy_code(identified)
        if code == MULTI:  # languages spaCy lacks are not one language: their probabilities never add up
            scores[code] = max(scores[code], probability)
        else:  # a language and its varieties (zh, wuu, yue) do
            scores[code] += probability
    best = max(scores, key=scores.__getitem__)
    if not best or (len(sample.strip()) < SHORT and scores[best] < MIN_CONFIDENCE):
        return None
    return best


def detect_language(text: str, default: str = "en") -> str:
    """``core.language.detect_language`` with this identifier: the spaCy code of ``text``'s language,
    ``default`` when the text gives no evidence."""
    return core_language.detect_language(text, default)


core_language.install_identifier(identify)

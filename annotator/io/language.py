"""Which language a document is written in: py3langid's naive Bayes identifier (140 language labels,
its model inside the wheel, offline), answered in spaCy's codes.

Why this identifier and not another, with the measurements: docs/decisions/0007-language-identifier.md.
The model (4.6 MB compressed) is loaded once per process, on the first document, under a lock.
"""

from __future__ import annotations

import threading
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
SAMPLE_CHARACTERS = 5_000  # the identifier reads the start of a long article; more changes nothing

# py3langid codes that are not spaCy's but written with a spaCy language's tokenizer rules.
_VARIETIES = {"wuu": "zh", "yue": "zh", "ary": "ar", "arz": "ar", "uzs": MULTI, "zxx": ""}


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


def identify(text: str) -> str | None:
    """The spaCy code of ``text``'s language, or None when the identifier is not confident enough."""
    import numpy as np

    model = _loaded()
    sample = text[:SAMPLE_CHARACTERS]
    probabilities = model.identifier._decide(sample)  # one per class, as rank() and classify() use them
    # A language and its varieties (zh, wuu, yue) add up; languages spaCy lacks are not one language:
    # MULTI scores as the best of them alone.
    summed = np.bincount(model.group, weights=probabilities * model.kept, minlength=len(model.codes))
    if model.multi_code >= 0:
        summed[model.multi_code] = probabilities[model.multi].max()
    top = int(summed.argmax())  # the first of equals, in ``codes`` order
    best = model.codes[top]
    if not best or (len(sample.strip()) < SHORT and summed[top] < MIN_CONFIDENCE):
        return None
    return best


def detect_language(text: str, default: str = "en") -> str:
    """``core.language.detect_language`` with this identifier: the spaCy code of ``text``'s language,
    ``default`` when the text gives no evidence."""
    return core_language.detect_language(text, default)


core_language.install_identifier(identify)

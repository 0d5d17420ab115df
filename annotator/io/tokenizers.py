"""A blank spaCy pipeline (tokenizer only) for any language spaCy knows, so any language can be
annotated by hand, and never a traceback for one that needs a package we do not install.

Most languages tokenize with spaCy's rules alone; Chinese uses spaCy's default "char" segmenter (no
extra package). Four of spaCy's tokenizers need a package of their own: Japanese (SudachiPy), Korean
(mecab-ko), Thai (PyThaiNLP) and Vietnamese (pyvi). When it is missing, the language keeps its code and
gets a fallback spaCy itself offers: Vietnamese syllables (``use_pyvi = false``), Korean and Thai
split on spaces and punctuation (spaCy's rule-based tokenizer, as its docs suggest for Korean), Japanese
character by character (the Chinese "char" segmenter). A code spaCy has no language for gets the
multi-language ``xx`` tokenizer. ``fallback_note`` says which, for reports and logs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from annotator.core.language import MULTI, language_name, spacy_language

log = logging.getLogger(__name__)

_RULES = {"@tokenizers": "spacy.Tokenizer.v1"}
_CHARACTERS = {"@tokenizers": "spacy.zh.ChineseTokenizer", "segmenter": "char"}

# language -> (the package its spaCy tokenizer needs, the fallback [nlp.tokenizer] settings, what it does)
FALLBACKS: dict[str, tuple[str, dict[str, Any], str]] = {
    "ja": ("sudachipy and sudachidict_core", _CHARACTERS, "character by character"),
    "ko": ("mecab-ko, mecab-ko-dic and natto-py", _RULES, "on spaces and punctuation"),
    "th": ("pythainlp", _RULES, "on spaces and punctuation"),
    "vi": ("pyvi", {"@tokenizers": "spacy.vi.VietnameseTokenizer", "use_pyvi": False}, "by syllable"),
}


def code_of(language: str) -> str:
    """The spaCy code a stored or given language tokenizes as (``xx`` for one spaCy does not know)."""
    return spacy_language(language) or MULTI


def blank_pipeline(language: str) -> tuple[Language, str | None]:
    """``spacy.blank`` for ``language``, and a note when it is a fallback (None: spaCy's own tokenizer)."""
    code = code_of(language)
    try:
        nlp = spacy.blank(code)
    except ImportError:
        if code not in FALLBACKS:
            return spacy.blank(MULTI), f"{language!r}: spaCy's tokenizer needs a package that is not installed; " \
                                      "tokenized with the multi-language rules"
        return spacy.blank(code, config={"nlp": {"tokenizer": FALLBACKS[code][1]}}), fallback_note(code)
    except Exception as exc:  # a code spaCy lists but cannot build: never a traceback for a document
        log.warning("spacy.blank(%r) failed: %s", code, exc)
        return spacy.blank(MULTI), f"{language!r}: spaCy cannot build its tokenizer; tokenized with the " \
                                   "multi-language rules"
    if code == MULTI and language.strip().lower() not in ("xx", "multi-language", "multilingual", "mul"):
        return nlp, f"{language!r} is not a language spaCy knows; tokenized with the multi-language rules"
    return nlp, None


def fallback_note(code: str) -> str:
    package, _, how = FALLBACKS[code]
    return (f"{language_name(code)} ('{code}') is tokenized {how}: spaCy's {language_name(code)} tokenizer "
            f"needs {package} (pip install it for word tokens)")


def needs_fallback(code: str) -> bool:
    """Whether ``code``'s own spaCy tokenizer cannot be built here (its package is missing)."""
    if code not in FALLBACKS:
        return False
    try:
        spacy.blank(code)
    except ImportError:
        return True
    return False


RENEW_AFTER = 10_000  # documents a language's blank pipeline tokenizes before it is made anew


@dataclass
class Tokenizers:
    """One blank pipeline per language, created on first use; ``notes`` says which are fallbacks.

    A pipeline's vocabulary keeps every new word it has seen (spaCy's ``StringStore`` and lexemes): over
    a million articles that grew an export by ~350 bytes an article. So a language's pipeline is made
    anew after ``renew_after`` documents (a blank pipeline loads in milliseconds); Docs already made keep
    their own vocabulary, and a DocBin stores each Doc's strings itself."""

    _cache: dict[str, Language] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    renew_after: int = field(default_factory=lambda: RENEW_AFTER)
    _used: dict[str, int] = field(default_factory=dict)

    def get(self, language: str) -> Language:
        """``language``'s pipeline; each call counts as a use (a document), see ``renew_after``."""
        used = self._used.get(language, 0) + 1
        if used > self.renew_after:
            self._cache.pop(language, None)
            used = 1
        self._used[language] = used
        if language not in self._cache:
            nlp, note = blank_pipeline(language)
            if note is not None:
                log.info("%s", note)
                self.notes[language] = note
            self._cache[language] = nlp
        return self._cache[language]

    def tokenize(self, language: str, text: str) -> Doc:
        """Tokens only, whatever the length of ``text`` (no ``max_length`` check: no model runs)."""
        return self.get(language).tokenizer(text)

"""Languages as spaCy names them: every code, name or tag a file or a person gives, normalised to the
code ``spacy.blank`` takes ("italian", "Italian", "it-IT", "ita" → "it"), and the port through which
the language identifier is reached.

Standard library only (import-linter): the identifier itself needs a third-party model and lives in
``annotator.io.language``, which installs itself here (``install_identifier``) when ``annotator.io`` is
imported, so ``detect_language`` keeps working for every caller that imports it from this module.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from annotator.core.errors import AnnotatorError

MULTI = "xx"  # spaCy's multi-language class: a language spaCy has no tokenizer rules for

# spaCy 3.8's languages (spacy/lang/*): code -> names a file or a person may use for it (English name
# first, then other spellings and the native name), and ISO 639-2/3 codes. A test checks the codes
# against the installed spaCy.
_LANGUAGES: dict[str, tuple[str, ...]] = {
    "af": ("afrikaans", "afr"),
    "am": ("amharic", "amh", "አማርኛ"),
    "ar": ("arabic", "ara", "arb", "العربية"),
    "az": ("azerbaijani", "aze", "azj", "azərbaycan"),
    "bg": ("bulgarian", "bul", "български"),
    "bn": ("bengali", "bangla", "ben", "বাংলা"),
    "bo": ("tibetan", "bod", "tib"),
    "ca": ("catalan", "cat", "català"),
    "cs": ("czech", "ces", "cze", "čeština"),
    "da": ("danish", "dan", "dansk"),
    "de": ("german", "deu", "ger", "deutsch"),
    "dsb": ("lower sorbian",),
    "el": ("greek", "modern greek", "ell", "gre", "ελληνικά"),
    "en": ("english", "eng"),
    "es": ("spanish", "castilian", "spa", "español", "castellano"),
    "et": ("estonian", "est", "ekk", "eesti"),
    "eu": ("basque", "eus", "baq", "euskara"),
    "fa": ("persian", "farsi", "fas", "per", "pes", "فارسی"),
    "fi": ("finnish", "fin", "suomi"),
    "fo": ("faroese", "fao", "føroyskt"),
    "fr": ("french", "fra", "fre", "français", "francais"),
    "ga": ("irish", "gle", "gaeilge"),
    "gd": ("scottish gaelic", "gaelic", "gla", "gàidhlig"),
    "grc": ("ancient greek",),
    "gu": ("gujarati", "guj", "ગુજરાતી"),
    "he": ("hebrew", "heb", "iw", "עברית"),
    "hi": ("hindi", "hin", "हिन्दी", "हिंदी"),
    "hr": ("croatian", "hrv", "hrvatski"),
    "hsb": ("upper sorbian",),
    "ht": ("haitian creole", "haitian", "hat", "kreyòl"),
    "hu": ("hungarian", "hun", "magyar"),
    "hy": ("armenian", "hye", "arm", "հայերեն"),
    "id": ("indonesian", "ind", "in", "bahasa indonesia"),
    "is": ("icelandic", "isl", "ice", "íslenska"),
    "it": ("italian", "ita", "italiano"),
    "ja": ("japanese", "jpn", "日本語"),
    "kmr": ("kurmanji", "northern kurdish"),
    "kn": ("kannada", "kan", "ಕನ್ನಡ"),
    "ko": ("korean", "kor", "한국어"),
    "ky": ("kyrgyz", "kirghiz", "kir", "кыргызча"),
    "la": ("latin", "lat", "latina"),
    "lb": ("luxembourgish", "ltz", "lëtzebuergesch"),
    "lg": ("luganda", "ganda", "lug"),
    "lij": ("ligurian",),
    "lt": ("lithuanian", "lit", "lietuvių"),
    "lv": ("latvian", "lav", "lvs", "latviešu"),
    "mk": ("macedonian", "mkd", "mac", "македонски"),
    "ml": ("malayalam", "mal", "മലയാളം"),
    "mr": ("marathi", "mar", "मराठी"),
    "ms": ("malay", "msa", "may", "zsm", "bahasa melayu"),
    "nb": ("norwegian", "norwegian bokmål", "norwegian bokmal", "bokmål", "bokmal", "no", "nob", "nor", "norsk"),
    "ne": ("nepali", "nep", "npi", "नेपाली"),
    "nl": ("dutch", "flemish", "nld", "dut", "nederlands"),
    "nn": ("norwegian nynorsk", "nynorsk", "nno"),
    "pl": ("polish", "pol", "polski"),
    "pt": ("portuguese", "por", "português", "portugues"),
    "ro": ("romanian", "moldavian", "ron", "rum", "română"),
    "ru": ("russian", "rus", "русский"),
    "sa": ("sanskrit", "san", "संस्कृतम्"),
    "si": ("sinhala", "sinhalese", "sin", "සිංහල"),
    "sk": ("slovak", "slk", "slo", "slovenčina"),
    "sl": ("slovenian", "slovene", "slv", "slovenščina"),
    "sq": ("albanian", "sqi", "alb", "als", "shqip"),
    "sr": ("serbian", "srp", "српски", "srpski"),
    "sv": ("swedish", "swe", "svenska"),
    "ta": ("tamil", "tam", "தமிழ்"),
    "te": ("telugu", "tel", "తెలుగు"),
    "th": ("thai", "tha", "ไทย"),
    "ti": ("tigrinya", "tir", "ትግርኛ"),
    "tl": ("tagalog", "filipino", "tgl", "fil"),
    "tn": ("setswana", "tswana", "tsn"),
    "tr": ("turkish", "tur", "türkçe"),
    "tt": ("tatar", "tat", "татарча"),
    "uk": ("ukrainian", "ukr", "українська"),
    "ur": ("urdu", "urd", "اردو"),
    "vi": ("vietnamese", "vie", "tiếng việt"),
    "xx": ("multi-language", "multilingual", "mul"),
    "yo": ("yoruba", "yor", "yorùbá"),
    "zh": ("chinese", "mandarin", "zho", "chi", "cmn", "中文", "汉语", "漢語"),
}

SPACY_LANGUAGES: frozenset[str] = frozenset(_LANGUAGES)

_ALIASES: dict[str, str] = {alias: code for code, names in _LANGUAGES.items() for alias in (code, *names)}
_SUBTAG = re.compile(r"[-_]")


def language_name(code: str) -> str:
    """"Italian" for "it"; the code itself for one spaCy does not know."""
    names = _LANGUAGES.get(code)
    return names[0].title() if names else code


def spacy_language(value: str) -> str | None:
    """The spaCy code for a language code, tag or name (case and accents as written, or not), or None.

    "it", "IT", "it-IT", "it_IT", "ita", "italian", "Italian", "italiano" → "it"; "zh-Hans-CN" →
    "zh"; "no", "nb-NO" → "nb" (spaCy's Norwegian is Bokmål)."""
    key = " ".join(value.strip().lower().split())
    if not key:
        return None
    for candidate in (key, unicodedata.normalize("NFC", key), _SUBTAG.split(key, maxsplit=1)[0]):
        if candidate in _ALIASES:
            return _ALIASES[candidate]
    return None


class UnknownLanguage(AnnotatorError):
    """A language name or code spaCy has no language for."""


def unknown_language_reason(value: str) -> str:
    """Why ``value`` is refused as a language, for a message that also says where it came from."""
    shown = value if len(value) <= 40 else value[:40] + "…"
    return (f"{shown!r} is not a language spaCy knows: use its code or English name, e.g. 'en', 'fr', 'it', "
            f"'zh' or 'Italian' ('{MULTI}' for spaCy's multi-language tokenizer)")


def require_language(value: str, where: str = "language") -> str:
    """``spacy_language(value)``, or ``UnknownLanguage`` naming ``where`` (an option, a field)."""
    code = spacy_language(value)
    if code is None:
        raise UnknownLanguage(f"{where}: {unknown_language_reason(value)}")
    return code


# -- the identifier port ---------------------------------------------------------------------------

Identifier = Callable[[str], "str | None"]  # text -> spaCy code, or None when the text says nothing

_identifier: Identifier | None = None


def install_identifier(identify: Identifier) -> None:
    """Called by ``annotator.io.language`` when ``annotator.io`` is imported."""
    global _identifier
    _identifier = identify


def detect_language(text: str, default: str = "en") -> str:
    """The spaCy code of the language ``text`` is written in; ``default`` when it gives no evidence
    (no letters, or nothing the identifier recognises). The identifier is the one
    ``annotator.io.language`` installs (py3langid, docs/decisions/0007-language-identifier.md)."""
    if _identifier is None:  # a programming error, not bad input: nothing imported annotator.io
        raise RuntimeError("no language identifier installed: import annotator.io (annotator.io.language)")
    if not any(c.isalpha() for c in text[:2000]):
        return default
    return _identifier(text) or default

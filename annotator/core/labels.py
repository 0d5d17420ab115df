"""Label schemes: name, colour and keyboard shortcut of each entity type, and mappings between schemes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from annotator.core.errors import AnnotatorError
from annotator.core.limits import LABEL_MAX, shown
from annotator.core.pairs import PairError, parse_pairs

# One rule for every label name, typed in the app or read from a file. Other tools' users name labels
# "Job Title", "Société", "Org (other)" or "Person" (either case), and a file is kept as it says:
# letters and digits of any script, single spaces between words, and a few punctuation marks such
# names use. spaCy trains on any string; CoNLL writes spaces and "%" as %XX (io.formats.conll_label).
# Refused: control and invisible characters (a name must look like what it is), other whitespace,
# markup and separators the CLI uses (, ; =), and a name mixing Latin, Greek and Cyrillic letters
# (a Cyrillic "О" in "PERSОN" would be another label that looks the same). A name is NFC: two
# spellings of "é" (one character, or "e" and a combining accent) are the same label.
# The zero-width joiner and non-joiner (U+200D, U+200C) are part of some spellings in scripts whose
# letters join or form conjuncts (Persian "می‌خواهم", Hindi "क्‍ष", Bengali "র‍্য", Sinhala): they are
# allowed only inside such a word, between two letters or marks of one of those scripts, so none can
# start or end a name, come twice in a row, or sit beside a Latin, Greek, Cyrillic or CJK letter (where
# it would make an invisible near-duplicate of "PER").
_PUNCTUATION = "_.-()/&+'\u2019"
LABEL_RULE = (f"1-{LABEL_MAX} letters (any script), digits, single spaces between words and "
              "_ . - ( ) / & + ' \u2019, starting with a letter")
_CHARACTER_NAMES = {" ": "a space", "\n": "a line break", "\r": "a line break", "\t": "a tab",
                    "\u00a0": "a no-break space"}
_GREEK_LOOKALIKES = frozenset("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοικνρυχ")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_JOINERS = frozenset("\u200c\u200d")
_JOINING_SCRIPTS = frozenset((
    "ARABIC", "SYRIAC", "NKO", "MONGOLIAN", "DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI", "ORIYA", "TAMIL",
    "TELUGU", "KANNADA", "MALAYALAM", "SINHALA", "MYANMAR", "KHMER",
))


def label_name(raw: str) -> str:
    """The label a file or a person means by ``raw``: NFC, without whitespace at the edges."""
    return unicodedata.normalize("NFC", raw.strip())


@dataclass(frozen=True)
class Label:
    name: str
    colour: str
    key: str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not unicodedata.is_normalized("NFC", self.name):
            object.__setattr__(self, "name", unicodedata.normalize("NFC", self.name))


def _word_character(c: str) -> bool:
    return unicodedata.category(c)[0] in "LNM"


def _character(c: str) -> str:
    if c in _JOINERS:
        return f"{c!r} ({unicodedata.name(c).lower()})"
    return _CHARACTER_NAMES.get(c) or repr(c)


def _joining_script(c: str) -> str | None:
    """The script of a letter or mark whose script spells words with joiners, else None."""
    if not _word_character(c) or unicodedata.category(c)[0] == "N":
        return None
    script = unicodedata.name(c, "").split(" ", 1)[0]
    return script if script in _JOINING_SCRIPTS else None


def _joiner_allowed(name: str, i: int) -> bool:
    """A joiner at ``name[i]`` between two letters or marks of the same joining script."""
    if i == 0 or i == len(name) - 1:
        return False
    before = _joining_script(name[i - 1])
    return before is not None and before == _joining_script(name[i + 1])


def _what_is_wrong(name: str) -> str | None:
    if not name:
        return "is empty"
    if len(name) > LABEL_MAX:
        return f"is too long (at most {LABEL_MAX} characters)"
    if unicodedata.category(name[0])[0] != "L":
        return f"starts with {_character(name[0])}"
    if name[-1] == " ":
        return "ends with a space"
    if "  " in name:
        return "has two spaces in a row"
    bad = next((c for i, c in enumerate(name) if not (_word_character(c) or c == " " or c in _PUNCTUATION
                                                     or (c in _JOINERS and _joiner_allowed(name, i)))), None)
    if bad is not None:
        where = " outside a word of a script written with joiners (Arabic, Indic, ...)" if bad in _JOINERS else ""
        return f"contains {_character(bad)}{where}"
    mark = next((i for i in range(1, len(name)) if unicodedata.category(name[i])[0] == "M"
                 and not (_word_character(name[i - 1]) or name[i - 1] in _JOINERS)), None)
    if mark is not None:
        return f"has the combining mark {name[mark]!r} ({unicodedata.name(name[mark], '?')}) after no letter"
    return _lookalike_problem(name)


def _lookalike_problem(name: str) -> str | None:
    """A Cyrillic letter among Latin or Greek ones, or a Greek letter that looks Latin among Latin ones
    ("β-sheet" is fine, "PERSΟN" with a Greek Omicron is not)."""
    first: dict[str, str] = {}
    for c in name:
        word = unicodedata.name(c, "").split(" ", 1)[0]
        if word in ("LATIN", "GREEK", "CYRILLIC"):
            if word == "GREEK" and c in _GREEK_LOOKALIKES:
                word = "GREEK-LOOKALIKE"
            first.setdefault(word, c)
    scripts = set(first)
    clash = None
    if "CYRILLIC" in scripts and len(scripts) > 1:
        clash = "CYRILLIC"
    elif "LATIN" in scripts and "GREEK-LOOKALIKE" in scripts:
        clash = "GREEK-LOOKALIKE"
    if clash is None:
        return None
    mixed = "Latin" if "LATIN" in scripts else "Greek"
    script = clash.split("-")[0].title()
    return f"mixes {mixed} and {script} letters ({first[clash]!r} is {script}), so it could look like another label"


def label_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a label (what is wrong, the rule, and a fix when there is an obvious one),
    or None when it can. The name is judged as NFC, the form it is kept in."""
    nfc = unicodedata.normalize("NFC", name)
    what = _what_is_wrong(nfc)
    if what is None:
        return None
    visible = "".join(c for c in nfc if c.isspace() or unicodedata.category(c)[0] != "C")
    fix = " ".join(visible.split())
    hint = f" (e.g. {fix!r})" if fix != nfc and _what_is_wrong(fix) is None else ""
    return f"label name {shown(name)} {what}: use {LABEL_RULE}{hint}"


def option_label(raw: str, option: str) -> str:
    """A label name given on the command line (``--labels``, ``--rename``), as the app's "Add label"
    takes it: NFC and trimmed (``label_name``), then judged by the same rule; the error names ``option``."""
    name = label_name(raw)
    problem = label_name_problem(name)
    if problem is not None:
        raise AnnotatorError(f"{option}: {problem}")
    return name


def validate_label(label: Label, existing: Mapping[str, Label] | None = None) -> None:
    """Refuse names outside the rule (``label_name_problem``), bad colours, and shortcut keys already taken."""
    problem = label_name_problem(label.name)
    if problem is not None:
        raise AnnotatorError(problem)
    if not _COLOUR.match(label.colour):
        raise AnnotatorError(f"label colour {label.colour!r} must look like #RRGGBB")
    if label.key is not None:
        if len(label.key) != 1 or not label.key.isalnum():
            raise AnnotatorError(f"shortcut {label.key!r} must be a single letter or digit")
        if label.key == "0":
            raise AnnotatorError("shortcut '0' is reserved")
        for other in (existing or {}).values():
            if other.name != label.name and other.key and other.key.lower() == label.key.lower():
                raise AnnotatorError(f"shortcut {label.key!r} is already used by {other.name}")


# OntoNotes labels (what en_core_web_sm predicts) plus MISC for the French pipeline's leftovers.
# Colours: 19 hues evenly spaced in CIELAB (L* alternating 68 / 84, chroma up to 48, in sRGB gamut),
# so any two labels differ by at least 16 (Delta E 1976), black text stays readable on each, and the
# pale suggestion tint of one label is never the solid colour of another (tests/gui/test_palette.py).
DEFAULT_LABELS: tuple[Label, ...] = (
    Label("PERSON", "#70a7fb", "1", "People, including fictional"),
    Label("ORG", "#ea8e65", "2", "Companies, agencies, institutions"),
    Label("GPE", "#8ab25d", "3", "Countries, cities, states"),
    Label("LOC", "#93e49b", "4", "Non-GPE locations: mountains, bodies of water, regions"),
    Label("NORP", "#f182b2", "5", "Nationalities, religious or political groups"),
    Label("DATE", "#c592e3", "6", "Absolute or relative dates or periods"),
    Label("EVENT", "#f88296", "7", "Named hurricanes, battles, wars, summits"),
    Label("MISC", "#c2a24d", "8", "Other named entities (French pipeline)"),
    Label("FAC", "#39ba8c", "9", "Buildings, airports, highways, bridges"),
    Label("CARDINAL", "#d5d779", "c", "Numerals that do not fall under another type"),
    Label("ORDINAL", "#fec793", "o", "first, second, ..."),
    Label("MONEY", "#0db8be", "m", "Monetary values"),
    Label("PERCENT", "#fcc4bd", "p", "Percentages"),
    Label("QUANTITY", "#58e3ff", "q", "Measurements, as of weight or distance"),
    Label("TIME", "#d2ccfd", "t", "Times smaller than a day"),
    Label("PRODUCT", "#17b3e3", "r", "Objects, vehicles, foods (not services)"),
    Label("WORK_OF_ART", "#febeee", "w", "Titles of books, songs, ..."),
    Label("LAW", "#acd6fd", "l", "Named documents made into laws"),
    Label("LANGUAGE", "#38e9d4", "g", "Any named language"),
)

# The French pipeline (fr_core_news_sm) predicts PER/LOC/ORG/MISC. Shown in the project's scheme;
# LOC becomes GPE because in news it is overwhelmingly countries and cities ("Maroc", "Rabat").
DEFAULT_LABEL_MAPPING: dict[str, dict[str, str]] = {
    "fr": {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG", "MISC": "MISC"},
}


def map_label(label: str, mapping: Mapping[str, str]) -> str:
    """Translate a model's label into the project's scheme; unknown labels pass through unchanged."""
    return mapping.get(label, label)


def parse_label_mapping(spec: str) -> dict[str, dict[str, str]]:
    """Parse ``fr:PER=PERSON,LOC=GPE;de:PER=PERSON`` (the env/CLI form of a per-language mapping).
    ``fr:`` alone maps nothing for French (its labels are shown as the model names them)."""
    result: dict[str, dict[str, str]] = {}
    try:
        languages = parse_pairs(spec, items=";", sep=":", empty_value=True)
    except PairError as exc:
        raise AnnotatorError(f"label mapping {exc.item!r} must look like 'fr:PER=PERSON,LOC=GPE'") from None
    for lang in languages:
        try:
            pairs = parse_pairs(lang.value)
        except PairError as exc:
            raise AnnotatorError(f"label mapping entry {exc.item!r} must look like 'PER=PERSON'") from None
        result.setdefault(lang.key, {}).update((p.key, p.value) for p in pairs)
    return result

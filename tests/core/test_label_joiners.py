"""Zero-width joiner and non-joiner in label names: part of some Persian, Hindi, Bengali, Sinhala
spellings, so allowed inside a word of a script written with them, and refused anywhere they could
make an invisible near-duplicate of another name ("PER" and "PER" + U+200D)."""

from __future__ import annotations

import pytest

from annotator.core.errors import AnnotatorError
from annotator.core.labels import Label, label_name_problem, validate_label

ZWJ, ZWNJ = "\u200d", "\u200c"


@pytest.mark.parametrize("name", [
    f"می{ZWNJ}خواهم",  # Persian: the non-joiner keeps the prefix apart
    f"سازمان{ZWNJ}ها",  # Persian plural suffix
    f"क्{ZWJ}ष",  # Devanagari: half form through virama + ZWJ
    f"र्{ZWNJ}य",  # Devanagari: non-joiner after virama
    f"র{ZWJ}্য",  # Bengali ya-phala: RA, ZWJ, virama (a mark right after the joiner)
    f"ශ්{ZWJ}රී",  # Sinhala: rakaransaya
    f"دفتر می{ZWNJ}خواهم",  # two words, one joiner
])
def test_joiners_inside_a_word_of_a_joining_script_are_accepted(name: str) -> None:
    assert label_name_problem(name) is None
    validate_label(Label(name, "#ffffff"))


@pytest.mark.parametrize(("name", "where"), [
    (f"PER{ZWJ}", "beside Latin, at the end"),
    (f"P{ZWJ}ER", "between Latin letters"),
    (f"PERS{ZWNJ}ON", "between Latin letters"),
    (f"Орг{ZWJ}ан", "between Cyrillic letters"),
    (f"Ορ{ZWNJ}γ", "between Greek letters"),
    (f"人{ZWJ}物", "between CJK letters"),
    (f"می{ZWNJ}", "at the end"),
    (f"می{ZWNJ}{ZWNJ}خواهم", "doubled"),
    (f"क{ZWJ}{ZWJ}ष", "doubled"),
    (f"क{ZWJ}P", "between Devanagari and Latin"),
    (f"क{ZWNJ}می", "between two scripts"),
    (f"می {ZWNJ}خواهم", "after a space"),
    (f"می{ZWNJ}2", "before a digit"),
])
def test_joiners_anywhere_else_are_refused(name: str, where: str) -> None:
    problem = label_name_problem(name)
    assert problem is not None, where
    assert "outside a word of a script written with joiners" in problem and "zero width" in problem
    with pytest.raises(AnnotatorError):
        validate_label(Label(name, "#ffffff"))


@pytest.mark.parametrize("name", [f"{ZWJ}PER", f"{ZWNJ}می"])
def test_a_joiner_cannot_start_a_name(name: str) -> None:
    problem = label_name_problem(name)
    assert problem is not None and "starts with" in problem and "zero width" in problem

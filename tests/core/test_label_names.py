"""The label-name rule: what other tools' users name labels is accepted as written; what would look
like something else, break a line, or hide in a name is refused with the reason and, when there is
an obvious one, the fix."""

from __future__ import annotations

import unicodedata

import pytest

from annotator.core.errors import AnnotatorError
from annotator.core.labels import LABEL_RULE, Label, label_name, label_name_problem, validate_label
from annotator.core.limits import LABEL_MAX


@pytest.mark.parametrize("name", [
    "Job Title", "Société", "Lieu géographique", "Org (other)", "Date/Time", "R&D", "C++", "Person's name",
    "Lieu d\u2019origine", "WORK_OF_ART", "B-PER", "ORG.GOV", "person", "Организация", "人物", "हिन्दी", "ไทย",
    "β-sheet", "Ölgesellschaft", "X2", "é" * LABEL_MAX,
])
def test_names_other_tools_write_are_accepted(name: str) -> None:
    assert label_name_problem(name) is None
    validate_label(Label(name, "#ffffff"))


@pytest.mark.parametrize(("name", "what", "hint"), [
    ("", "is empty", None),
    ("é" * (LABEL_MAX + 1), "is too long (at most 64 characters)", None),
    (" Job", "starts with a space", "Job"),
    ("1ST", "starts with '1'", None),
    ("(other)", "starts with '('", None),
    ("Job Title ", "ends with a space", "Job Title"),
    ("Job  Title", "has two spaces in a row", "Job Title"),
    ("Job\tTitle", "contains a tab", "Job Title"),
    ("Job\nTitle", "contains a line break", "Job Title"),
    ("Job\u00a0Title", "contains a no-break space", "Job Title"),
    ("Job\u200bTitle", "contains '\\u200b'", "JobTitle"),  # zero-width space: invisible
    ("GPE\x00", "contains '\\x00'", "GPE"),
    ("GPE\udfff", "contains '\\udfff'", "GPE"),
    ("<b>GPE</b>", "starts with '<'", None),
    ("GPE<br>", "contains '<'", None),
    ("a,b", "contains ','", None),  # --labels A,B and --rename A=B split on these
    ("a=b", "contains '='", None),
    ("Lieu \u0301x", "has the combining mark '\u0301' (COMBINING ACUTE ACCENT) after no letter", None),
    ("PERS\u041eN", "mixes Latin and Cyrillic letters ('О' is Cyrillic), so it could look like another label", None),
    ("PERS\u039fN", "mixes Latin and Greek letters ('Ο' is Greek), so it could look like another label", None),
])
def test_refused_names_say_what_is_wrong_the_rule_and_a_fix(name: str, what: str, hint: str | None) -> None:
    problem = label_name_problem(name)
    shown = repr(name) if len(name) <= 40 else f"{name[:40]!r}… ({len(name):,} characters)"
    expected = f"label name {shown} {what}: use {LABEL_RULE}" + (f" (e.g. {hint!r})" if hint else "")
    assert problem == expected
    with pytest.raises(AnnotatorError) as err:
        validate_label(Label(name, "#ffffff"))
    assert str(err.value) == problem


def test_the_rule_is_said_in_words() -> None:
    assert LABEL_RULE == ("1-64 letters (any script), digits, single spaces between words and "
                          "_ . - ( ) / & + ' \u2019, starting with a letter")


def test_two_spellings_of_one_accent_are_one_label() -> None:
    composed, decomposed = "Société", unicodedata.normalize("NFD", "Société")
    assert composed != decomposed and len(decomposed) == len(composed) + 2
    assert label_name_problem(decomposed) is None
    assert label_name(f" {decomposed}\t") == composed
    assert Label(decomposed, "#ffffff") == Label(composed, "#ffffff")
    assert Label(decomposed, "#ffffff").name == composed
    assert label_name_problem(unicodedata.normalize("NFD", "é" * LABEL_MAX)) is None  # judged as stored


def test_case_is_kept_and_distinguishes_labels() -> None:
    assert Label("Person", "#ffffff").name == "Person"
    assert label_name("location") == "location"
    assert Label("Person", "#ffffff") != Label("PERSON", "#ffffff")

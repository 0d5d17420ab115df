"""What the language identifier reads of a long article (``annotator.io.language.sample``)."""

from __future__ import annotations

from annotator.io.language import SAMPLE_CHARACTERS, detect_language, sample

FRENCH = ("Le gouvernement a présenté mercredi un projet de loi sur le logement, qui prévoit la construction "
          "de cent mille logements sociaux d'ici à la fin de la décennie. ")
MENU = "Home | News | Sport | Weather | Sign in | Subscribe | Newsletters | Contact us | Cookie settings | "


def test_short_text_is_read_whole() -> None:
    text = FRENCH * 3
    assert sample(text) == text


def test_long_text_is_read_from_its_start_and_its_middle_in_whole_words() -> None:
    words = [f"w{i:05d}" for i in range(3_000)]
    text = " ".join(words)
    read = sample(text)
    assert len(read) <= SAMPLE_CHARACTERS + 1
    assert read.startswith("w00000 ")
    assert all(word in words for word in read.split())  # no word cut in two
    middle = set(read.split()[len(read.split()) // 2 + 10:])
    assert middle and all(1_000 <= int(word[1:]) <= 2_000 for word in middle)


def test_a_scraped_page_whose_menus_come_first_is_identified_by_its_article() -> None:
    page = MENU * 12 + FRENCH * 30  # 1,200 characters of English menus before the article
    assert len(page) > SAMPLE_CHARACTERS
    assert detect_language(page) == "fr"

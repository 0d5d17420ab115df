"""Languages: the identifier (py3langid) on short news text, spaCy codes everywhere, a blank tokenizer
for every language spaCy knows, and Chinese and Spanish articles imported, tokenized and annotated
through the same store edit path the app uses."""

from __future__ import annotations

import json
import pkgutil
from pathlib import Path

import pytest
import spacy
import spacy.lang

from annotator.core.document import NewDocument
from annotator.core.language import SPACY_LANGUAGES, UnknownLanguage, detect_language, language_name
from annotator.gui.session import AnnotationSession
from annotator.io import language as io_language
from annotator.io.importer import import_paths
from annotator.io.tokenizers import FALLBACKS, Tokenizers, blank_pipeline, needs_fallback
from annotator.store import Store

# Written for this test, news-like, one or two sentences each: the texts the old stopword counter got
# wrong (Spanish, Italian, Portuguese and German came out French or English; Chinese as English).
NEWS = [
    ("es", "El Gobierno aprobó ayer la nueva ley de vivienda tras un largo debate en el Congreso."),
    ("es", "La policía informó de que tres personas resultaron heridas al volcar un autobús cerca de Sevilla."),
    ("fr", "Le président est arrivé lundi à Rabat pour deux jours d'entretiens sur le commerce."),
    ("it", "Il governo ha approvato ieri la nuova legge di bilancio dopo un lungo dibattito."),
    ("it", "Secondo la polizia, tre persone sono rimaste ferite quando un autobus si è ribaltato vicino a Torino."),
    ("pt", "O governo aprovou ontem a nova lei do orçamento depois de um longo debate."),
    ("pt", "Segundo a polícia, três pessoas ficaram feridas quando um ônibus capotou perto de Campinas."),
    ("de", "Die Regierung hat gestern den neuen Haushalt nach langer Debatte beschlossen."),
    ("en", "The minister arrived in Rabat on Monday for two days of talks on trade and migration."),
    ("zh", "外交部长周一抵达拉巴特，就贸易和移民问题进行为期两天的会谈。"),
    ("zh", "洪水迫使该国南部数千名居民离开家园。"),  # py3langid's best guess is Wu Chinese: folded into zh
    ("ru", "Правительство вчера утвердило новый бюджет после долгих обсуждений."),
    ("ja", "政府は昨日、新しい予算案を承認した。"),
    ("nl", "De regering heeft gisteren de nieuwe begroting goedgekeurd."),
]


@pytest.mark.parametrize(("expected", "text"), NEWS)
def test_news_sentences_are_identified_in_spacy_codes(expected: str, text: str) -> None:
    assert detect_language(text) == expected
    assert io_language.detect_language(text) == expected  # the adapter's name, same answer


def test_text_that_says_nothing_gets_the_default() -> None:
    assert detect_language("12345 !!! 2024-05-01") == "en"
    assert detect_language("Barack Obama", default="fr") == "fr"  # a name is no language
    assert detect_language("") == "en"


def test_a_long_repetitive_article_keeps_its_language() -> None:
    # py3langid's probabilities flatten with length; long texts take the best language, no threshold
    line = "Le ministre Nasser Bourita a reçu Antony Blinken à Rabat, lundi.\n"
    assert detect_language(line * 5000) == "fr"


def test_identifier_codes_become_spacy_codes() -> None:
    assert io_language.spacy_code("no") == "nb"
    assert io_language.spacy_code("yue") == "zh"
    assert io_language.spacy_code("arz") == "ar"
    assert io_language.spacy_code("sw") == "xx"  # Swahili: spaCy has no rules for it; multi-language
    assert io_language.spacy_code("zxx") == ""


def test_a_short_english_sentence_is_english_not_a_multi_language_guess() -> None:
    """py3langid ranks Nigerian Pidgin (English-lexified) first for some short English texts; it is
    written with English rules, so it counts as English (this came out "xx": no model, no suggestions)."""
    assert io_language.spacy_code("pcm") == "en"
    assert detect_language("Emoji 🎉🎉 test in Tokyo 🗼 with Sony.") == "en"
    assert detect_language("Jambo, habari gani rafiki yangu?") == "xx"  # Swahili stays multi-language


def test_the_code_table_is_spacys_own_list() -> None:
    shipped = {m.name for m in pkgutil.iter_modules(spacy.lang.__path__) if m.ispkg}
    assert set(SPACY_LANGUAGES) == shipped
    assert language_name("it") == "Italian" and language_name("zz") == "zz"


def test_new_documents_store_spacy_codes_and_refuse_unknown_languages() -> None:
    assert NewDocument("Ciao", "a.txt", "italian").language == "it"
    assert NewDocument("Olá", "a.txt", "pt-BR").language == "pt"
    with pytest.raises(UnknownLanguage, match="'klingon' is not a language spaCy knows"):
        NewDocument("Qapla'", "a.txt", "klingon")


def test_set_language_takes_names_and_refuses_unknown_ones(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Il governo ha approvato ieri la nuova legge di bilancio.", encoding="utf-8")
    doc_id = import_paths(store, [tmp_path / "a.txt"]).added[0]
    store.set_language(doc_id, "Italian")
    assert store.view(doc_id, "x").info.language == "it"
    with pytest.raises(UnknownLanguage, match="language: 'elvish' is not a language spaCy knows"):
        store.set_language(doc_id, "elvish")
    assert store.view(doc_id, "x").info.language == "it"


@pytest.mark.parametrize("code", sorted(SPACY_LANGUAGES))
def test_every_language_spacy_knows_gets_a_tokenizer(code: str) -> None:
    text = "Rabat 2024: 外交部长 — l'accord, Ünïcode.\n"
    nlp, note = blank_pipeline(code)
    doc = nlp.tokenizer(text)
    assert doc.text == text and len(doc) > 1
    assert (note is not None) == needs_fallback(code)
    if note is not None:  # a package spaCy wants for it is missing here: said, never a traceback
        assert FALLBACKS[code][0] in note and nlp.lang == code


def test_languages_whose_tokenizer_needs_a_package_fall_back_with_a_note() -> None:
    tokenizers = Tokenizers()
    tokens = [t.text for t in tokenizers.tokenize("ja", "政府は昨日、予算案を承認した。")]
    if needs_fallback("ja"):
        assert tokens[:3] == ["政", "府", "は"]  # character by character, annotatable by hand
        assert "Japanese ('ja') is tokenized character by character" in tokenizers.notes["ja"]
    assert [t.text for t in tokenizers.tokenize("vi", "Bộ trưởng đến Rabat")] == ["Bộ", "trưởng", "đến", "Rabat"]
    assert [t.text for t in tokenizers.tokenize("italian", "L'accordo")] == ["L'", "accordo"]
    assert [t.text for t in tokenizers.tokenize("klingon", "Qapla' batlh")][:1] == ["Qapla"]
    assert "not a language spaCy knows" in tokenizers.notes["klingon"]


@pytest.mark.parametrize(("name", "text", "language", "entity", "label"), [
    ("zh.txt", "外交部长周一抵达拉巴特，就贸易和移民问题进行为期两天的会谈。", "zh", "拉巴特", "GPE"),
    ("es.txt", "El ministro llegó el lunes a Rabat para dos días de conversaciones sobre comercio.", "es",
     "Rabat", "GPE"),
])
def test_chinese_and_spanish_articles_import_and_are_annotated_by_hand(
        store: Store, tmp_path: Path, name: str, text: str, language: str, entity: str, label: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    doc_id = import_paths(store, [tmp_path / name]).added[0]
    session = AnnotationSession(store, "ana")
    loaded = session.load(doc_id)
    session.opened(loaded)
    assert loaded.view.info.language == language
    start = text.index(entity)
    # A selection inside the name snaps to the whole tokens it touches, as in the app.
    snap = session.snap(start + 1, start + len(entity) - 1)
    assert snap.ok, snap.reason
    edit = session.add_entity(snap.start or 0, snap.end or 0, label)
    result = session.run_edit(edit, doc_id)
    [span] = result.loaded.view.confirmed if result.loaded else []
    if language == "zh":  # one token a character (spaCy's default Chinese segmenter): the selection itself
        assert text[span.start:span.end] == entity[1:-1]
    else:
        assert text[span.start:span.end] == entity
    assert span.label == label


def test_languages_named_in_files_are_stored_as_spacy_codes(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "named.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"text": "Il governo ha approvato ieri la nuova legge.", "language": "italian"},
        {"text": "O governo aprovou ontem a nova lei.", "language": "pt-BR"},
        {"text": "El Gobierno aprobó ayer la nueva ley.", "meta": {"language": "Spanish"}},
        {"text": "Le gouvernement a adopté la loi hier.", "language": "fra"},
    ]) + "\n", encoding="utf-8")
    import_paths(store, [path])
    assert sorted(d.language for d in store.list_documents()) == ["es", "fr", "it", "pt"]

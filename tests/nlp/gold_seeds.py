"""Hand-made gold entities for the seed articles: what an analyst would leave after correcting the
base model's suggestions, decided by reading each article (not copied from any model output).

Written as ``(label, text)`` in document order; ``gold_spans`` finds each one after the previous one,
on whole tokens, and fails loudly when a text is not found (so an edit to a seed cannot silently shift
the gold). The English articles follow OntoNotes 5 conventions (what en_core_web_sm was trained on):

- Titles and honorifics are outside PERSON ("Secretary Blinken", "Mr. Nasser Bourita", "His Majesty
  King Mohammed VI" -> "Mohammed VI"); possessive endings are outside every entity ("Morocco's").
- "US"/"U.S." is GPE, also as a modifier ("US Secretary of State"); "Secretary of State",
  "Foreign Minister" and other job titles are not entities; nationality adjectives inside a title are
  NORP ("Emirati Minister of Foreign Affairs", "Minister of ... African Cooperation and Moroccan
  Expatriates").
- "the" is inside a multi-word name that is used with the article ("the United States", "the Global
  Coalition", "the Middle East", "the Polisario Front"), never inside a one-word name ("the US",
  "the SDF", "the Sahel") nor when it belongs to a larger noun phrase ("the Marrakech meeting",
  "the Western Sahara issue").
- Daesh/ISIS are ORG. "the Global Coalition to defeat Daesh/ISIS" is two ORGs (the coalition and the
  group; the lower-case "to defeat" reads as a description). A bare "the Coalition" / "the Kingdom"
  referring back to a named one is not a name.
- Western Sahara, and "the Sahara" where it means that disputed territory ("the Sahara issue",
  "sovereignty over the entire Sahara"), are GPE; continents, regions and deserts are LOC (Africa,
  the Middle East, the Sahel, the Maghreb, Europe, the Americas).
- DATE keeps its modifiers ("next May", "almost a month ago", "Just a few months ago", "this Monday")
  and includes "annual" and bare periods ("years", "a week"); CARDINAL keeps "around", "more than",
  "at least". Diseases (COVID-19) and generic events ("the Ministerial Meeting", "the Syrian civil
  war": NORP Syrian only) are not entities; named summits and exercises are EVENT.
- Photo credits: agencies are ORG (AFP, AP, WAM), photographers PERSON; "HO" (handout) is nothing.
- Facilities are named without their lower-case type noun ("Al-Sina'a" prison, "Al-Hol" camp).

The French article (003) uses the project's scheme as an analyst of this project would (PERSON, GPE,
LOC, ORG, NORP, DATE, CARDINAL, EVENT, MISC...), in French text; training from fr_core_news_* folds it
back into PER/LOC/ORG/MISC.
"""

from __future__ import annotations

import re
from pathlib import Path

from annotator.core.document import DocumentStatus
from annotator.core.span import SpanData
from annotator.nlp.pipelines import Pipelines
from annotator.store import Store

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

GOLD: dict[str, list[tuple[str, str]]] = {
    "000": [
        ("PERSON", "Blinken"), ("GPE", "Morocco"), ("DATE", "next May"),
        ("GPE", "US"), ("NORP", "Alawi"), ("ORG", "Daesh"),
        ("ORG", "AFP"), ("PERSON", "JACQUELYN MARTIN"), ("GPE", "US"), ("PERSON", "Antony Blinken"),
        ("NORP", "Moroccan"), ("PERSON", "Nasser Bourita"), ("EVENT", "the Negev Summit"), ("GPE", "Sde Boker"),
        ("GPE", "Israel"), ("DATE", "28 March 2022"),
        ("GPE", "Morocco"), ("GPE", "the United States"), ("PERSON", "Antony Blinken"), ("GPE", "US"),
        ("NORP", "North African"), ("DATE", "May"), ("ORG", "the International Coalition"), ("ORG", "Daesh"),
        ("GPE", "Marrakech"), ("CARDINAL", "around 80"),
        ("ORG", "International Coalition"), ("DATE", "2014"), ("ORG", "Daesh"), ("ORG", "Daesh"),
        ("ORG", "AFP"), ("GPE", "the United States"), ("GPE", "Morocco"), ("GPE", "Morocco"),
        ("ORG", "the US State Department"),
        ("DATE", "the last few months"), ("ORG", "Daesh"), ("PERSON", "Blinken"), ("DATE", "2021"),
        ("DATE", "last year"),
        ("GPE", "Morocco"), ("DATE", "almost a month ago"), ("PERSON", "Blinken"), ("GPE", "Morocco"),
        ("NORP", "Moroccan"), ("PERSON", "Blinken"), ("CARDINAL", "two"),
        ("CARDINAL", "One"), ("GPE", "Morocco"), ("GPE", "the United States"), ("CARDINAL", "two"),
        ("GPE", "Morocco"), ("ORG", "the Global Counterterrorism Forum"), ("ORG", "the Global Coalition"),
        ("ORG", "Daesh"), ("PERSON", "Blinken"),
        ("GPE", "Morocco"), ("GPE", "the United States"), ("DATE", "annual"), ("EVENT", "Operation African Lion"),
        ("CARDINAL", "two"), ("LOC", "Maghreb"),
        ("ORG", "AFP"), ("ORG", "WAM"), ("NORP", "Bahraini"), ("PERSON", "Abdullatif bin Rashid al-Zayani"),
        ("NORP", "Egyptian"), ("PERSON", "Sameh Shoukry"), ("NORP", "Israeli"), ("PERSON", "Yair Lapid"),
        ("GPE", "US"), ("PERSON", "Antony Blinken"), ("NORP", "Moroccan"), ("PERSON", "Nasser Bourita"),
        ("NORP", "Emirati"), ("PERSON", "Abdullah bin Zayed Al Nahyan"), ("PERSON", "Antony Blinken"),
        ("NORP", "Moroccan"), ("PERSON", "Nasser Bourita"), ("NORP", "Emirati"),
        ("PERSON", "Abdullah bin Zayed Al Nahyan"), ("EVENT", "the Negev Summit"), ("GPE", "Israel"),
        ("GPE", "Kibbutz Sde Boke"),
        ("CARDINAL", "two"), ("PERSON", "Blinken"), ("CARDINAL", "two"), ("GPE", "Morocco"),
        ("GPE", "Western Sahara"), ("PERSON", "Blinken"), ("GPE", "Morocco"), ("ORG", "the US Department of State"),
        ("PERSON", "Blinken"), ("NORP", "Moroccan"),
        ("PERSON", "Blinken"), ("PERSON", "Nasser Bourita"), ("NORP", "Moroccan"), ("GPE", "Rabat"),
        ("GPE", "Western Sahara"), ("GPE", "Israel"),
        ("PERSON", "Blinken"), ("GPE", "Morocco"),
        ("LOC", "Americas"), ("PERSON", "José Antonio Sierra"),
    ],
    "001": [
        ("PERSON", "Blinken"), ("GPE", "Washington"), ("GPE", "Morocco"),
        ("PERSON", "Blinken"), ("GPE", "Washington"), ("GPE", "Morocco"),
        ("GPE", "US"), ("PERSON", "Antony Blinken"), ("DATE", "this Monday"), ("GPE", "Washington"),
        ("GPE", "Morocco"),
        ("PERSON", "Blinken"), ("NORP", "Moroccan"), ("PERSON", "Nasser Bourita"), ("ORG", "the State Department"),
        ("DATE", "Tuesday"),
        ("GPE", "Morocco"), ("GPE", "Israel"), ("GPE", "US"), ("NORP", "Americans"), ("GPE", "Rabat"),
        ("GPE", "Tel Aviv"),
        ("PERSON", "Bourita"), ("GPE", "Washington"), ("GPE", "Sahara"),
        ("ORG", "the United Nations"), ("GPE", "Western Sahara"), ("PERSON", "Staffan de Mistura"),
        ("GPE", "US"), ("PERSON", "De Mistura"), ("ORG", "UN"), ("GPE", "Sahara"),
        ("PERSON", "De Mistura"), ("DATE", "last October 6"), ("PERSON", "Blinken"), ("GPE", "US"),
        ("PERSON", "De Mistura"), ("GPE", "Algeria"), ("GPE", "Mauritania"), ("GPE", "Morocco"),
        ("ORG", "the Polisario Front"), ("DATE", "years"),
        ("GPE", "US"), ("GPE", "Morocco"), ("GPE", "Sahara"), ("PERSON", "Trump"), ("GPE", "Morocco"),
        ("GPE", "Sahara"), ("DATE", "December 2020"), ("LAW", "Tripartite Joint Declaration"),
        ("GPE", "the United States"), ("GPE", "Morocco"), ("GPE", "Israel"),
        ("PERSON", "Bourita"), ("NORP", "Moroccan"), ("GPE", "US"),
        ("CARDINAL", "two"),
        ("GPE", "Libya"), ("LOC", "Africa"), ("PERSON", "Mohammed VI"), ("PERSON", "Bourita"),
        ("PERSON", "Blinken"), ("PERSON", "Bourita"), ("DATE", "January"), ("CARDINAL", "two"), ("DATE", "June 28"),
        ("GPE", "Rome"), ("ORG", "Daesh"),
        ("DATE", "Monday"), ("PERSON", "Blinken"), ("PERSON", "Bourita"), ("GPE", "Morocco"), ("NORP", "Israeli"),
        ("PERSON", "Benny Gantz"), ("DATE", "a few days"), ("NORP", "Moroccan"), ("GPE", "Israel"),
    ],
    "002": [
        ("PERSON", "Blinken"), ("GPE", "Rabat"), ("ORG", "Daesh"),
        ("ORG", "AP"), ("PERSON", "EVAN VUCCI"), ("PERSON", "Antony Blinken"),
        ("GPE", "Morocco"), ("GPE", "the United States"), ("GPE", "US"), ("PERSON", "Anthony Blinken"),
        ("ORG", "Twitter"), ("GPE", "Rabat"), ("DATE", "next May"), ("ORG", "the Global Coalition"), ("ORG", "Daesh"),
        ("DATE", "2014"), ("CARDINAL", "more than 80"), ("ORG", "Daesh"),
        ("PERSON", "Blinken"), ("ORG", "Daesh"),
        ("DATE", "annual"), ("DATE", "last year"), ("NORP", "Moroccan"), ("PERSON", "Nasser Bourita"),
        ("ORG", "Daesh"), ("GPE", "Iraq"), ("GPE", "Syria"), ("LOC", "Africa"),
        ("ORG", "AFP"), ("PERSON", "DELIL SOULEIMAN"), ("GPE", "US"), ("GPE", "Al-Hasakah"), ("GPE", "Syria"),
        ("ORG", "Daesh"),
        ("ORG", "Daesh"), ("GPE", "Syria"), ("GPE", "Iraq"), ("DATE", "last February"), ("ORG", "the Global Coalition"),
        ("ORG", "ISIS"), ("GPE", "Syria"), ("ORG", "Daesh"), ("ORG", "ISIS"),
        ("DATE", "last January"), ("ORG", "Daesh"), ("FAC", "Al-Sina'a"), ("NORP", "Syrian"), ("GPE", "Al-Hasakah"),
        ("GPE", "Syria"), ("CARDINAL", "3,500"), ("NORP", "Syrian"), ("NORP", "Kurdish"), ("NORP", "Arab"),
        ("ORG", "the Syrian Democratic Forces"), ("ORG", "SDF"),
        ("DATE", "a week"), ("ORG", "SDF"), ("ORG", "the Syrian Observatory for Human Rights"), ("CARDINAL", "159"),
        ("ORG", "Daesh"), ("ORG", "SDF"),
        ("CARDINAL", "three"), ("FAC", "Al-Sina'a"), ("NORP", "Iraqi"), ("GPE", "Diyala"), ("CARDINAL", "11"),
        ("ORG", "SDF"), ("ORG", "Daesh"), ("NORP", "Syrian"),
        ("GPE", "al-Baghuz"), ("ORG", "Daesh"), ("GPE", "Syria"), ("GPE", "Washington"), ("GPE", "Moscow"),
        ("ORG", "Daesh"), ("GPE", "US"), ("ORG", "SDF"), ("GPE", "US"), ("PERSON", "Donald Trump"),
        ("GPE", "Turkey"), ("NORP", "Kurdish"), ("GPE", "Afrin"),
        ("ORG", "AFP"), ("ORG", "AGENCIA DE NOTICIAS AAMAQ"), ("ORG", "Daesh"), ("GPE", "Niger"), ("ORG", "daesh"),
        ("DATE", "16 May 2019"), ("GPE", "Niger"), ("CARDINAL", "at least 28"),
        ("FAC", "Al-Hol"), ("FAC", "Al-Roj"), ("CARDINAL", "50"), ("NORP", "Kurds"),
        ("ORG", "Daesh"), ("PERSON", "Abu al-Hassan al-Hashimi al-Qurashi"),
        ("PERSON", "Ibrahim al-Hashimi al-Qurayshi"), ("DATE", "4 February"), ("GPE", "US"),
        ("GPE", "Iraq"), ("GPE", "Syria"), ("DATE", "years"), ("LOC", "Europe"), ("LOC", "Sahel"),
        ("GPE", "the United States"), ("GPE", "Afghanistan"),
    ],
    "003": [
        ("ORG", "Oxford Analytica"), ("GPE", "Maroc"), ("GPE", "Algérie"), ("GPE", "Rabat"),
        ("GPE", "Maroc"),
        ("GPE", "Algésiras"), ("GPE", "Tarifa"), ("GPE", "Tanger"),
        ("GPE", "Maroc"), ("ORG", "MERCOSUR"),
        ("NORP", "russe"), ("ORG", "Kamaz"), ("GPE", "Maroc"),
        ("ORG", "Epson"),
        ("PERSON", "Moncef Belkhayat"), ("ORG", "Dislog Group"), ("ORG", "Venezia Ice"),
        ("GPE", "Niger"), ("GPE", "Niamey"),
        ("NORP", "italienne"), ("GPE", "Washington"),
        ("GPE", "Etats-Unis"), ("NORP", "musulmans"), ("NORP", "arabes"), ("DATE", "1996"),
        ("ORG", "CAF"), ("ORG", "Comex"), ("DATE", "mercredi"),
        ("DATE", "cette semaine"),
        ("DATE", "mercredi 12 mars 2025"),
        ("GPE", "Tanger"),
        ("EVENT", "journée mondiale du théâtre"),
        ("GPE", "El Jadida"), ("PERSON", "Kabour"), ("GPE", "Ouled Hamdane"),
        ("WORK_OF_ART", "Basmat al-Tourath"), ("GPE", "Maroc"),
        ("PERSON", "Brahim Diaz"), ("MISC", "Orange Koora Talents"),
        ("ORG", "UA"), ("ORG", "UE"), ("LOC", "Afrique"),
        ("PERSON", "Darmanin"), ("NORP", "marocains"), ("GPE", "France"),
        ("GPE", "Mauritanie"), ("EVENT", "Journée nationale de la diversité culturelle"),
        ("GPE", "Canada"), ("GPE", "Ontario"), ("GPE", "Etats-Unis"),
        ("GPE", "Suède"), ("GPE", "Maroc"), ("GPE", "Stockholm"),
        ("ORG", "Liverpool"), ("ORG", "PSG"), ("ORG", "Barça"), ("ORG", "Benfica"), ("DATE", "ce mardi"),
        ("GPE", "Maroc"), ("GPE", "Espagne"), ("GPE", "Al Hoceima"), ("DATE", "1925"),
        ("GPE", "Maroc"),
        ("PERSON", "Brahim Diaz"), ("ORG", "Orange Morocco"), ("MISC", "Orange Koora Talents"),
        ("GPE", "Marruecos"),
        ("EVENT", "Iftar Ramadan 1446-2025"), ("ORG", "Garde Royale"), ("CARDINAL", "5.000"),
        ("DATE", "quotidiennement"),
        ("GPE", "Tanger"), ("PERSON", "Redouane Kastit"),
        ("ORG", "Raja"), ("ORG", "CODM"), ("GPE", "Meknès"),
        ("ORG", "SIPRI"), ("GPE", "Maroc"), ("PERCENT", "-26%"), ("GPE", "Algérie"), ("PERCENT", "-73%"),
        # "Morocco's dams": the French tokenizer keeps "Morocco's" whole; nothing to select but the token
        ("DATE", "ce mardi 11 mars 2025"),
        ("ORG", "PI"), ("PERSON", "Mohamed El Hafid"), ("DATE", "deux ans"),
        ("ORG", "Commune de Casablanca"), ("FAC", "Complexe Mohammed V"),
        ("EVENT", "Mondial-2026"), ("PERSON", "Walid Regragui"), ("DATE", "vendredi"), ("GPE", "Salé"),
        ("LOC", "Amérique latine"), ("NORP", "nord-africaines"), ("NORP", "arabes"), ("LOC", "Al-Andalus"),
        ("NORP", "marocaine"),
        ("MISC", "Orange Koora Talents"), ("PERSON", "Brahim Diaz"),
        ("GPE", "Maroc"), ("GPE", "France"), ("CARDINAL", "neuf"), ("NORP", "marocaines"),
        ("NORP", "Marocains"),
        ("ORDINAL", "39ème"), ("EVENT", "grand prix Hassan II"), ("GPE", "Marrakech"), ("DATE", "31 mars au 6 avril"),
        ("GPE", "Dubaï"), ("PERSON", "Hicham Lahlou"), ("PERSON", "Cheick Diallo"),
        ("GPE", "Maroc"), ("GPE", "France"),
        ("PERSON", "Trump"), ("PERSON", "Duke Buchan III"), ("GPE", "Maroc"),
        ("GPE", "Casablanca"), ("EVENT", "Nocturnes du Patrimoine"), ("DATE", "13 au 15 mars"),
        ("PERSON", "Antony Blinken"), ("GPE", "Maroc"),
        ("ORG", "Maroc Diplomatique"), ("DATE", "20 - 04 - 2022"),
        ("NORP", "américain"), ("PERSON", "Antony Blinken"), ("GPE", "Maroc"), ("DATE", "quelques semaines"),
        ("PERSON", "Blinken"), ("GPE", "Maroc"), ("DATE", "quelques jours"),
        ("GPE", "Maroc"), ("DATE", "mars"), ("NORP", "américain"), ("PERSON", "Nasser Bourita"), ("GPE", "Marrakech"),
        ("LOC", "Sahel"),
        ("ORG", "Le360"), ("PERSON", "Antony Blinken"), ("GPE", "Maroc"), ("DATE", "11 mai 2022"),
        ("GPE", "Marrakech"), ("PERSON", "Nasser Bourita"), ("PERSON", "Antony Blinken"), ("GPE", "Rabat"),
        ("DATE", "28 au 30 mars 2022"), ("ORG", "Département d'Etat"), ("NORP", "américain"), ("PERSON", "Blinken"),
        ("NORP", "marocaine"), ("GPE", "Sahara"), ("PERSON", "Blinken"),
        ("NORP", "américain"), ("PERSON", "Antony Blinken"), ("PERSON", "Nasser Bourita"), ("CARDINAL", "environ 80"),
        ("ORG", "Le360"),
        ("GPE", "Etats-Unis"), ("GPE", "Maroc"),
        ("LOC", "Afrique du Nord"),
        ("ORG", "Daech"), ("DATE", "2014"), ("CARDINAL", "Plus de 80"),
        ("ORG", "Daech"),
        ("GPE", "Allemagne"),
        ("GPE", "Allemagne"), ("GPE", "République fédérale"), ("ORDINAL", "première"), ("PERSON", "Annalena Baerbock"),
        ("GPE", "Maroc"), ("ORDINAL", "première"), ("DATE", "l'an dernier"), ("DATE", "2021"), ("DATE", "début 2022"),
    ],
    "004": [
        ("GPE", "Morocco"), ("DATE", "May 11th, 2022"), ("ORG", "the Global Coalition"), ("ORG", "ISIS"),
        ("NORP", "African"), ("NORP", "Moroccan"), ("PERSON", "Nasser Bourita"), ("GPE", "U.S."),
        ("PERSON", "Antony Blinken"),
        ("GPE", "Marrakech"), ("ORG", "Daesh"), ("NORP", "African"), ("LOC", "the Middle East"),
        ("ORG", "Daesh"),
        ("DATE", "Just a few months ago"), ("ORG", "the Africa Focus Group"), ("GPE", "Marrakech"), ("LOC", "Africa"),
        ("ORG", "Africa Focus Group"), ("GPE", "Morocco"), ("LOC", "Africa"),
        ("GPE", "Morocco"), ("ORG", "the Global Counterterrorism Forum"), ("CARDINAL", "three"),
        ("ORG", "the United Nations Office for Counterterrorism and Training in Africa"), ("DATE", "June 2018"),
        ("ORG", "the Global Coalition"), ("ORG", "Daesh"), ("LOC", "Africa"),
        ("GPE", "Morocco"), ("PERSON", "Mohammed VI"), ("NORP", "African"),
        ("ORG", "The Global Coalition"), ("ORG", "ISIS"), ("DATE", "September 2014"), ("ORG", "Daesh"),
        ("CARDINAL", "84"),
    ],
}


def seed_path(key: str) -> Path:
    (path,) = SEEDS.glob(f"{key}_*.txt")
    return path


def seed_text(key: str) -> str:
    return seed_path(key).read_text(encoding="utf-8")


def gold_spans(key: str, text: str | None = None) -> list[SpanData]:
    """The gold of seed ``key`` ("000".."004") as character offsets into its text."""
    text = seed_text(key) if text is None else text
    out: list[SpanData] = []
    cursor = 0
    for label, surface in GOLD[key]:
        pattern = re.compile(r"(?<![\w])" + re.escape(surface) + r"(?![\w])")
        match = pattern.search(text, cursor)
        if match is None:
            raise ValueError(f"seed {key}: {label} {surface!r} not found after offset {cursor}")
        out.append(SpanData(match.start(), match.end(), label))
        cursor = match.end()
    return out


def correct_to_gold(store: Store, document_id: int, gold: list[SpanData], user: str = "alice") -> dict[str, int]:
    """Do what an analyst does in the app until the document shows ``gold``: relabel suggestions in the
    right place with the wrong label, dismiss the others that are wrong, draw what is missing, then
    accept (which confirms the suggestions left). Returns how many edits of each kind it took."""
    wanted = {(g.start, g.end): g.label for g in gold}
    view = store.view(document_id, user)
    edits = {"relabel": 0, "dismiss": 0, "draw": 0}
    for s in view.suggestions:
        label = wanted.get((s.start, s.end))
        if label == s.label:
            continue
        if label is not None:
            store.relabel_span(s.id, label, user)
            edits["relabel"] += 1
        else:
            store.delete_span(s.id, user)
            edits["dismiss"] += 1
    view = store.view(document_id, user)
    shown = {(s.start, s.end) for s in view.entities}
    for g in gold:
        if (g.start, g.end) not in shown:
            store.add_span(document_id, g.start, g.end, g.label, user)
            edits["draw"] += 1
    store.set_status(document_id, DocumentStatus.ACCEPTED, user)
    final = store.view(document_id, user)
    assert sorted((s.start, s.end, s.label) for s in final.entities) == sorted((g.start, g.end, g.label) for g in gold)
    return edits


def seeded_store(path: Path, keys: list[str], pipelines: Pipelines) -> dict[str, int]:
    """A store at ``path`` holding seeds ``keys`` imported and pre-annotated; returns seed key -> id."""
    from annotator.io.importer import import_paths
    from annotator.nlp.preannotate import preannotate

    store = Store.open(str(path))
    try:
        import_paths(store, [seed_path(k) for k in keys])
        preannotate(store, pipelines)
        return {d.source[:3]: d.id for d in store.list_documents()}
    finally:
        store.close()

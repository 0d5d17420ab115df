"""Language identification: py3langid (annotator.io.language) against the stopword counter it
replaced (English vs French only), measured in the same run on short news-like sentences written for
this benchmark, in 12 languages. Prints accuracy per language, time per document for both, the time
to load the model, and the size of the installed package.

With ``--long``: articles of 5-300 of each language's sentences (20 per
language, seeded) and the five seed articles, identified from the sample the importer reads
(``annotator.io.language.sample``: up to 2,000 characters, start and middle) and from the first 5,000
characters as before: how many answers differ, how many are wrong, and the time per article of each.

    python benchmarks/language.py [--repeat 5] [--long]
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from importlib import metadata

from annotator.io.language import _loaded, identify

SAMPLES: dict[str, list[str]] = {
    "en": ["The minister arrived in Rabat on Monday for two days of talks on trade and migration.",
           "Shares in the carmaker fell 4% after it cut its forecast for the year.",
           "Police said three people were injured when a bus overturned near Leeds.",
           "The central bank left interest rates unchanged, citing slowing inflation.",
           "Floods have forced thousands from their homes across the south of the country.",
           "Apple unveiled a new phone at an event in Cupertino."],
    "fr": ["Le président est arrivé lundi à Rabat pour deux jours d'entretiens sur le commerce.",
           "L'action du constructeur a chuté de 4 % après la révision de ses prévisions annuelles.",
           "Trois personnes ont été blessées lorsqu'un bus s'est renversé près de Lyon, selon la police.",
           "La Banque centrale européenne a maintenu ses taux directeurs inchangés jeudi.",
           "Des inondations ont contraint des milliers d'habitants à quitter leur domicile.",
           "Le gouvernement prépare une nouvelle réforme des retraites."],
    "es": ["El ministro llegó el lunes a Rabat para dos días de conversaciones sobre comercio y migración.",
           "Las acciones del fabricante cayeron un 4 % después de que rebajara su previsión anual.",
           "La policía informó de que tres personas resultaron heridas al volcar un autobús cerca de Sevilla.",
           "El Banco Central Europeo mantuvo los tipos de interés sin cambios este jueves.",
           "Las inundaciones han obligado a miles de vecinos a abandonar sus casas en el sur del país.",
           "El Gobierno aprobó ayer la nueva ley de vivienda."],
    "it": ["Il ministro è arrivato lunedì a Rabat per due giorni di colloqui su commercio e migrazione.",
           "Le azioni della casa automobilistica sono scese del 4% dopo il taglio delle previsioni annuali.",
           "Secondo la polizia, tre persone sono rimaste ferite quando un autobus si è ribaltato vicino a Torino.",
           "La Banca centrale europea ha lasciato invariati i tassi di interesse giovedì.",
           "Le alluvioni hanno costretto migliaia di persone a lasciare le loro case nel sud del paese.",
           "Il governo ha approvato ieri la nuova legge di bilancio."],
    "pt": ["O ministro chegou na segunda-feira a Rabat para dois dias de conversações sobre comércio e migração.",
           "As ações da fabricante caíram 4% depois de a empresa reduzir a previsão para o ano.",
           "Segundo a polícia, três pessoas ficaram feridas quando um ônibus capotou perto de Campinas.",
           "O Banco Central manteve a taxa de juros inalterada nesta quinta-feira.",
           "As enchentes obrigaram milhares de moradores a deixar suas casas no sul do país.",
           "O governo aprovou ontem a nova lei do orçamento."],
    "de": ["Der Minister ist am Montag zu zweitägigen Gesprächen über Handel und Migration in Rabat eingetroffen.",
           "Die Aktie des Autobauers fiel um vier Prozent, nachdem das Unternehmen seine Jahresprognose gesenkt hatte.",
           "Nach Angaben der Polizei wurden drei Menschen verletzt, als ein Bus bei Köln umkippte.",
           "Die Europäische Zentralbank hat den Leitzins am Donnerstag unverändert gelassen.",
           "Überschwemmungen haben Tausende Menschen im Süden des Landes aus ihren Häusern vertrieben.",
           "Die Regierung hat gestern den neuen Haushalt beschlossen."],
    "nl": ["De minister is maandag in Rabat aangekomen voor twee dagen overleg over handel en migratie.",
           "Het aandeel van de autofabrikant daalde met 4 procent nadat het bedrijf zijn jaarprognose verlaagde.",
           "Volgens de politie raakten drie mensen gewond toen een bus bij Utrecht kantelde.",
           "De regering heeft gisteren de nieuwe begroting goedgekeurd."],
    "zh": ["外交部长周一抵达拉巴特，就贸易和移民问题进行为期两天的会谈。",
           "该汽车制造商下调全年预测后，其股价下跌了百分之四。",
           "警方称，一辆公共汽车在广州附近翻车，造成三人受伤。",
           "欧洲中央银行周四宣布维持利率不变。",
           "洪水迫使该国南部数千名居民离开家园。",
           "政府昨天批准了新的预算法案。"],
    "ru": ["Министр прибыл в Рабат в понедельник для двухдневных переговоров о торговле и миграции.",
           "Акции автопроизводителя упали на 4% после снижения годового прогноза.",
           "По данным полиции, три человека пострадали, когда автобус перевернулся под Казанью.",
           "Правительство вчера утвердило новый бюджет."],
    "ja": ["外務大臣は月曜日、貿易と移民に関する二日間の協議のためラバトに到着した。",
           "自動車メーカーの株価は、通期予想の引き下げを受けて4%下落した。",
           "警察によると、バスが横転し、3人がけがをした。",
           "政府は昨日、新しい予算案を承認した。"],
    "ar": ["وصل الوزير إلى الرباط يوم الاثنين لإجراء محادثات تستمر يومين حول التجارة والهجرة.",
           "قالت الشرطة إن ثلاثة أشخاص أصيبوا عندما انقلبت حافلة قرب الدار البيضاء.",
           "وافقت الحكومة أمس على الميزانية الجديدة."],
    "pl": ["Minister przybył w poniedziałek do Rabatu na dwudniowe rozmowy o handlu i migracji.",
           "Według policji trzy osoby zostały ranne, gdy autobus przewrócił się pod Krakowem.",
           "Rząd zatwierdził wczoraj nowy budżet."],
}

# The baseline: the stopword counter annotator.core.language used until this change, verbatim.
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_STOPWORDS = {
    "en": frozenset("the of and to in is that for on with as was by at it from be this are have has an which "
                    "will not or but his her their they he she we its were been also after who said would".split()),
    "fr": frozenset("le la les des du de un une et est en que qui dans pour sur par au aux avec ce cette il elle "
                    "ils sont ont pas plus son sa ses leur été entre selon mais où comme".split()),
}


def stopword_counter(text: str, default: str = "en") -> str:
    words = Counter(w.lower() for w in _WORD.findall(text[:20000]))
    scores = {lang: sum(words[w] for w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] else default


def measure(name: str, detect: Callable[[str], str | None], repeat: int) -> None:
    texts = [(lang, t) for lang, ts in SAMPLES.items() for t in ts]
    right: Counter[str] = Counter()
    wrong = []
    for lang, text in texts:
        got = detect(text)
        right[lang] += got == lang
        if got != lang:
            wrong.append(f"{lang}→{got}")
    start = time.perf_counter()
    for _ in range(repeat):
        for _, text in texts:
            detect(text)
    per_doc = (time.perf_counter() - start) / (repeat * len(texts))
    total = sum(right.values())
    print(f"{name:18} {total}/{len(texts)} right, {per_doc * 1e6:7.0f} µs per document")
    print("   " + "  ".join(f"{lang} {right[lang]}/{len(ts)}" for lang, ts in SAMPLES.items()))
    if wrong:
        print(f"   wrong: {', '.join(sorted(set(wrong)))}")


def long_articles(repeat: int) -> None:
    """The importer's sample against the first 5,000 characters, on long articles (``--long``)."""
    from pathlib import Path

    from annotator.io import language

    rng = random.Random(1)
    texts = [(lang, " ".join(rng.choice(sentences) for _ in range(rng.randint(5, 300))))
             for lang, sentences in SAMPLES.items() for _ in range(20)]
    seeds = Path(__file__).resolve().parents[1] / "seeds"
    texts += [("?", path.read_text(encoding="utf-8")) for path in sorted(seeds.glob("*.txt"))]
    answers = {}
    for name, sample in (("first 5,000 characters", lambda text: text[:5_000]), ("importer's sample", language.sample)):
        language.sample = sample  # what identify_many reads
        start = time.perf_counter()
        for _ in range(repeat):
            found = language.identify_many([text for _, text in texts])
        per_doc = (time.perf_counter() - start) / (repeat * len(texts))
        wrong = sum(1 for (lang, _), got in zip(texts, found, strict=True) if lang != "?" and got != lang)
        answers[name] = found
        print(f"{name:24} {len(texts)} articles ({min(len(t) for _, t in texts):,}-{max(len(t) for _, t in texts):,}"
              f" characters): {wrong} wrong, {per_doc * 1e6:7.0f} µs per article")
    first, ours = answers.values()
    print(f"answers that differ: {sum(a != b for a, b in zip(first, ours, strict=True))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--long", action="store_true", help="long articles: the importer's sample vs 5,000 characters")
    args = parser.parse_args()
    if args.long:
        _loaded()
        long_articles(args.repeat)
        return
    start = time.perf_counter()
    _loaded()
    print(f"py3langid model loaded in {time.perf_counter() - start:.2f} s (once per process)")
    files = metadata.files("py3langid") or []
    size = sum(f.size or 0 for f in files)
    print(f"py3langid {metadata.version('py3langid')} installed: {size / 1e6:.1f} MB")
    measure("stopword counter", stopword_counter, args.repeat)
    measure("py3langid", identify, args.repeat)
    long = " ".join(SAMPLES["fr"]) * 200
    for name, detect in (("stopword counter", stopword_counter), ("py3langid", identify)):
        start = time.perf_counter()
        for _ in range(args.repeat):
            detect(long)
        print(f"{name:18} {len(long):,}-character article: "
              f"{(time.perf_counter() - start) / args.repeat * 1e3:.1f} ms")


if __name__ == "__main__":
    main()

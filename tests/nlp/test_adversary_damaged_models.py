"""A model the user names (``preannotate --model``, ``evaluate --model``, ``train --base``) whose folder
is damaged: a weights file missing or truncated, its config gone (adversary pass). Before, the failure
was a log line and the command went on with a blank pipeline, exit 0: "pre-annotated 0 documents ...
no NER pipeline for 'en'", "after: F 0.000" for a model that was never loaded, a "fine-tuned" model
trained from nothing. Now the command stops before any work with one message naming the folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import spacy

from annotator.cli import main
from annotator.core.document import DocumentStatus, NewDocument
from annotator.core.span import SpanData
from annotator.store import Store


@pytest.fixture(scope="module")
def good_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    nlp = spacy.blank("en")
    nlp.add_pipe("ner").add_label("GPE")  # type: ignore[attr-defined]
    nlp.initialize()
    nlp.meta.update(name="tiny", version="1.0.0")
    folder = tmp_path_factory.mktemp("models") / "tiny"
    nlp.to_disk(folder)
    return folder


def missing_weights(folder: Path) -> None:
    (folder / "ner" / "model").unlink()


def truncated_weights(folder: Path) -> None:
    weights = folder / "ner" / "model"
    weights.write_bytes(weights.read_bytes()[:200])


def missing_config(folder: Path) -> None:
    (folder / "config.cfg").unlink()


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "missing weights": (missing_weights, "ner/model"),
    "truncated weights": (truncated_weights, ""),
    "missing config": (missing_config, "config.cfg"),
}


def damaged(good: Path, tmp_path: Path, how: str) -> Path:
    folder = tmp_path / "damaged-model"
    shutil.copytree(good, folder)
    DAMAGE[how][0](folder)
    return folder


def one_error(capsys: pytest.CaptureFixture[str], folder: Path, names: str) -> str:
    out, err = capsys.readouterr()  # progress lines (train's "loading ...") may come first
    last = err.rstrip("\n").rsplit("\n", 1)[-1]
    assert last.startswith(f"annotator: error: cannot load the model {folder}") and names in last, err
    assert err.count("annotator: error") == 1 and "Traceback" not in err
    return out


def accepted_store(db: Path) -> Store:
    store = Store.open(str(db))
    text = "Rabat is the capital of Morocco. Bourita lives in Rabat. Tanger is in the north."
    store.import_documents([(NewDocument(f"Dispatch {i}. {text}", f"d{i}.txt", "en", DocumentStatus.ACCEPTED),
                             [SpanData(text.index("Rabat") + 12 + len(str(i)), text.index("Rabat") + 17 +
                                       len(str(i)), "GPE")]) for i in range(6)], author="tester")
    return store


@pytest.mark.parametrize("how", list(DAMAGE))
def test_preannotate_with_a_damaged_model_stops_before_any_work(how: str, good_model: Path, db_path: Path,
                                                                tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(str(db_path))
    store.import_documents([(NewDocument("Rabat is the capital of Morocco.", "a.txt", "en"), [])])
    folder = damaged(good_model, tmp_path, how)
    assert main(["--db", str(db_path), "preannotate", "--model", str(folder), "--processes", "1"]) == 1
    assert "pre-annotated" not in one_error(capsys, folder, DAMAGE[how][1])
    assert store.list_documents()[0].status is DocumentStatus.NEW
    store.close()


def test_preannotate_with_an_intact_model_folder_uses_it(good_model: Path, db_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    Store.open(str(db_path)).import_documents([(NewDocument("Rabat is the capital of Morocco.", "a.txt", "en"), [])])
    assert main(["--db", str(db_path), "preannotate", "--model", str(good_model), "--processes", "1"]) == 0
    assert "tiny@1.0.0: 1 document" in capsys.readouterr().out


def test_evaluate_with_a_damaged_model_is_refused_not_scored_zero(good_model: Path, db_path: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    accepted_store(db_path).close()
    folder = damaged(good_model, tmp_path, "missing weights")
    assert main(["--db", str(db_path), "evaluate", "--language", "en", "--split", "all", "--model", str(folder)]) == 1
    assert "F 0.000" not in one_error(capsys, folder, "ner/model")


def test_fine_tuning_a_damaged_base_is_refused_and_leaves_no_model(good_model: Path, db_path: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    accepted_store(db_path).close()
    folder = damaged(good_model, tmp_path, "missing weights")
    output = tmp_path / "trained"
    assert main(["--db", str(db_path), "train", "--language", "en", "--base", str(folder), "--output",
                 str(output)]) == 1
    one_error(capsys, folder, "ner/model")
    assert not output.exists() or not any(output.iterdir())

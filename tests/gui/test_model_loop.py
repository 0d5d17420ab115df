"""Model menu: train in the background (per-epoch progress, Cancel), evaluate, suggest with the new model."""

from __future__ import annotations

from annotator.nlp.pipelines import base_pipeline
from annotator.nlp.train import TrainSettings
from tests.corrections import accept_english_corrected as accept_english
from tests.gui.conftest import settle


def test_train_evaluate_and_use_the_new_model(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    accept_english(seeded_store)
    window = make_window(seeded_store)
    window.set_quiet()
    english = next(d.id for d in seeded_store.list_documents() if d.language == "en")
    window.open_document(english)
    settle(qtbot, window)
    assert "model vs you:" in window.editor.info.text() and "wrong label" in window.editor.info.text()
    messages: list[str] = []
    assert window.models.start_training(TrainSettings(max_epochs=3, patience=2))
    window.job.signals.progress.connect(lambda d, t, m: messages.append(m))
    qtbot.waitUntil(lambda: window.job is None, timeout=180_000)
    settle(qtbot, window)
    assert any(m.startswith("epoch 1:") for m in messages)
    report = window.models.last_training
    assert report is not None and seeded_store.trained_models("en")[0].path == report.model.path
    assert f"('en', from {base_pipeline('en')}): cross-validated F" in window.statusBar().currentMessage()
    assert window.models.start_evaluation()
    qtbot.waitUntil(lambda: window.job is None, timeout=180_000)
    settle(qtbot, window)
    result = window.models.last_evaluation
    before, after = result.before, result.after
    assert after.documents >= 1
    # the taught correction ("Blinken" is a PERSON) shows on the held-out article
    assert after.per_label["PERSON"].recall > before.per_label["PERSON"].recall
    window.models.use_latest_model()
    settle(qtbot, window)  # the choice is saved on the database worker, then the re-run starts
    assert window.job is not None and window.job.title == "suggesting entities"
    qtbot.waitUntil(lambda: window.job is None, timeout=180_000)
    settle(qtbot, window)
    fr = next(d.id for d in seeded_store.list_documents() if d.language == "fr")
    assert seeded_store.suggestion_models() == {"en": report.model.path}
    assert seeded_store.document(fr).suggested_by.startswith("fr_core_news_sm")  # other language untouched
    # Ctrl+T again: the trained model suggests now, but training starts from the configured base, as
    # `annotator train` does (never from the suggestion model), and says so.
    assert window.actions_by_name["start_training"].text() == "Train the 'en' model on accepted corrections"
    assert window.models.start_training(TrainSettings(epochs=1, folds=2, rehearsal=0))
    qtbot.waitUntil(lambda: window.job is None, timeout=180_000)
    settle(qtbot, window)
    assert f"('en', from {base_pipeline('en')})" in window.statusBar().currentMessage()
    assert window.models.last_training.model.base == base_pipeline("en") != report.model.path


def test_training_can_be_cancelled_from_the_status_bar(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    accept_english(seeded_store)
    window = make_window(seeded_store)
    window.set_quiet()
    assert window.models.start_training(TrainSettings(max_epochs=50, patience=50))
    job = window.job
    with qtbot.waitSignal(job.signals.progress, timeout=120_000,
                          check_params_cb=lambda d, t, m: m.startswith("epoch 1")):
        pass
    with qtbot.waitSignal(job.signals.cancelled, timeout=120_000):
        window.jobs.cancel_button.click()
    qtbot.waitUntil(lambda: window.job is None)
    settle(qtbot, window)
    assert seeded_store.trained_models() == []
    # It says what Cancel left (it said only "...: cancelled": was a half model kept? in use?)
    assert window.statusBar().currentMessage() == (
        "training the 'en' model: cancelled; no model was saved; the current one still suggests")

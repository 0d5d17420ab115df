"""Learning in the background (issue 12): after K accepted articles a model is trained off the GUI
thread and the unfinished articles are re-suggested with it; the open article changes by itself, the
analyst's edits made meanwhile all land; rollback makes an older model (or the base) current again
and the suggestions follow."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from annotator.core.span import SpanData
from annotator.nlp.train import TrainSettings
from tests.gui.conftest import settle

TINY = TrainSettings(max_epochs=2, patience=1, folds=2, rehearsal=0)


def test_k_accepts_train_in_the_background_and_refresh_the_open_article(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store, pipelines, tmp_path: Path) -> None:
    store = seeded_store
    window = make_window(store)
    window.set_quiet()
    learning = window.learning
    learning.every, learning.settings, learning.output, learning.base_pipelines = 2, TINY, tmp_path, pipelines
    by_source = {Path(d.source).name[:3]: d.id for d in store.list_documents()}
    unfinished = by_source["001"]
    base_author = store.document(unfinished).suggested_by
    assert base_author is not None and base_author.startswith("en_core_web_sm")

    for source in ("000", "002"):  # accept two articles the way the analyst does: Ctrl+Return
        window.open_document(by_source[source])
        settle(qtbot, window)
        window.actions_by_name["accept_document"].trigger()
        settle(qtbot, window)
    window.open_document(unfinished)
    settle(qtbot, window)
    qtbot.waitUntil(lambda: learning.running is not None and learning.running.stage == "training", timeout=30_000)

    # Edits while the model trains: dismiss three suggestions with the keys, add an entity.
    dismissed = []
    for _ in range(3):
        window.editor.on_command("next-suggestion", "")
        settle(qtbot, window)
        span = window.article.selected_span
        dismissed.append(SpanData(span.start, span.end, span.label))
        window.editor.on_command("delete", "")
    text = window.view.text
    start = text.index("Washington")
    window.ops.step(lambda: window.editor.run_edit(window.session.add_entity(start, start + len("Washington"),
                                                                               "ORG")))
    settle(qtbot, window)
    assert learning.running is not None  # all of it happened during the background run
    bar = window.article.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    place = bar.value()
    refreshed: list[int] = []
    learning.suggestionsRefreshed.connect(refreshed.append)
    assert (window.article.selected_span.start, window.article.selected_span.label) == (start, "ORG")

    # No action: the open article shows the new model's suggestions once they land.
    qtbot.waitUntil(lambda: learning.idle() and window.view.info.suggested_by != base_author, timeout=120_000)
    settle(qtbot, window)
    (model,) = store.trained_models("en")
    assert store.suggestion_models() == {"en": model.path}
    assert window.view.info.suggested_by == store.document(unfinished).suggested_by == model.author
    assert (window.article.selected_span.start, window.article.selected_span.label) == (start, "ORG")
    assert refreshed == [unfinished] and bar.value() == place  # the refresh kept the analyst's place
    assert store.document(by_source["004"]).suggested_by == model.author  # every unfinished article
    assert store.document(by_source["000"]).suggested_by == base_author  # accepted: left alone
    view = store.view(unfinished, "alice")
    assert set(dismissed) <= {SpanData(r.start, r.end, r.label) for r in view.rejections}
    assert SpanData(start, start + len("Washington"), "ORG") in {SpanData(c.start, c.end, c.label)
                                                                 for c in view.confirmed}
    label = window.learning_actions.model_label
    assert label.text().startswith(f"en model {model.version}: F ")  # short: the bar is shared at 1024 wide
    assert f"en model {model.version}: cross-validated F" in label.toolTip() and "2 documents" in label.toolTip()

    # Rollback: the base pipeline, from the model history, then the trained model again.
    window.learning_actions.show_history()
    settle(qtbot, window)
    dialog = window.learning_actions.history
    assert dialog is not None and dialog.table.rowCount() == 1 and dialog.chart.points
    dialog.base_button.click()
    qtbot.waitUntil(lambda: learning.idle() and window.view.info.suggested_by == base_author, timeout=120_000)
    settle(qtbot, window)
    assert "en" not in store.suggestion_models()
    assert store.document(by_source["004"]).suggested_by == base_author
    window.learning_actions.show_history()
    settle(qtbot, window)
    dialog = window.learning_actions.history
    dialog.select_version(model.version)
    dialog.make_current_button.click()
    qtbot.waitUntil(lambda: learning.idle() and window.view.info.suggested_by == model.author, timeout=120_000)
    settle(qtbot, window)
    assert store.suggestion_models() == {"en": model.path}
    assert set(dismissed) <= {SpanData(r.start, r.end, r.label) for r in store.view(unfinished, "alice").rejections}


def test_next_unfinished_can_go_by_the_models_uncertainty(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)
    window.set_quiet()
    order = window.actions_by_name["toggle_uncertainty_order"]
    order.trigger()  # on: remembered in QSettings, ranked in the background
    assert order.isChecked()
    qtbot.waitUntil(window.learning.idle, timeout=60_000)
    settle(qtbot, window)
    scores = window.learning.scores["en"]
    english = [d.id for d in seeded_store.list_documents() if d.language == "en"]
    assert set(scores) == set(english) and list(scores.values()) == sorted(scores.values(), reverse=True)
    ranked = list(scores)
    # the list shows each article's score in its last column (blank where the model has not ranked it)
    from annotator.gui.document_list import UNSURE

    model = window.documents.table_model
    shown = {model.id_at(r): model.index(r, UNSURE).data() for r in range(model.rowCount())}
    assert {doc: text for doc, text in shown.items() if text} == {doc: f"{s:.2f}" for doc, s in scores.items()}
    window.documents.table.sortByColumn(UNSURE, Qt.SortOrder.DescendingOrder)  # not the database's to sort
    qtbot.waitUntil(lambda: "cannot be sorted" in window.statusBar().currentMessage())
    assert window.documents.table.horizontalHeader().sortIndicatorSection() != UNSURE
    window.open_document(ranked[-1])
    settle(qtbot, window)
    window.next_unfinished()
    settle(qtbot, window)
    assert window.view.info.id == ranked[0]  # the most uncertain, not the next one in the list
    label = window.learning_actions.uncertainty_label.text()
    assert label == f"uncertainty {scores[ranked[0]]:.2f} (rank 1 of {len(scores)} unfinished)"
    window.next_unfinished()
    settle(qtbot, window)
    assert window.view.info.id == ranked[1]
    order.trigger()  # off again: corpus order
    assert window.learning_actions.uncertainty_label.text() == ""
    window.open_document(english[0])
    settle(qtbot, window)
    window.next_unfinished()
    settle(qtbot, window)
    assert window.view.info.id == english[1]


def test_rollback_during_training_cancels_it_and_k_is_a_project_setting(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store, pipelines, tmp_path: Path) -> None:
    from annotator.nlp.background import learning_every

    store = seeded_store
    window = make_window(store)
    window.set_quiet()
    window.learning_actions.set_every(2)  # Model → Background learning… (the dialog's answer)
    settle(qtbot, window)
    assert learning_every(store) == 2
    learning = window.learning
    learning.settings = TrainSettings(max_epochs=50, patience=50, folds=2, rehearsal=0)
    learning.output, learning.base_pipelines = tmp_path, pipelines
    english = [d.id for d in store.list_documents() if d.language == "en"]
    for doc_id in english[:2]:
        window.open_document(doc_id)
        settle(qtbot, window)
        window.actions_by_name["accept_document"].trigger()
        settle(qtbot, window)
    qtbot.waitUntil(lambda: learning.running is not None and learning.running.stage == "training", timeout=30_000)
    training = learning.running
    actions = window.learning_actions
    qtbot.waitUntil(lambda: actions.cancel_button.isVisible() and "epoch" in actions.progress_label.text(),
                    timeout=60_000)  # progress in the status bar, with Cancel
    window.learning_actions.make_current("en", None)  # rollback to the base while it trains: it is stale
    qtbot.waitUntil(learning.idle, timeout=60_000)
    settle(qtbot, window)
    assert training.cancelled and store.trained_models() == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("en-ner")] == []  # no half model
    assert "en" not in store.suggestion_models()
    assert window.learning_actions.model_label.text() == "en model: base"
    assert "en model: the base pipeline en_core_web_sm" in window.learning_actions.model_label.toolTip()
    assert not actions.cancel_button.isVisible()

    # Cancel in the status bar stops a run (the next accepts start another).
    learning.accepted("en")
    qtbot.waitUntil(lambda: actions.cancel_button.isVisible() and "epoch" in actions.progress_label.text(),
                    timeout=60_000)
    actions.cancel_button.click()
    qtbot.waitUntil(learning.idle, timeout=60_000)
    assert store.trained_models() == [] and not actions.cancel_button.isVisible()

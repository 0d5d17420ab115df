"""Defects a new user met in a fifth QA pass of the real app under Xvfb at 1024x700 (README's "The app",
"A day with annotator", "The model loop", "Team mode"; other tools' files with HTML in them)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from tests.gui.conftest import settle
from tests.gui.test_flow import CTRL, open_seed_000
from tests.gui.test_qa_pass2 import ENTITIES, STATUS, SUGG, assert_list_fits, at_size


def _bad_label_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad_<b>label.jsonl"
    path.write_text(json.dumps({"text": "Rabat is nice.", "spans": [{"start": 0, "end": 5, "label": "<b>GPE</b>"}]})
                    + "\n", encoding="utf-8")
    return path


def test_the_import_report_takes_the_keys_and_return_closes_it_not_confirms(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store, tmp_path) -> None:
    # Under Xvfb (no window manager) the import report opened without the keyboard: Return, meant to close
    # it, went to the article behind and confirmed the selected suggestion, and the report stayed open.
    window, doc = open_seed_000(qtbot, make_window, seeded_store)
    suggestion = window.view.suggestions[0]
    window.article.select_span(suggestion)
    assert window.files.import_files([_bad_label_file(tmp_path)])
    qtbot.waitUntil(lambda: window.files.report_box is not None and window.files.report_box.isVisible(),
                    timeout=60_000)
    box = window.files.report_box
    assert isinstance(box, QMessageBox)
    assert "'<b>GPE</b>'" in box.text() and box.textFormat() == Qt.TextFormat.PlainText
    qtbot.waitUntil(lambda: QApplication.activeWindow() is box, timeout=5000)
    qtbot.keyClick(QApplication.focusWidget() or box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=5000)
    settle(qtbot, window)
    assert suggestion in seeded_store.view(doc, "alice").suggestions  # Return did not confirm it
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)  # and the window has the keys again


def test_leaving_review_mode_gives_back_the_panel_widths(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    # Review mode widened the side panel to 470 px for the versions table; leaving it kept that width: at
    # 1024 px the list stayed squeezed with a sideways scroll bar hiding Entities and Sugg., the label
    # buttons stretched across half the window.
    window = make_window(seeded_store)
    at_size(qtbot, window, 1024, 700)
    before = window.splitter.sizes()
    window.review_action.trigger()
    settle(qtbot, window)
    assert window.versions.isVisible() and window.splitter.sizes()[2] > before[2]  # room for the versions
    window.review_action.trigger()
    settle(qtbot, window)
    QApplication.processEvents()
    assert not window.versions.isVisible()
    assert window.splitter.sizes() == before
    assert_list_fits(window, (STATUS, ENTITIES, SUGG))


def _tab_to_the_first_entity(qtbot, make_window, store):  # type: ignore[no-untyped-def]
    """Article 000 open, Tab pressed: its first entity (the suggestion "Blinken" at 0) selected."""
    window, doc = open_seed_000(qtbot, make_window, store)
    qtbot.keyClick(window.article, Qt.Key.Key_Tab)
    settle(qtbot, window)
    first = window.article.selected_span
    assert first is not None and first.layer.value == "model" and first.start == 0
    return window, doc, first


def test_undo_and_redo_from_another_article_select_the_entity_they_change(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store) -> None:
    # Ctrl+Z after moving on reopened the earlier article and reverted the edit, but selected nothing
    # (within one article it selects what it brings back): the analyst had to hunt for the entity.
    window, doc, first = _tab_to_the_first_entity(qtbot, make_window, seeded_store)
    article = window.article
    qtbot.keyClick(article, Qt.Key.Key_Return)  # confirmed
    settle(qtbot, window)
    qtbot.keyClick(article, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)  # the next article
    settle(qtbot, window)
    assert window.view.info.id != doc
    qtbot.keyClick(article, Qt.Key.Key_Z, CTRL)
    settle(qtbot, window)
    assert window.view.info.id == doc and article.selected_span == first  # the suggestion again, selected
    assert window.statusBar().currentMessage() == f"undid: confirm {first.label}"
    qtbot.keyClick(article, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    settle(qtbot, window)
    qtbot.keyClick(article, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)  # redo, from elsewhere
    settle(qtbot, window)
    chosen = article.selected_span
    assert window.view.info.id == doc and chosen is not None
    assert (chosen.start, chosen.end, chosen.label, chosen.layer.value) == (first.start, first.end, first.label,
                                                                           "human")


def test_growing_the_first_entity_at_its_start_says_the_text_starts_there(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store) -> None:
    # "[" on "Blinken", the article's first word, said "cannot grow this entity: the text ends there".
    window, _, _ = _tab_to_the_first_entity(qtbot, make_window, seeded_store)
    qtbot.keyClick(window.article, Qt.Key.Key_BracketLeft)
    settle(qtbot, window)
    assert window.statusBar().currentMessage().endswith("cannot grow this entity: the text starts there")


def _double_click_opens_no_editor(qtbot, table) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QAbstractItemView, QLineEdit

    qtbot.waitExposed(table.window())
    for col in range(table.columnCount()):
        item = table.item(0, col)
        before = item.text()
        where = table.visualItemRect(item).center()
        qtbot.mousePress(table.viewport(), Qt.MouseButton.LeftButton, pos=where)  # a double-click as a mouse
        qtbot.mouseRelease(table.viewport(), Qt.MouseButton.LeftButton, pos=where)  # sends it: press first
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)
        QApplication.processEvents()
        assert table.state() != QAbstractItemView.State.EditingState, col
        assert not [e for e in table.findChildren(QLineEdit) if e.isVisible()], col
        assert item.text() == before


def test_the_consistency_and_label_all_tables_are_read_only(qtbot) -> None:  # type: ignore[no-untyped-def]
    # Double-clicking a string in Team → Consistency opened the article behind, as README says, and also
    # opened an editor on the cell: the string (and in the Label all preview, a title or context) could be
    # typed over, as if that changed something.
    from annotator.gui.model_panel import EvaluationDialog
    from annotator.gui.occurrences import ConsistencyDialog, OccurrencePreview
    from annotator.gui.team_panel import AgreementDialog
    from annotator.nlp.occurrences import Occurrence
    from annotator.store.records import LabelVariants

    opened: list[str] = []
    variants = [LabelVariants("<b>Rabat</b>", {"GPE": (1, 2), "PERSON": (3,)}, 1)]
    consistency = ConsistencyDialog(variants, lambda v: opened.append(v.text), lambda v: None)
    qtbot.addWidget(consistency)
    consistency.show()
    _double_click_opens_no_editor(qtbot, consistency.table)
    assert opened and set(opened) == {"<b>Rabat</b>"}  # the double-click still opens the article
    preview = OccurrencePreview("Rabat", "GPE", [Occurrence(1, "<i>title</i>", 0, 5, "", " is", "PERSON", False)])
    qtbot.addWidget(preview)
    preview.show()
    _double_click_opens_no_editor(qtbot, preview.table)
    preview.table.setCurrentCell(0, 0)
    ticked = preview.chosen()
    qtbot.keyClick(preview.table, Qt.Key.Key_Space)  # the tick still changes
    assert len(preview.chosen()) == 1 - len(ticked)
    # the model's before/after table and the agreement table are figures to read, not to type into
    from annotator.core.compare import Scores
    from annotator.nlp.agreement import PairAgreement

    scores = EvaluationDialog("Trained en-ner", Scores(documents=5), Scores(documents=5), ("base", "trained"))
    agreement = AgreementDialog([PairAgreement("alice", "bob")])
    for dialog in (scores, agreement):
        qtbot.addWidget(dialog)
        dialog.show()
        _double_click_opens_no_editor(qtbot, dialog.table)


def test_clicking_a_label_button_leaves_the_keys_with_the_article(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store) -> None:
    # A click on "[c] CARDINAL" took the keyboard: Tab then walked the label buttons instead of the
    # entities, and Space (next suggestion) pressed the focused "[o] ORDINAL" and relabelled the entity.
    window, doc, first = _tab_to_the_first_entity(qtbot, make_window, seeded_store)
    article = window.article
    qtbot.mouseClick(window.labels_panel.buttons["ORG"], Qt.MouseButton.LeftButton)
    settle(qtbot, window)
    relabelled = next(s for s in seeded_store.view(doc, "alice").entities if s.start == first.start)
    assert relabelled.label == "ORG"
    assert QApplication.focusWidget() is article
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)  # the next unreviewed suggestion
    settle(qtbot, window)
    assert article.selected_span is not None and article.selected_span.layer.value == "model"
    assert next(s for s in seeded_store.view(doc, "alice").entities if s.start == first.start).label == "ORG"
    window.review_action.trigger()  # the versions panel's "Take …'s version" buttons too
    qtbot.waitUntil(lambda: "alice" in window.versions.buttons, timeout=10_000)
    buttons = [*window.labels_panel.findChildren(QPushButton), *window.versions.buttons.values()]
    assert len(buttons) >= len(window.labels_panel.buttons) + 2  # the labels, Add label…, Take alice's version
    assert [b.text() for b in buttons if b.focusPolicy() != Qt.FocusPolicy.NoFocus] == []


def test_cancelling_a_job_leaves_the_keys_with_the_article(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store) -> None:
    # Clicking Cancel on a training took the keyboard; when the button hid, it went to the list's search
    # box: the next label key typed into the search and filtered the list.
    from annotator.gui.jobs import Job

    window, _, _ = _tab_to_the_first_entity(qtbot, make_window, seeded_store)
    for button in (window.jobs.cancel_button, window.learning_actions.cancel_button):
        assert button.focusPolicy() == Qt.FocusPolicy.NoFocus
    def work(progress, cancel):  # type: ignore[no-untyped-def]
        between_batches = threading.Event()
        while True:  # a job's loop: a batch, then a look at the token
            between_batches.wait(0.01)
            cancel.raise_if_cancelled()

    assert window.jobs.start(Job("waiting", work, "nothing was done"))
    qtbot.waitUntil(window.jobs.cancel_button.isVisible)
    qtbot.mouseClick(window.jobs.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.job is None, timeout=60_000)
    assert QApplication.focusWidget() is window.article


def test_review_mode_counts_one_entity_as_one(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    # Review mode offered "Take omar's version (1 entities)".
    window, _, _ = _tab_to_the_first_entity(qtbot, make_window, seeded_store)
    qtbot.keyClick(window.article, Qt.Key.Key_Return)  # alice's version: one confirmed entity
    settle(qtbot, window)
    window.review_action.trigger()
    qtbot.waitUntil(lambda: "alice" in window.versions.buttons, timeout=10_000)
    assert window.versions.buttons["alice"].text() == "Take alice's version (1 entity)"


def _one_suggestion(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A store of one article holding one suggestion (from a model named with markup), nothing reviewed."""
    from annotator.core.document import NewDocument
    from annotator.core.span import Layer, SpanData
    from annotator.store import Store

    store = Store.open(str(tmp_path / "one.sqlite3"))
    store.import_documents([(NewDocument("Rabat is <b>nice</b>.", "<i>one</i>.txt", "en"), [SpanData(0, 5, "GPE")])],
                           layer=Layer.MODEL, author="ls-<b>v1</b>")
    return store


def test_the_list_tooltip_and_the_evaluation_title_count_one_as_one(  # type: ignore[no-untyped-def]
        qtbot, make_window, tmp_path) -> None:
    # The list's tooltip on an imported Label Studio task said "0 yours, 1 suggestions left"; an evaluation
    # on one accepted document was titled "(1 documents)".
    from annotator.core.compare import Scores
    from annotator.gui.model_menu import evaluation_title
    from annotator.nlp.evaluate import BeforeAfter

    store = _one_suggestion(tmp_path)
    window = make_window(store)
    tip = window.documents.table_model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert "0 yours, 1 suggestion left" in tip and "&lt;i&gt;one&lt;/i&gt;.txt" in tip
    one = BeforeAfter(1, "base", Scores(documents=1), "trained", Scores(documents=1), split="all")
    assert evaluation_title(one) == "Evaluation on every accepted document (1 document)"
    store.close()


def test_space_offers_what_you_have_not_reviewed_and_the_help_says_so(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store) -> None:
    # README and F1 said Space selects "the next suggestion nobody has reviewed"; in team mode it offers
    # what this annotator has not reviewed, whatever the others did (each sees their own layer).
    from annotator.gui.actions import help_rows

    doc = next(d.id for d in seeded_store.list_documents() if "000_" in d.source)
    first = seeded_store.view(doc, "maria").suggestions[0]
    seeded_store.confirm_suggestion(first.id, "maria")  # maria has reviewed it
    window = make_window(seeded_store, user="omar")
    window.open_document(doc)
    settle(qtbot, window)
    qtbot.keyClick(window.article, Qt.Key.Key_Space)
    settle(qtbot, window)
    assert window.article.selected_span == first  # omar has not: Space offers it to him
    assert ("Space / Shift+Space", "select the next / previous suggestion you have not reviewed yet") in help_rows()


def test_an_edit_refused_as_stale_says_so_and_the_message_stays(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store) -> None:
    # Two people on one store: omar's edit on an article maria had open made her next Enter stale. It was
    # refused and the article reloaded, as README says, but the message was at once replaced by the
    # reselected entity's description: Enter seemed to do nothing, twice.
    window, doc, first = _tab_to_the_first_entity(qtbot, make_window, seeded_store)
    other = seeded_store.view(doc, "omar").suggestions[5]
    seeded_store.confirm_suggestion(other.id, "omar")  # the article's version moves on
    qtbot.keyClick(window.article, Qt.Key.Key_Return)
    settle(qtbot, window)
    said = window.statusBar().currentMessage()
    assert "make your edit again" in said, said
    assert first in seeded_store.view(doc, "alice").suggestions  # refused: nothing changed
    assert window.article.selected_span == first  # the place is kept: Enter again confirms it
    qtbot.keyClick(window.article, Qt.Key.Key_Return)
    settle(qtbot, window)
    assert first not in seeded_store.view(doc, "alice").suggestions


def test_new_suggestions_from_background_learning_keep_the_list_counts_your_own(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store, pipelines) -> None:
    # After background learning re-suggested the unfinished articles, maria's list counted everyone's
    # entities: 14 became 18 (omar's 4 added), a Label Studio task she never touched showed 2.
    doc = next(d.id for d in seeded_store.list_documents() if "000_" in d.source)
    for span in seeded_store.view(doc, "omar").suggestions[:4]:
        seeded_store.confirm_suggestion(span.id, "omar")
    window = make_window(seeded_store, user="maria")
    window.set_quiet()
    model, learning = window.documents.table_model, window.learning
    learning.base_pipelines = pipelines

    def counts() -> tuple[str, str]:
        row = model.row_of(doc)
        assert row is not None
        return model.index(row, ENTITIES).data(), model.index(row, SUGG).data()

    before = counts()
    assert before[0] == "0"
    learning.choose("en", None)  # re-suggest every unfinished article with the base pipeline
    qtbot.waitUntil(lambda: learning.idle() and learning.pending_writes == 0, timeout=120_000)
    settle(qtbot, window)
    assert counts() == before


def test_accepting_with_one_unreviewed_suggestion_speaks_of_it_not_them(  # type: ignore[no-untyped-def]
        qtbot, make_window, tmp_path) -> None:
    # "1 suggestion in this article has not been reviewed. Confirm them (Alt+C): they become your entities."
    from PySide6.QtCore import QTimer

    store = _one_suggestion(tmp_path)
    window = make_window(store)
    seen: dict[str, object] = {}

    def read_and_cancel() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["text"], seen["buttons"] = box.text(), {b.text() for b in box.buttons()}
        qtbot.keyClick(box, Qt.Key.Key_Escape)

    QTimer.singleShot(0, read_and_cancel)
    qtbot.keyClick(window.article, Qt.Key.Key_Return, CTRL)
    settle(qtbot, window)
    text = str(seen["text"])
    assert text.startswith("1 suggestion in this article has not been reviewed.")
    assert "Confirm it (Alt+C): it becomes your entity." in text and "Dismiss it (Alt+D): it is not an entity." in text
    assert "Review it (Alt+R): go to it." in text and " them" not in text
    assert seen["buttons"] == {"&Confirm 1", "&Dismiss 1", "&Review it", "Cancel"}
    store.close()


def test_the_export_question_says_whose_entities_are_written(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store, tmp_path) -> None:
    # Ctrl+E asked for a format of "accepted documents, your corrections"; as <b>sam</b> (Team → Change
    # annotator name) the export wrote maria's entities on the three articles she had accepted.
    from annotator.core.document import DocumentStatus
    from annotator.gui.file_menu import EXPORT_PROMPT
    from annotator.io.exporter import ExportFormat

    doc = next(d.id for d in seeded_store.list_documents() if "004_" in d.source)
    seeded_store.set_status(doc, DocumentStatus.ACCEPTED, "maria")
    window = make_window(seeded_store, user="<b>sam</b>")
    out = tmp_path / "out.jsonl"
    assert window.files.export_to(out, ExportFormat.JSONL)
    qtbot.waitUntil(lambda: window.job is None, timeout=60_000)
    (line,) = out.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["meta"]["annotator"] == "maria"  # hers, as she left it
    assert "your" not in EXPORT_PROMPT and "the person who accepted it" in EXPORT_PROMPT


def test_add_label_proposes_a_colour_apart_from_every_label(qtbot, seeded_store) -> None:  # type: ignore[no-untyped-def]
    # Add label… proposed #a0c4ff whatever the scheme: the colour the import had given PER, next to LAW
    # (#acd6fd) and PERSON; "[u] R&D Unit", PER and LAW looked alike in the palette and the article.
    from annotator.core.labels import DEFAULT_LABELS, Label
    from annotator.gui.label_palette import AddLabelDialog
    from tests.gui.test_palette import contrast, delta_e

    labels = [*DEFAULT_LABELS, Label("PER", "#a0c4ff")]
    dialog = AddLabelDialog(None, labels)
    qtbot.addWidget(dialog)
    proposed = dialog.colour
    assert min(delta_e(proposed, QColor(lb.colour)) for lb in labels) >= 30
    assert contrast(QColor("#111111"), proposed) >= 4.5  # the entity text reads on it
    assert dialog.colour_button.text() == proposed.name()


def test_return_in_the_search_box_opens_the_first_article_found(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store) -> None:
    # Ctrl+F, a few letters, Return: nothing happened, and the next label key typed into the search box;
    # the only way back to the article was the mouse.
    window, _ = open_seed_000(qtbot, make_window, seeded_store)
    wanted = next(d.id for d in seeded_store.list_documents() if "004_" in d.source)
    window.actions_by_name["focus_search"].trigger()
    assert QApplication.focusWidget() is window.documents.search
    qtbot.keyClicks(window.documents.search, "Morocco hosts")
    qtbot.keyClick(window.documents.search, Qt.Key.Key_Return)  # at once: the list is still being read
    settle(qtbot, window)
    assert window.documents.visible_ids() == [wanted]
    assert window.view.info.id == wanted
    assert QApplication.focusWidget() is window.article  # Tab now selects its first entity

"""Defects a new user met in a fourth QA pass of the real app under Xvfb at 1024x700."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QScrollArea, QWidget

from annotator.core.document import DocumentStatus
from annotator.gui.label_palette import AddLabelDialog
from annotator.io.exporter import ExportFormat
from tests.gui.conftest import settle
from tests.gui.test_flow import CTRL, open_seed_000
from tests.gui.test_qa_pass2 import ENTITIES, STATUS, SUGG, assert_list_fits, at_size


def test_return_in_the_unreviewed_question_changes_nothing_and_keeps_the_place(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store) -> None:
    # Return pressed "Review them": the article jumped back to its first suggestion, away from where the
    # analyst was. The default is now Cancel (Return and Esc): nothing changes, nothing moves.
    window, doc = open_seed_000(qtbot, make_window, seeded_store)
    suggestions = window.view.suggestions
    window.article.select_span(suggestions[3])
    seen: dict[str, object] = {}

    def press_return() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["default"] = box.defaultButton().text()
        seen["escape"] = box.escapeButton() is box.defaultButton()
        seen["buttons"] = [b.text() for b in box.buttons()]
        seen["text"] = box.text()
        qtbot.keyClick(box, Qt.Key.Key_Return)

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    QTimer.singleShot(0, press_return)
    qtbot.keyClick(window.article, Qt.Key.Key_Return, CTRL)
    settle(qtbot, window)
    assert seen["default"] == "Cancel" and seen["escape"]
    n = len(suggestions)
    assert set(seen["buttons"]) == {f"&Confirm {n}", f"&Dismiss {n}", "&Review them", "Cancel"}  # type: ignore[arg-type]
    assert "Cancel (Return or Esc): nothing changes" in str(seen["text"])
    assert "(Alt+C)" in str(seen["text"]) and "(Alt+D)" in str(seen["text"]) and "(Alt+R)" in str(seen["text"])
    assert seeded_store.document(doc).status is not DocumentStatus.ACCEPTED
    assert seeded_store.view(doc, "alice").suggestions == suggestions  # none confirmed, none dismissed
    assert window.view.info.id == doc and window.article.selected_span == suggestions[3]  # still there
    assert window.statusBar().currentMessage() == "not marked accepted: nothing changed"


# -- status-bar messages at 1024 px are read whole ------------------------------------------------------

def test_a_long_message_is_whole_in_the_status_bar_at_1024(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    # QStatusBar drew a message on one line, cut where "en model: base · accepted 0 of 5" begin: the end of
    # "exported … to /home/…/train.spacy (3 documents), …/dev.spacy (0 documents); dev.spacy is empty: …"
    # was only in the tooltip. The room is measured here from the permanent widgets' own geometry.
    window = make_window(seeded_store)
    at_size(qtbot, window, 1024, 700)
    bar = window.statusBar()
    said = ("exported 3 documents to /home/maria/annotator-exports/2026-12-02/: train.spacy (3 documents), "
            "dev.spacy (0 documents), config.cfg; dev.spacy is empty: 3 documents are too few to hold some back "
            "(about 20% of the documents go to dev, chosen by their text)")
    window.message(said)
    qtbot.waitUntil(lambda: bar.height() >= bar.minimumHeight())
    QApplication.processEvents()
    permanent = [w for w in bar.findChildren(QWidget) if w.parent() is bar and w.isVisible() and w.x() > 0]
    right = min(w.x() for w in permanent) - 2
    room = QRect(6, 0, right - 6, bar.height())
    assert room.width() > 300
    needed = bar.fontMetrics().boundingRect(QRect(0, 0, room.width(), 10_000), int(
        Qt.AlignmentFlag.AlignLeading | Qt.TextFlag.TextWordWrap), said)
    assert needed.height() > bar.fontMetrics().lineSpacing()  # it does not fit on one line at 1024
    assert needed.height() <= bar.height()  # ... but all its lines fit in the bar
    assert window.article.height() > 400  # and the article keeps its room
    # what is drawn: ink on as many text lines as the message needs, none over the permanent widgets
    image = bar.grab().toImage()
    background = image.pixelColor(2, 2)
    inked = [y for y in range(image.height()) if any(
        image.pixelColor(x, y) != background for x in range(room.left(), room.right(), 2))]
    assert inked and inked[-1] - inked[0] > needed.height() - bar.fontMetrics().lineSpacing()


# -- an empty dev.spacy is explained -----------------------------------------------------------------------

def test_exporting_too_few_documents_says_why_dev_spacy_is_empty(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store, tmp_path: Path) -> None:
    # File → Export with 5 accepted articles said "exported 5 documents to …dev.spacy (0 documents)" and no
    # more: an empty dev set looked like a broken export.
    for doc in seeded_store.list_documents():
        seeded_store.set_status(doc.id, DocumentStatus.ACCEPTED, "alice")
    window = make_window(seeded_store)
    with qtbot.waitSignal(window.jobs.ended, timeout=120_000):
        assert window.files.export_to(tmp_path / "out", ExportFormat.SPACY)
    settle(qtbot, window)
    message = window.statusBar().currentMessage()
    assert message.startswith("exported 5 documents to ")
    assert "en/dev.spacy and fr/dev.spacy are empty: 4 and 1 documents are too few to hold some back (about 20% " \
           "of the documents go to dev, chosen by their text); annotator's own training cross-validates instead" \
           in message


# -- the list's title gets the room at 1024 --------------------------------------------------------------

def test_at_1024_the_title_gets_the_room(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    # The title column showed about 12 characters ("Blinken will tr…" twice): 14 px of padding per column
    # and Lang shown as long as the title kept 90 px. Now Lang steps aside first, the short columns are
    # as wide as their text and no wider.
    window = make_window(seeded_store)
    at_size(qtbot, window, 1024, 700)
    assert_list_fits(window, (STATUS, ENTITIES, SUGG))  # the status and the counts stay whole
    table = window.documents.table
    assert table.isColumnHidden(1)  # Lang: the article's header and the row tooltip say it
    shown = sum(table.columnWidth(c) for c in range(1, 7) if not table.isColumnHidden(c))
    assert table.columnWidth(0) == table.viewport().width() - shown  # the title has all the rest
    assert table.columnWidth(0) >= 130  # it had 117 px here
    title = window.documents.table_model.index(0, 0).data()
    shown_chars = len(table.fontMetrics().elidedText(title, Qt.TextElideMode.ElideRight, table.columnWidth(0) - 8))
    assert shown_chars >= 18, shown_chars  # "Blinken will tr…" was 16


# -- the keyboard comes back after every dialog --------------------------------------------------------

def test_after_the_add_label_dialog_the_window_shortcuts_work_again(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    # Under Xvfb (no window manager): Ctrl+L, a refused shortcut, Return -- then Ctrl+L and Ctrl+Z did
    # nothing and "GPE" typed for the next label name relabelled three entities (g, p, e) in the article.
    window = make_window(seeded_store)

    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None and dialog.windowTitle() == "Add label"
        dialog.reject()

    QTimer.singleShot(0, cancel)
    window.actions_by_name["add_label"].trigger()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)  # it stayed inactive: every shortcut was dead
    assert QApplication.activeModalWidget() is None


def test_add_label_refuses_a_name_or_shortcut_already_used_before_ok(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    # Ctrl+L, "GPE", OK: GPE silently lost its key 3 and its colour, and the bar said "label GPE added".
    # Ctrl+L, "MINISTRY", shortcut 1: the dialog closed, the typing was lost, then "shortcut '1' is already used".
    window = make_window(seeded_store)
    before = {lb.name: lb for lb in seeded_store.labels()}
    said: list[tuple[str, bool]] = []

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, AddLabelDialog)
        dialog.name.setText("GPE")
        said.append((dialog.problem.text(), dialog.ok.isEnabled()))
        dialog.name.setText("MINISTRY")
        dialog.key.setText(before["PERSON"].key or "")
        said.append((dialog.problem.text(), dialog.ok.isEnabled()))
        dialog.key.setText("")
        said.append((dialog.problem.text(), dialog.ok.isEnabled()))
        assert dialog.name.width() >= dialog.name.fontMetrics().horizontalAdvance(dialog.name.placeholderText())
        dialog.reject()

    QTimer.singleShot(0, fill)
    window.actions_by_name["add_label"].trigger()
    settle(qtbot, window)
    assert said == [("GPE is already a label (right-click it in the palette to change its colour)", False),
                    (f"shortcut '{before['PERSON'].key}' is already used by PERSON", False),
                    ("", True)]
    assert {lb.name: lb for lb in seeded_store.labels()} == before  # nothing changed


# -- what an import brought stays said -------------------------------------------------------------------

def test_an_import_says_what_it_brought_after_the_suggestions_and_names_new_labels(  # type: ignore[no-untyped-def]
        qtbot, make_window, seeded_store, tmp_path: Path) -> None:
    # Importing a hand-written CoNLL file: "imported 1 new document" was replaced within a second by
    # "suggesting entities: done", and the label "FOO" its tag created was said nowhere.
    conll = tmp_path / "hand.conll"
    conll.write_text("-DOCSTART- -X- O O\n\nJohn B-PERSON\nSmith I-PERSON\nwent O\nhome B-FOO\n", encoding="utf-8")
    window = make_window(seeded_store)
    with qtbot.waitSignal(window.jobs.ended, timeout=60_000):  # the import
        assert window.files.import_files([conll])
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().endswith("new articles"), timeout=120_000)
    said = window.statusBar().currentMessage()  # once the suggestions are done
    assert said == ("imported 1 new document; 1 new label added to the scheme: FOO; "
                    "entities suggested for the new articles")
    box = window.files.report_box
    assert box is not None and "FOO" in box.text()
    box.close()


def test_the_label_buttons_are_whole_when_the_palette_scrolls(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    # At 1024x700 a four-line message made the palette scroll: its vertical bar took the buttons' room,
    # "[w] WORK_OF_ART" was cut and a horizontal bar appeared under them; with the bar off, a label wider
    # than the panel went past the window's edge.
    from annotator.core.labels import Label

    seeded_store.add_label(Label("INTERNATIONAL_ORGANISATION", "#abcdef", None))
    window = make_window(seeded_store)
    at_size(qtbot, window, 1024, 560)  # the offscreen font is smaller than Xvfb's: a shorter window
    window.message("a message long enough to take four lines of the status bar " * 8)
    palette = window.labels_panel
    scroll = palette.findChild(QScrollArea)
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().isVisible(), timeout=5000)
    QApplication.processEvents()
    assert not scroll.horizontalScrollBar().isVisible()
    room = scroll.viewport().width()
    for name, button in palette.buttons.items():
        assert button.width() <= room and button.width() >= button.sizeHint().width(), name
    # ... and the list is inside the panel, not cut at the window's edge
    assert scroll.geometry().right() < palette.width() and palette.geometry().right() < window.splitter.width()


def test_a_cross_validated_training_is_not_called_dev_f(qtbot) -> None:  # type: ignore[no-untyped-def]
    # Ctrl+T on 5 accepted articles (no dev split: 5-fold cross-validation): the result's chart said
    # "dev F per epoch" and nothing said the before/after scores were cross-validated.
    from annotator.core.compare import Scores
    from annotator.gui.model_panel import EvaluationDialog

    plan = "5 accepted documents (fewer than 10): 5-fold cross-validation over documents chooses the epochs"
    dialog = EvaluationDialog("Trained en-ner", Scores(documents=5), Scores(documents=5), ("base", "trained"),
                              [0.2, 0.3], how=plan, scored="cross-validated F")
    qtbot.addWidget(dialog)
    assert dialog.summary.text().endswith("\n" + plan)
    assert dialog.chart.what == "cross-validated F"
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab()  # paints "cross-validated F per epoch"


def test_choosing_a_model_shows_it_in_the_status_bar(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    # Model → Use the latest trained model: suggestions came from it, the status bar still said
    # "en model: base" (until another language's article was opened, or a restart). Here the other way:
    # a model in use, then Model → Go back to the default model.
    seeded_store.set_suggestion_model("en", "/models/en-ner-old")
    window = make_window(seeded_store)
    label = window.learning_actions.model_label
    qtbot.waitUntil(lambda: label.text() == "en model: en-ner-old", timeout=10_000)
    window.actions_by_name["use_default_model"].trigger()
    qtbot.waitUntil(lambda: label.text() == "en model: base", timeout=30_000)
    qtbot.waitUntil(lambda: window.job is None, timeout=120_000)  # the re-run of the default model
    settle(qtbot, window)

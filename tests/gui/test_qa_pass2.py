"""Defects a new user met in a second QA pass of the real app under Xvfb (no window manager)."""

from __future__ import annotations

import html
import io
import os
import threading
import tokenize
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QStyle,
    QWidget,
)

import annotator.gui
from annotator.core.document import DocumentStatus
from annotator.gui.document_list import COLUMNS
from annotator.gui.export_target import refusal
from annotator.gui.jobs import Job
from annotator.gui.model_history import scored_on
from annotator.nlp.background import ModelPoint
from tests.gui.conftest import settle
from tests.gui.test_flow import open_seed_000

CTRL = Qt.KeyboardModifier.ControlModifier
STATUS, ENTITIES, SUGG = COLUMNS.index("Status"), COLUMNS.index("Entities"), COLUMNS.index("Sugg.")


# -- 1. the export folder ---------------------------------------------------------------------------

Step = tuple[type, Callable[[QWidget], None]]


def drive(qtbot, steps: list[Step]) -> QTimer:  # type: ignore[no-untyped-def]
    """Answer the modal dialogs as they come, one step each, in order (a timer on the event loop: the
    dialogs run their own loops)."""
    handled: list[QWidget] = []  # kept alive: a new dialog never reuses a handled one's identity

    def tick() -> None:
        dialog = QApplication.activeModalWidget()
        if not steps or dialog is None or any(dialog is h for h in handled):
            return
        kind, act = steps[0]
        if isinstance(dialog, kind):
            steps.pop(0)
            handled.append(dialog)
            act(dialog)

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(20)
    return timer


def type_path(path: str) -> Callable[[QWidget], None]:
    """Type ``path`` into the folder dialog's name box and press Return, as the person did."""
    def act(dialog: QWidget) -> None:
        edit = dialog.findChild(QLineEdit, "fileNameEdit")
        assert edit is not None
        edit.setText(path)
        edit.setFocus()
        from pytestqt.qtbot import QtBot

        QtBot.keyClick(edit, Qt.Key.Key_Return)
    return act


def click(starting: str, says: str, seen: list[str]) -> Callable[[QWidget], None]:
    def act(box: QWidget) -> None:
        assert isinstance(box, QMessageBox) and box.textFormat() == Qt.TextFormat.PlainText
        seen.append(box.text())
        assert says in box.text(), box.text()
        next(b for b in box.buttons() if b.text().replace("&", "").startswith(starting)).click()
    return act


def choose_format(name: str) -> Callable[[QWidget], None]:
    def act(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue(name)
        dialog.accept()
    return act


def test_the_export_folder_is_never_the_root_and_a_subfolder_is_asked_for(qtbot, make_window, seeded_store,  # type: ignore[no-untyped-def]
                                                                         tmp_path: Path) -> None:
    # Seen: typing a path + Return in the folder dialog returned "/", and the export went into
    # /training-data without a word.
    seeded_store.set_status(seeded_store.list_documents()[0].id, DocumentStatus.ACCEPTED, "alice")
    window = make_window(seeded_store)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes", encoding="utf-8")
    root_had_it = Path("/training-data").exists()
    seen: list[str] = []
    steps: list[Step] = [
        (QInputDialog, choose_format("spacy")),
        (QFileDialog, type_path("/")),
        (QMessageBox, click("OK", "root of the file system", seen)),
        (QFileDialog, type_path(str(mine))),
        (QMessageBox, click("Choose another folder", str(mine / "training-data"), seen)),
        (QFileDialog, type_path(str(mine))),
        (QMessageBox, click("Export into training-data", "notes.txt", seen)),
    ]
    timer = drive(qtbot, steps)
    window.files.ask_export()
    timer.stop()
    assert steps == [], f"dialogs not shown: {steps}; shown: {seen}"
    qtbot.waitUntil(lambda: window.job is None, timeout=60_000)
    settle(qtbot, window)
    assert (mine / "training-data" / "train.spacy").exists()
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "my notes"
    assert Path("/training-data").exists() == root_had_it
    said = window.statusBar().currentMessage()  # the folder once, first: it is what a narrow bar still shows
    assert said.startswith(f"exported 1 document to {mine / 'training-data'}{os.sep}: train.spacy (1 document)")
    assert html.escape(said, quote=False) in window.statusBar().toolTip()  # the whole of it on hover


def test_system_folders_are_refused_and_the_persons_own_are_not(tmp_path: Path) -> None:
    for folder in ("/", "/etc", "/usr/share/doc", "/proc/1", "/var", "/home"):
        assert refusal(Path(folder)) is not None, folder
    assert refusal(tmp_path) is None
    assert refusal(Path.home() / "exports") is None


# -- 2. Ctrl+\ keeps the widths ----------------------------------------------------------------------

def test_hiding_and_showing_the_list_gives_back_the_panel_widths(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)
    window.splitter.setSizes([520, 600, 260])  # the person dragged the handles
    chosen = window.splitter.sizes()
    qtbot.keyClick(window.article, Qt.Key.Key_Backslash, CTRL)
    assert window.splitter.sizes()[0] == 0
    qtbot.keyClick(window.article, Qt.Key.Key_Backslash, CTRL)
    assert window.splitter.sizes() == chosen


# -- 3. the list fits at 1024 x 700 and 1400 x 900 ----------------------------------------------------

def fits_in(widget: QWidget, text: str, width: int) -> bool:
    return widget.fontMetrics().horizontalAdvance(text) + 8 <= width


def combo_needs(text: str) -> int:
    """What a combo box showing only ``text`` asks for (Qt's own measure)."""
    probe = QComboBox()
    probe.addItem(text)
    return probe.sizeHint().width()


def assert_list_fits(window, shown: tuple[int, ...]) -> None:  # type: ignore[no-untyped-def]
    table = window.documents.table
    header = table.horizontalHeader()
    assert header.length() <= table.viewport().width(), "the list scrolls sideways: columns are cut"
    assert table.horizontalScrollBar().maximum() == 0
    assert table.columnWidth(0) >= 90  # the title is elided, not squeezed to nothing
    style, margin = header.style(), header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    for col in shown:
        assert not table.isColumnHidden(col), COLUMNS[col]
        arrow = style.pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, header) + 2 * margin \
            if header.sortIndicatorSection() == col else 0
        assert fits_in(header, COLUMNS[col], table.columnWidth(col) - 2 * margin - arrow), COLUMNS[col]
        for row in range(window.documents.table_model.rowCount()):
            text = window.documents.table_model.index(row, col).data()
            assert fits_in(table, text, table.columnWidth(col)), (COLUMNS[col], text)
    panel = window.documents
    for combo in (panel.status_filter, panel.language_filter, panel.label_filter):
        assert combo.width() >= combo_needs(combo.currentText()), combo.currentText()  # "any labe" was cut


def at_size(qtbot, window, width: int, height: int) -> None:  # type: ignore[no-untyped-def]
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width)
    window._share_width()
    qtbot.waitUntil(lambda: window.documents.table.viewport().width() > 0)
    QApplication.processEvents()


def test_at_1024_by_700_status_counts_and_filters_are_whole(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)
    at_size(qtbot, window, 1024, 700)
    sizes = window.splitter.sizes()
    assert sizes[1] >= 0.5 * sum(sizes)  # the article keeps half the width
    assert_list_fits(window, (STATUS, ENTITIES, SUGG))
    window.documents.table.sortByColumn(ENTITIES, Qt.SortOrder.DescendingOrder)  # room for the arrow
    settle(qtbot, window)
    assert_list_fits(window, (STATUS, ENTITIES, SUGG))


def test_at_1400_by_900_every_column_is_whole(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)
    at_size(qtbot, window, 1400, 900)
    assert_list_fits(window, (1, STATUS, ENTITIES, SUGG, 5))  # Lang and Edited too
    window.documents.table.sortByColumn(SUGG, Qt.SortOrder.AscendingOrder)
    settle(qtbot, window)
    assert_list_fits(window, (1, STATUS, ENTITIES, SUGG, 5))


# -- 4. the job's text beside its progress bar -----------------------------------------------------------

def test_a_long_job_message_is_never_under_the_progress_bar(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window = make_window(seeded_store)
    at_size(qtbot, window, 1400, 900)
    said = ("3 accepted documents (fewer than 10): 3-fold cross-validation over documents chooses the epochs, "
            "then the model learns from all 3 documents for that many epochs")
    release = threading.Event()

    def work(progress, cancel) -> None:  # type: ignore[no-untyped-def]
        progress(0, 10, said)
        release.wait(60)

    assert window.jobs.start(Job("training", work))
    label, bar = window.jobs.label, window.jobs.bar
    try:
        qtbot.waitUntil(lambda: label.text() == said and label.isVisible())
        QApplication.processEvents()
        assert label.geometry().right() < bar.geometry().left(), "the bar covers the text"
        # what is drawn: a plain label draws its text on one line (a cut one, before)
        lines = label.shown_lines() if hasattr(label, "shown_lines") else [label.text()]
        room = label.contentsRect().width()
        assert all(label.fontMetrics().horizontalAdvance(line) <= room for line in lines), "the text is cut"
        assert len(" ".join(lines)) > 60  # most of it is there to read, over two lines
        assert " ".join(lines) == said or said in label.toolTip()  # and the rest in its tooltip
    finally:
        release.set()
        qtbot.waitUntil(lambda: window.job is None, timeout=60_000)


# -- 5. counted nouns ------------------------------------------------------------------------------------

def test_no_message_in_the_gui_says_s_in_brackets() -> None:
    folder = Path(annotator.gui.__file__).parent
    found = []
    for source in sorted(folder.glob("*.py")):
        tokens = tokenize.generate_tokens(io.StringIO(source.read_text(encoding="utf-8")).readline)
        found += [f"{source.name}:{t.start[0]}" for t in tokens if t.type == tokenize.STRING and "(s)" in t.string]
    assert found == []


def test_the_model_history_counts_one_document_as_one(tmp_path: Path) -> None:
    point = ModelPoint(id=1, name="m", version="v1", path=str(tmp_path), created_at=datetime.now(), current=True,
                       mode="dev", f=0.5, ci95=None, base_f=None, entities=1, documents=("a.txt",), trained_on=1)
    assert scored_on(point) == "dev split of 1 document, 1 entity"


# -- 6. the header keeps its height -----------------------------------------------------------------------

def test_the_article_does_not_move_down_when_model_vs_you_appears(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    window, _ = open_seed_000(qtbot, make_window, seeded_store)
    at_size(qtbot, window, 1024, 700)

    def top() -> int:
        QApplication.processEvents()
        return window.article.mapTo(window, window.article.rect().topLeft()).y()

    before = top()
    assert "model vs you" not in window.editor.info.text()
    window.article.select_span(window.view.suggestions[0])
    qtbot.keyClick(window.article, Qt.Key.Key_Return)  # confirmed: "model vs you: 1 correct" appears
    settle(qtbot, window)
    assert "model vs you" in window.editor.info.text()
    assert top() == before
    for doc in seeded_store.list_documents():  # long and short titles, French and English
        window.open_document(doc.id)
        settle(qtbot, window)
        assert top() == before, doc.title


# -- found driving the app: a first start on a small screen --------------------------------------------

def test_a_first_start_on_a_small_screen_fits_the_window_on_it(qtbot, make_window, seeded_store) -> None:  # type: ignore[no-untyped-def]
    from annotator.gui import window_state

    window = make_window(seeded_store)  # asks for 1400 x 900; the offscreen screen is smaller
    room = window.screen().availableGeometry()
    assert window.width() > room.width() or window.height() > room.height()
    assert window_state.fit_to_screen(window)
    qtbot.waitUntil(lambda: window.width() <= room.width() and window.height() <= room.height())
    assert not window_state.fit_to_screen(window)  # a window that fits is left alone

"""Results of background jobs (training, evaluation) appear beside the article without taking the
keys meant for it: not modal, shown without activation, gone when closed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QVBoxLayout, QWidget

from annotator.gui.model_menu import present


def test_a_result_does_not_take_the_keyboard(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = QWidget()
    layout = QVBoxLayout(window)
    typing = QLineEdit()
    layout.addWidget(typing)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    typing.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is typing)
    dialog = QDialog(window)
    present(dialog)
    qtbot.waitExposed(dialog)
    assert not dialog.isModal() and QApplication.activeModalWidget() is None
    qtbot.keyClicks(QApplication.focusWidget(), "abc")
    assert typing.text() == "abc"  # the next keys still reach what the person was typing in
    assert dialog.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)


def test_after_a_dialog_the_window_takes_the_keyboard_again(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Without a window manager (Xvfb) nothing re-activates the window after a file dialog or a message
    box: its shortcuts did nothing until a click. ``give_back_keys`` activates it."""
    from annotator.gui.plain import give_back_keys

    main, other = QWidget(), QWidget()
    inside = QLineEdit(main)
    for w in (main, other):
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow)
    give_back_keys(inside)
    qtbot.waitUntil(main.isActiveWindow)

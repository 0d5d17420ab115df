"""Every command of the app in one table: it builds the menus and the F1 help, and README's key table
is checked against it (tests/gui/test_actions.py), so a shortcut is written down in one place.

Keys the article handles itself (labels, Enter, Delete, Tab, …) are listed in ``ARTICLE_KEYS``, next
to the command names ``ArticleView`` emits for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow


@dataclass(frozen=True)
class ActionSpec:
    menu: str
    text: str
    handler: str  # the window method it calls
    shortcuts: tuple[str, ...] = ()
    help: str = ""  # what F1 says it does; empty: not a keyboard command worth listing
    checkable: bool = False
    separator: bool = False  # a separator before it in its menu


# (keys, article command names, what they do): the article turns these keys into commands.
ARTICLE_KEYS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("1–9, letters", ("label",), "apply that label to the selection, or relabel the selected entity"),
    ("Enter", ("confirm",), "confirm the selected suggestion"),
    ("Delete / Backspace", ("delete",), "delete the selected entity, or dismiss the suggestion"),
    ("Tab / Shift+Tab", ("next-span", "previous-span"), "select the next / previous entity"),
    ("Space / Shift+Space", ("next-suggestion", "previous-suggestion"),
     "select the next / previous suggestion you have not reviewed yet"),
    ("[ / ]", ("grow-start", "grow-end"), "grow the selected entity by one token at its start / end"),
    ("{ / }", ("shrink-start", "shrink-end"), "shrink it by one token at its start / end"),
    ("Esc", ("clear",), "clear the selection"),
    ("=", ("label-all",), "give the selected entity's label to every other occurrence of its text in the article"),
)

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("&File", "Import files…", "ask_import_files", ("Ctrl+O",), "import files"),
    ActionSpec("&File", "Import folder…", "ask_import_folder", ("Ctrl+Shift+O",), "import a folder"),
    ActionSpec("&File", "Export training data…", "ask_export", ("Ctrl+E",), "export training data"),
    ActionSpec("&File", "Quit", "close", ("Ctrl+Q",), "quit", separator=True),
    ActionSpec("&Edit", "Undo", "undo", ("Ctrl+Z",), "undo any edit, status changes included"),
    ActionSpec("&Edit", "Redo", "redo", ("Ctrl+Shift+Z", "Ctrl+Y"), "redo"),
    ActionSpec("&Edit", "Accept all suggestions", "accept_all", ("Ctrl+Shift+A",),
               "accept all suggestions in the article", separator=True),
    ActionSpec("&Edit", "Add label…", "add_label", ("Ctrl+L",), "add a label"),
    ActionSpec("&Edit", "Search documents", "focus_search", ("Ctrl+F",),
               "search the document list (Return opens the first article found)"),
    ActionSpec("&Edit", "Label all occurrences in the corpus…", "label_all_corpus", ("Ctrl+Shift+L",),
               "the selected entity's label on every occurrence in the corpus, from a preview"),
    ActionSpec("&Edit", "Show / hide the document list", "toggle_list", ("Ctrl+\\",), "show / hide the document list"),
    ActionSpec("&Edit", "Ask about unreviewed suggestions when accepting", "toggle_ask_on_accept",
               checkable=True, separator=True),
    ActionSpec("&Document", "Accept (done) and next", "accept_document", ("Ctrl+Return",),
               "accept the article (done) and go to the next unfinished one"),
    ActionSpec("&Document", "Reject and next", "reject_document", ("Ctrl+Shift+R",),
               "reject the article (excluded from training) and go on"),
    ActionSpec("&Document", "Flag and next", "flag_document", ("Ctrl+Shift+F",), "flag the article and go on"),
    ActionSpec("&Document", "Next document", "next_document", ("Alt+Right",), "next article (skip)",
               separator=True),
    ActionSpec("&Document", "Previous document", "previous_document", ("Alt+Left",), "previous article"),
    ActionSpec("&Document", "Next unfinished", "next_unfinished", ("Ctrl+Shift+Right",), "next unfinished article"),
    ActionSpec("&Document", "Next needing attention", "next_attention", ("Ctrl+Shift+N",),
               "next article an import marked \"needs attention\" (spans kept as the file gave them)", separator=True),
    ActionSpec("&Document", "Attention resolved", "resolve_attention", ("Ctrl+Shift+K",),
               "take the open article off the \"needs attention\" list (its spans stay as they are)"),
    ActionSpec("&Model", "Suggest entities for new documents", "suggest_new"),
    ActionSpec("&Model", "Re-run the model on unfinished documents", "suggest_again"),
    ActionSpec("&Model", "Train on accepted corrections", "start_training", ("Ctrl+T",),
               "train the model of the open article's language on the accepted corrections", separator=True),
    ActionSpec("&Model", "Evaluate: base vs latest trained model", "start_evaluation"),
    ActionSpec("&Model", "Use the latest trained model for suggestions", "use_latest_model"),
    ActionSpec("&Model", "Go back to the default model", "use_default_model"),
    ActionSpec("&Model", "Model history: F per version, make an earlier model current…", "show_model_history",
               separator=True),
    ActionSpec("&Model", "Background learning: train after every K accepted articles…", "set_learning_every"),
    ActionSpec("&Model", "Next unfinished: most uncertain first", "toggle_uncertainty_order", checkable=True),
    ActionSpec("&Team", "Change annotator name…", "ask_user_name"),
    ActionSpec("&Team", "Review mode: edit the gold version", "toggle_review", ("Ctrl+Shift+G",),
               "review mode: edit the gold version, take an annotator's version", checkable=True),
    ActionSpec("&Team", "Agreement between annotators…", "show_agreement"),
    ActionSpec("&Team", "Consistency: strings labelled in more than one way…", "show_consistency"),
    ActionSpec("&Help", "Keyboard shortcuts", "show_shortcuts", ("F1",), "this list of keys"),
)


def help_rows() -> list[tuple[str, str]]:
    """(keys, what they do) for every keyboard command, article keys first: the F1 help."""
    rows = [(keys, what) for keys, _, what in ARTICLE_KEYS]
    rows += [(" / ".join(a.shortcuts), a.help) for a in ACTIONS if a.shortcuts and a.help]
    return rows


def markdown_table() -> str:
    """README's key table (``python -m annotator.gui.actions`` prints it)."""
    return "\n".join(["| key | does |", "|---|---|", *(f"| {k} | {w} |" for k, w in help_rows())])


def build_menus(window: QMainWindow, handlers: dict[str, Callable[[], object]]) -> dict[str, QAction]:
    """The menu bar from ``ACTIONS``; returns the actions by handler name."""
    built: dict[str, QAction] = {}
    menus = {}
    for spec in ACTIONS:
        if spec.menu not in menus:
            menus[spec.menu] = window.menuBar().addMenu(spec.menu)
        menu = menus[spec.menu]
        if spec.separator:
            menu.addSeparator()
        act = QAction(spec.text, window)
        act.setShortcuts([QKeySequence(k) for k in spec.shortcuts])
        act.setCheckable(spec.checkable)
        slot = handlers[spec.handler]
        act.triggered.connect(lambda _=False, slot=slot: slot())
        menu.addAction(act)
        built[spec.handler] = act
    return built


if __name__ == "__main__":
    print(markdown_table())

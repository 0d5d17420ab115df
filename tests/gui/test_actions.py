"""One table of actions builds the menus and the F1 help; README's key table is that table."""

from __future__ import annotations

from pathlib import Path

from annotator.gui.actions import ACTIONS, ARTICLE_KEYS, help_rows
from annotator.gui.article_view import COMMAND_KEYS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_article_command_is_in_the_help() -> None:
    helped = {name for _, names, _ in ARTICLE_KEYS for name in names}
    assert set(COMMAND_KEYS.values()) | {"label"} == helped


def test_readme_lists_every_key_as_the_app_does() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [f"| {keys} | {what} |" for keys, what in help_rows() if f"| {keys} | {what} |" not in readme]
    assert not missing, ("README's key table differs from annotator/gui/actions.py "
                         "(python -m annotator.gui.actions prints it):\n" + "\n".join(missing))


def test_menus_are_built_from_the_table(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.gui.conftest import single_document_store

    window = make_window(single_document_store(tmp_path, "Antony Blinken met Nasser Bourita."))
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    for spec in ACTIONS:
        assert window.actions_by_name[spec.handler] in menus[spec.menu].actions()  # (some are renamed later)
        shortcuts = [s.toString() for s in window.actions_by_name[spec.handler].shortcuts()]
        assert shortcuts == list(spec.shortcuts)

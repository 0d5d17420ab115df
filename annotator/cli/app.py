"""``annotator gui``: the desktop app. The only command that imports the GUI (checked by a contract)."""

from __future__ import annotations

from annotator.core.errors import AnnotatorError


def run(db: str | None, user: str | None) -> int:
    """Open the app on ``db``; with no ``user`` the app asks for a name at first start."""
    try:
        from annotator.gui.app import run as run_app
    except ImportError as exc:
        raise AnnotatorError(f"the desktop app cannot start: {exc}") from exc
    return run_app(db, user)

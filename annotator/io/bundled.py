"""Where the files shipped beside the code live: ``seeds/`` and ``resources/``.

In a source checkout (or editable install) they sit next to the ``annotator`` package; in a
PyInstaller folder app they are unpacked under ``sys._MEIPASS``.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _roots() -> list[Path]:
    roots = []
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        roots.append(Path(frozen))
    roots.append(Path(__file__).resolve().parents[2])
    return roots


def bundled_path(name: str) -> Path | None:
    """The shipped folder or file ``name`` ("seeds", "resources/icon.svg"), or None if absent."""
    for root in _roots():
        candidate = root / name
        if candidate.exists():
            return candidate
    return None


def seeds_folder() -> Path | None:
    return bundled_path("seeds")

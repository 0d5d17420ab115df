"""Who is annotating: the name every human span and status change is recorded under."""

from __future__ import annotations

import getpass
import os
import unicodedata

ENV_USER = "ANNOTATOR_USER"


def login_name() -> str:
    """``$ANNOTATOR_USER``, else the login name, else "annotator" (containers may have none)."""
    try:
        return os.environ.get(ENV_USER) or getpass.getuser()
    except Exception:
        return "annotator"


def invisible(c: str) -> bool:
    """A control or invisible format character (ESC, a line break, a right-to-left override, a
    zero-width space): never part of a name."""
    return unicodedata.category(c) in ("Cc", "Cf")


def check_user_name(name: str) -> str:
    """Names are free text but not empty, not padded, not the reserved gold layer, and without a
    control or invisible format character (ESC sequences, a right-to-left override, a zero-width
    space): a name is printed in reports, tables and the app, and must show what it is. The one rule
    for names from files, ``--user`` and the app's name prompt."""
    from annotator.core.errors import AnnotatorError
    from annotator.core.limits import shown
    from annotator.core.span import GOLD

    bad = next((c for c in name if invisible(c)), None)
    if bad is not None:
        raise AnnotatorError(f"the annotator name {shown(name)} contains an invisible or control character "
                             f"(U+{ord(bad):04X}); use letters, digits, spaces and punctuation")
    cleaned = " ".join(name.split())
    if not cleaned:
        raise AnnotatorError("the annotator name cannot be empty")
    if cleaned.startswith("@") and cleaned != GOLD:
        raise AnnotatorError("names starting with '@' are reserved")
    if len(cleaned) > 100:
        raise AnnotatorError("the annotator name is longer than 100 characters")
    return cleaned

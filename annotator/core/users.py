"""Who is annotating: the name every human span and status change is recorded under."""

from __future__ import annotations

import getpass
import os

ENV_USER = "ANNOTATOR_USER"


def login_name() -> str:
    """``$ANNOTATOR_USER``, else the login name, else "annotator" (containers may have none)."""
    try:
        return os.environ.get(ENV_USER) or getpass.getuser()
    except Exception:
        return "annotator"


def check_user_name(name: str) -> str:
    """Names are free text but not empty, not padded, and not the reserved gold layer."""
    from annotator.core.errors import AnnotatorError
    from annotator.core.span import GOLD

    cleaned = " ".join(name.split())
    if not cleaned:
        raise AnnotatorError("the annotator name cannot be empty")
    if cleaned.startswith("@") and cleaned != GOLD:
        raise AnnotatorError("names starting with '@' are reserved")
    if len(cleaned) > 100:
        raise AnnotatorError("the annotator name is longer than 100 characters")
    return cleaned

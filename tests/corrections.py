"""The systematic correction the tests teach: the small English model calls "Blinken" a GPE (or
ORG); the analysts say PERSON."""

from __future__ import annotations

import shutil
from pathlib import Path

from annotator.core.document import DocumentStatus
from annotator.store import Store

BLINKEN = ("Blinken", "Antony Blinken", "Anthony Blinken")


def correct_blinken(store: Store, document_id: int, user: str = "alice", names: tuple[str, ...] = ("Blinken",)) -> int:
    """Relabel the document's "Blinken" suggestions as PERSON; returns how many were wrong."""
    view = store.view(document_id, user)
    wrong = [s for s in view.suggestions if view.text[s.start : s.end] in names and s.label != "PERSON"]
    for s in wrong:
        store.relabel_span(s.id, "PERSON", user)
    return len(wrong)


def accept_english_corrected(store: Store, user: str = "alice", names: tuple[str, ...] = ("Blinken",)) -> None:
    """Every English document: correct Blinken, then accept (which confirms the other suggestions)."""
    for doc in store.list_documents():
        if doc.language == "en":
            correct_blinken(store, doc.id, user, names)
            store.set_status(doc.id, DocumentStatus.ACCEPTED, user)


def open_copy(template: Path, folder: Path) -> Store:
    """A store on a fresh copy of a template file (closed, so the copy is complete)."""
    path = folder / f"copy-of-{template.name}"
    shutil.copy(template, path)
    return Store.open(str(path))

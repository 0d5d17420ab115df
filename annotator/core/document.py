"""Documents: the exact article text plus what the workflow needs to know about it."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from annotator.core.language import require_language


class DocumentStatus(StrEnum):
    """Where a document is in the workflow. Values are stored as-is in the database and in JSONL."""

    NEW = "new"
    PREANNOTATED = "pre-annotated"
    IN_PROGRESS = "in progress"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FLAGGED = "flagged"

    @property
    def finished(self) -> bool:
        """Finished documents are skipped by "next unfinished" and never re-suggested by a model."""
        return self in (DocumentStatus.ACCEPTED, DocumentStatus.REJECTED)

    @classmethod
    def parse(cls, value: str) -> DocumentStatus:
        """Accept the stored value or a forgiving spelling ("in_progress", "Pre-Annotated", "done")."""
        key = value.strip().lower().replace("_", " ").replace("-", " ")
        aliases = {"done": cls.ACCEPTED, "preannotated": cls.PREANNOTATED}
        if key in aliases:
            return aliases[key]
        for status in cls:
            if status.value.replace("-", " ") == key:
                return status
        raise ValueError(f"unknown status {value!r} (expected one of: {', '.join(s.value for s in cls)})")


def content_hash(text: str) -> str:
    """SHA-256 of the NFC-normalised text: the same article saved by two tools (NFC vs NFD accents)
    is still recognised as a duplicate, while the stored text itself is kept byte-exact."""
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()


def title_of(text: str, limit: int = 80) -> str:
    """The first non-empty line, shortened: news articles start with their headline."""
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


def title_for(text: str, meta: Mapping[str, Any] | None, limit: int = 80) -> str:
    """The title a file gives (``meta["title"]``: our JSONL and Prodigy's ``meta``, doccano's
    top-level ``title``, Label Studio's ``data.title``), on one line and shortened; else the text's
    first non-empty line (``title_of``)."""
    given = (meta or {}).get("title")
    if isinstance(given, str) and (title := title_of(" ".join(given.split()), limit)):
        return title
    return title_of(text, limit)


@dataclass
class NewDocument:
    """A document about to be imported: validated, not yet stored."""

    text: str
    source: str
    language: str
    status: DocumentStatus = DocumentStatus.NEW
    had_bom: bool = False
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Stored languages are spaCy's codes: "italian", "it-IT", "ita" become "it" (readers refuse
        # an unknown one by file, line and field before it gets here; an option such as --language
        # is refused here, by name).
        self.language = require_language(self.language)

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)

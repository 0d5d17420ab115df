"""What every reader yields: one ``Record`` per document, with where it came from for messages, and
the ``ReadContext`` it reports problems (refuse the import) and warnings (skipped, said in the report) to."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from annotator.core.document import DocumentStatus
from annotator.core.errors import Problem
from annotator.core.imported import Annotation
from annotator.core.limits import json_problems, source_problem, string_problem
from annotator.core.plural import plural
from annotator.core.span import SpanData


@dataclass
class Record:
    line: int  # 1-based: the line of a JSONL/CoNLL file, the position of the document in a DocBin or JSON array
    text: str
    spans: list[SpanData] | None  # the importing user's (or --predictions model's) layer; None: no spans given
    meta: dict[str, Any]
    status: DocumentStatus | None
    language: str | None
    span_field: str = "spans"  # where ``spans`` came from, for messages: spans, label, entities, docs[2].ents
    in_docbin: bool = False  # a file without lines: messages name the document in the field
    annotations: list[Annotation] = field(default_factory=list)  # layers of named authors, rejections
    tokens: list[tuple[int, int]] | None = None  # the file's own tokenization (CoNLL), kept in meta
    discontinuous: int = 0  # discontinuous spans the file had, stored as their pieces
    name: str | None = None  # the document's source in the store, when the format names it
    had_bom: bool = False  # a text file's byte order mark (stripped, recorded)
    text_field: str = "text"  # where the text and the metadata are in the file, for messages
    meta_field: str = "meta"

    def problem(self, source: str, reason: str, field: str) -> Problem:
        """A problem with one field of this record, located the way its file can be looked at."""
        return Problem(source, reason, line=None if self.in_docbin else self.line, field=field)


@dataclass
class ReadContext:
    """Where a reader reports: ``problems`` refuse the whole import; ``warnings`` (e.g. an empty task
    skipped) are said in the report. ``strict``: what would be a warning is a problem."""

    source: str
    problems: list[Problem]
    warnings: list[Problem] = field(default_factory=list)
    strict: bool = False
    skipped: int = 0  # empty tasks left out (each also a warning)
    left_out: dict[str, int] = field(default_factory=dict)  # what the file holds besides entities, by kind

    def leave_out(self, kind: str, n: int = 1) -> None:
        """``n`` annotations of a ``kind`` we do not import (relations, document categories...): said
        once per file, after it is read (``left_out_warning``)."""
        if n > 0:
            self.left_out[kind] = self.left_out.get(kind, 0) + n

    def bad(self, reason: str, line: int | None = None, fld: str | None = None) -> None:
        self.problems.append(Problem(self.source, reason, line=line, field=fld))

    def skip(self, reason: str, line: int | None = None, fld: str | None = None, what: str = "task") -> None:
        """Something left out of the import (an empty task): a warning, or a problem when strict."""
        if self.strict:
            self.problems.append(Problem(self.source, reason, line=line, field=fld))
        else:
            self.skipped += 1
            self.warnings.append(Problem(self.source, f"{reason}: the {what} was skipped", line=line, field=fld))


def left_out_warning(ctx: ReadContext) -> Problem | None:
    """One warning naming what a file held besides entities (None: nothing)."""
    if not ctx.left_out:
        return None
    kinds = ", ".join(plural(n, kind) for kind, n in ctx.left_out.items())
    return Problem(ctx.source, f"{kinds} not imported (only entities are)")


def store_problems(rec: Record, source: str) -> list[Problem]:
    """What the store could not keep of a record built by a reader that does not check it itself
    (the JSONL and DocBin readers do, field by field): NUL or lone surrogates in the text, metadata
    that is not JSON, an over-long document name."""
    found = []
    if (problem := string_problem(rec.text)) is not None:
        found.append(rec.problem(source, problem, rec.text_field))
    found.extend(rec.problem(source, reason, fld) for fld, reason in json_problems(rec.meta, rec.meta_field))
    if rec.name is not None and (problem := source_problem(rec.name)) is not None:
        found.append(Problem(source, f"cannot be imported: {problem}"))
    return found


def json_problem(exc: json.JSONDecodeError) -> str:
    """json's message and where: "Expecting ',' delimiter at column 12"; its "Unterminated string
    starting at" already ends in "at" (not "starting at at column 10")."""
    where = "" if exc.msg.endswith(" at") else " at"
    return f"{exc.msg}{where} column {exc.colno}"

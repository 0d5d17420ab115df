"""JSONL documents, one JSON object a line, in any of these shapes (told apart line by line, or
forced with ``--format``):

- ours: ``{"text", "spans": [{"start", "end", "label"}], "meta"?, "status"?, "language"?}``
- Prodigy tasks (``answer``, ``_input_hash``...): answers with their meaning, ``readers/prodigy.py``
- doccano: ``label``, ``entities`` and 1.x ``data`` shapes, ``readers/doccano.py``

Offsets are code points, end exclusive. A malformed line (bad JSON, offsets outside the text, a label
or metadata the store cannot keep) refuses the whole import, with its line and field; every line is
still read, so every problem is reported. A line whose text is empty or only whitespace is an empty
task: skipped, with a warning. What the spans look like (whitespace at an edge, overlaps, token
boundaries) is the importer's to judge, not this reader's.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.core.document import DocumentStatus
from annotator.core.errors import Problem
from annotator.core.limits import (
    file_name_problem,
    json_problems,
    language_problem,
    shown,
    source_problem,
    string_problem,
)
from annotator.io.readers import doccano, prodigy
from annotator.io.readers.base import ReadContext, Record, json_problem
from annotator.io.readers.spans import span_list

JsonlRecord = Record  # the name the other readers knew it by

SHAPES = ("jsonl", "prodigy", "doccano")


def read_jsonl(path: Path, source: str) -> tuple[list[Record], list[Problem]]:
    """Every record of a JSONL file at once (``iter_jsonl`` streams)."""
    ctx = ReadContext(source, [])
    return [rec for rec, _ in iter_jsonl(path, ctx)], ctx.problems


def iter_jsonl(path: Path, ctx: ReadContext, shape: str | None = None) -> Iterator[tuple[Record, int]]:
    """The records of a JSONL file a line at a time, with the bytes read so far (memory stays flat)."""
    named = file_name_problem(f"{ctx.source}:{10**9}")  # documents without meta.source are named file:line
    if named is not None:
        ctx.bad(f"cannot be imported: {named}")
        return
    before, found = len(ctx.problems), False
    try:
        with open(path, "rb") as handle:
            offset = 0
            for line_no, raw in enumerate(handle, start=1):
                offset += len(raw)
                if line_no == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8):]
                raw = raw.removesuffix(b"\n")
                if not raw.strip():
                    continue
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    ctx.bad(f"is not valid UTF-8 (byte offset {exc.start} in the line)", line_no)
                    continue
                found = True
                record = parse_line(line, line_no, ctx, shape)
                if record is not None:
                    yield record, offset
    except OSError as exc:
        ctx.bad(f"cannot be read: {exc.strerror or exc}")
        return
    if not found and len(ctx.problems) == before:
        ctx.bad("holds no documents (no non-empty lines)")


DUPLICATE_KEY = "appears twice in one object (JSON would keep only the last value, without a word)"


class DuplicateKey(ValueError):
    """An object names one key twice: json keeps the last value without a word (the first -- the text,
    a label, an offset -- would be lost silently)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``json.loads``'s ``object_pairs_hook``: the object, or ``DuplicateKey`` naming the key given twice."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return obj


def parse_line(raw: str, line: int, ctx: ReadContext, shape: str | None = None) -> Record | None:
    try:
        obj = json.loads(raw, object_pairs_hook=unique_keys)
    except DuplicateKey as exc:
        ctx.bad(DUPLICATE_KEY, line, exc.key)
        return None
    except json.JSONDecodeError as exc:
        ctx.bad(f"is not valid JSON ({json_problem(exc)})", line)
        return None
    except RecursionError:
        ctx.bad("is not valid JSON for import (nested too deeply)", line)
        return None
    except ValueError:  # the only other ValueError: an integer of over 4,300 digits (int_max_str_digits)
        ctx.bad("is not valid JSON for import (a number has more than 4,300 digits)", line)
        return None
    return parse_object(obj, line, ctx, shape)


def parse_object(obj: Any, line: int, ctx: ReadContext, shape: str | None = None,
                 where: str = "", in_docbin: bool = False) -> Record | None:
    """One task/document object (a JSONL line, or an item of a JSON array: then ``where`` is its
    position, ``items[3]``, and ``in_docbin`` says messages name it instead of a line)."""
    at = None if in_docbin else line

    def bad(reason: str, fld: str | None = None) -> None:
        ctx.bad(reason, at, f"{where}.{fld}" if where and fld else (where or fld))

    if not isinstance(obj, dict):
        bad(f"must be a JSON object, not {type(obj).__name__}")
        return None
    is_doccano = shape == "doccano" or (shape is None and doccano.is_line(obj))
    text_field = doccano.text_field(obj) if is_doccano else "text"
    text = obj.get(text_field)
    if not isinstance(text, str):
        bad("is missing" if text is None else f"must be a string, not {type(text).__name__}", text_field)
        return None
    if not text.strip():
        ctx.skip("is empty or only whitespace", at,
                 f"{where}.{text_field}" if where else text_field)
        return None
    # From here on every field is checked, so one pass over the file reports everything wrong with it.
    found = len(ctx.problems)
    problem = string_problem(text)
    if problem is not None:
        bad(problem, text_field)
    meta_path = "" if is_doccano and not isinstance(obj.get("meta"), dict) else "meta"
    meta: Any = doccano.meta(obj) if is_doccano else obj.get("meta", {})
    if not isinstance(meta, dict):
        bad(f"must be an object, not {type(meta).__name__}", "meta")
        meta = {}
    for fld, reason in json_problems(meta, meta_path):
        bad(reason, fld)
    if meta.get("source"):  # the document's name in the store instead of file:line
        source_fld = f"{meta_path}.source" if meta_path else "source"
        doc_source = meta["source"]
        if isinstance(doc_source, bool) or not isinstance(doc_source, str | int):
            bad(f"must be a string, not {type(doc_source).__name__}", source_fld)
        elif (problem := source_problem(str(doc_source))) is not None:
            bad(problem, source_fld)
    status = _status(obj, meta, bad)
    language_field = "language" if "language" in obj else "meta.language"
    language = obj.get("language", meta.get("language"))
    if language is not None:
        if not isinstance(language, str):
            bad(f"must be a language code such as 'en', not {type(language).__name__}", language_field)
            language = None
        elif (problem := language_problem(language)) is not None:
            bad(problem, language_field)
    given = doccano.spans(obj) if is_doccano else ("spans", obj["spans"]) if "spans" in obj else None
    parsed = None
    if given is not None:
        name, value = given
        label_field = doccano.label_field if is_doccano else (lambda fld: f"{fld}.label")
        parsed = span_list(value, text, bad, name, label_field)
    rec = Record(line, text, None if parsed is None else [sp for _, sp, _ in parsed], dict(meta), status, language,
                 span_field=f"{where}.{given[0]}" if where and given else given[0] if given else "spans",
                 in_docbin=in_docbin)
    relations = obj.get("relations")
    if isinstance(relations, list):  # doccano's, Prodigy's rel.manual
        ctx.leave_out("relation", len(relations))
    if shape == "prodigy" or (shape is None and not is_doccano and prodigy.is_task(obj)):
        prodigy.apply_answers(obj, rec, parsed or [], bad)
    if len(ctx.problems) > found:
        return None
    return rec


def _status(obj: dict[str, Any], meta: dict[str, Any], bad: Any) -> DocumentStatus | None:
    """``status`` (ours, or in ``meta``), else None (the importer, or the Prodigy answers, decide)."""
    status_field = "status" if "status" in obj else "meta.status" if "status" in meta else None
    if status_field is None:
        return None
    value = str(obj.get("status", meta.get("status")))
    try:
        return DocumentStatus.parse(value)
    except ValueError:
        bad(f"unknown status {shown(value)} (expected one of: {', '.join(s.value for s in DocumentStatus)})",
            status_field)
        return None

"""JSONL documents, one JSON object a line, in any of three shapes (told apart line by line):

- ours / Prodigy: ``{"text", "spans": [{"start", "end", "label", ...}], "meta"?, "status"?, "answer"?}``
- doccano: ``{"text", "label": [[start, end, label], ...]}`` with metadata at the top level
- doccano with relations: ``{"text", "entities": [{"start_offset", "end_offset", "label"}]}``

Offsets are code points, end exclusive. Every problem is reported with its line and field; one bad
line refuses the whole file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.document import DocumentStatus
from annotator.core.errors import Problem, SpanRefused
from annotator.core.span import SpanData, check_bounds, first_overlap


@dataclass
class JsonlRecord:
    line: int
    text: str
    spans: list[SpanData] | None
    meta: dict[str, Any]
    status: DocumentStatus | None
    language: str | None


def read_jsonl(path: Path, source: str) -> tuple[list[JsonlRecord], list[Problem]]:
    records: list[JsonlRecord] = []
    problems: list[Problem] = []
    for line_no, raw in _lines(path, source, problems):
        record = _parse_line(raw, line_no, source, problems)
        if record is not None:
            records.append(record)
    if not records and not problems:
        problems.append(Problem(source, "holds no documents (no non-empty lines)"))
    return records, problems


def _lines(path: Path, source: str, problems: list[Problem]) -> Iterator[tuple[int, str]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(source, f"cannot be read: {exc.strerror or exc}"))
        return
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for line_no, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            yield line_no, raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(source, f"is not valid UTF-8 (byte offset {exc.start} in the line)", line=line_no))


def _parse_line(raw: str, line: int, source: str, problems: list[Problem]) -> JsonlRecord | None:
    def bad(reason: str, fld: str | None = None) -> None:
        problems.append(Problem(source, reason, line=line, field=fld))

    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        bad(f"is not valid JSON ({exc.msg} at column {exc.colno})")
        return None
    except RecursionError:
        bad("is not valid JSON for import (nested too deeply)")
        return None
    if not isinstance(obj, dict):
        bad(f"must be a JSON object, not {type(obj).__name__}")
        return None
    text = obj.get("text")
    if not isinstance(text, str):
        bad("is missing" if text is None else f"must be a string, not {type(text).__name__}", "text")
        return None
    if not text.strip():
        bad("is empty", "text")
        return None
    doccano = "spans" not in obj and ("label" in obj or "entities" in obj)
    if doccano and "meta" not in obj:  # doccano keeps metadata keys at the top level
        meta = {k: v for k, v in obj.items() if k not in _DOCCANO_KEYS}
    else:
        meta = obj.get("meta", {})
    if not isinstance(meta, dict):
        bad(f"must be an object, not {type(meta).__name__}", "meta")
        return None
    status = None
    status_field = "status" if "status" in obj else "meta.status" if "status" in meta else None
    if status_field is not None:
        try:
            status = DocumentStatus.parse(str(obj.get("status", meta.get("status"))))
        except ValueError as exc:
            bad(str(exc), status_field)
            return None
    elif "answer" in obj:  # Prodigy
        if obj["answer"] not in _ANSWERS:
            bad(f"must be one of accept, reject, ignore, not {obj['answer']!r}", "answer")
            return None
        status = _ANSWERS[obj["answer"]]
    language = obj.get("language", meta.get("language"))
    if language is not None and (not isinstance(language, str) or not language.strip()):
        bad("must be a language code such as 'en'", "language")
        return None
    spans = None
    span_key = next((k for k in ("spans", "label", "entities") if k in obj), None)
    if span_key is not None:
        convert = {"spans": lambda v: v, "label": _from_doccano_label, "entities": _from_doccano_entities}[span_key]
        spans = _parse_spans(convert(obj[span_key]), text, bad, span_key)
        if spans is None:
            return None
    return JsonlRecord(line, text, spans, meta, status, language)


_DOCCANO_KEYS = {"text", "label", "entities", "relations", "id", "status", "language"}
_ANSWERS = {"accept": DocumentStatus.ACCEPTED, "reject": DocumentStatus.REJECTED, "ignore": DocumentStatus.IN_PROGRESS}


def _from_doccano_label(value: Any) -> Any:
    """``[[start, end, label], ...]`` -> span objects (anything else is passed on to be reported)."""
    if not isinstance(value, list):
        return value
    return [{"start": v[0], "end": v[1], "label": v[2]} if isinstance(v, list) and len(v) == 3 else v for v in value]


def _from_doccano_entities(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    return [{"start": v.get("start_offset"), "end": v.get("end_offset"), "label": v.get("label")}
            if isinstance(v, dict) else v for v in value]


def _parse_spans(value: Any, text: str, bad: Any, name: str) -> list[SpanData] | None:
    if not isinstance(value, list):
        bad(f"must be a list, not {type(value).__name__}", name)
        return None
    spans: list[SpanData] = []
    ok = True
    for i, item in enumerate(value):
        fld = f"{name}[{i}]"
        if not isinstance(item, dict):
            bad("must be an object with start, end and label", fld)
            ok = False
            continue
        start, end, label = item.get("start"), item.get("end"), item.get("label")
        if not isinstance(label, str) or not label.strip():
            bad("must be a non-empty string", f"{fld}.label")
            ok = False
            continue
        try:
            start, end = check_bounds(text, start, end)
        except SpanRefused as exc:
            bad(str(exc), fld)
            ok = False
            continue
        spans.append(SpanData(start, end, label.strip()))
    if not ok:
        return None
    clash = first_overlap(spans)
    if clash is not None:
        a, b = clash
        bad(f"span {a.start}-{a.end} ({a.label}) overlaps span {b.start}-{b.end} ({b.label})", name)
        return None
    return spans

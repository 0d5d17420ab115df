"""JSONL documents: one JSON object a line, ``{"text", "meta"?, "spans"?, "status"?, "language"?}``.

Spans are ``{"start", "end", "label"}`` with character offsets (end exclusive), as Prodigy writes them.
Every problem is reported with its line and field; one bad line refuses the whole file.
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
    meta = obj.get("meta", {})
    if not isinstance(meta, dict):
        bad(f"must be an object, not {type(meta).__name__}", "meta")
        return None
    status = None
    if "status" in obj:
        try:
            status = DocumentStatus.parse(str(obj["status"]))
        except ValueError as exc:
            bad(str(exc), "status")
            return None
    language = obj.get("language", meta.get("language"))
    if language is not None and (not isinstance(language, str) or not language.strip()):
        bad("must be a language code such as 'en'", "language")
        return None
    spans = None
    if "spans" in obj:
        spans = _parse_spans(obj["spans"], text, bad)
        if spans is None:
            return None
    return JsonlRecord(line, text, spans, meta, status, language)


def _parse_spans(value: Any, text: str, bad: Any) -> list[SpanData] | None:
    if not isinstance(value, list):
        bad(f"must be a list, not {type(value).__name__}", "spans")
        return None
    spans: list[SpanData] = []
    ok = True
    for i, item in enumerate(value):
        fld = f"spans[{i}]"
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
            check_bounds(text, start, end)
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
        bad(f"span {a.start}-{a.end} ({a.label}) overlaps span {b.start}-{b.end} ({b.label})", "spans")
        return None
    return spans

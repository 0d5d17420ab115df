"""JSONL documents, one JSON object a line, in any of three shapes (told apart line by line):

- ours / Prodigy: ``{"text", "spans": [{"start", "end", "label", ...}], "meta"?, "status"?, "answer"?}``
- doccano: ``{"text", "label": [[start, end, label], ...]}`` with metadata at the top level
- doccano with relations: ``{"text", "entities": [{"start_offset", "end_offset", "label"}]}``

Offsets are code points, end exclusive. Every problem is reported with its line and field; one bad
line refuses the whole file. Whatever the store could not keep is refused here, where the line is
known: label names outside the label rule, language codes, over-long sources, NUL and lone
surrogates in any string, NaN in metadata (``annotator.core.limits``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.core.document import DocumentStatus
from annotator.core.errors import Problem, SpanRefused
from annotator.core.labels import label_name_problem
from annotator.core.limits import (
    file_name_problem,
    json_problems,
    language_problem,
    shown,
    source_problem,
    string_problem,
)
from annotator.core.span import SpanData, check_bounds, first_overlap


@dataclass
class JsonlRecord:
    line: int  # 1-based: the line of a JSONL file, the position of the document in a DocBin
    text: str
    spans: list[SpanData] | None
    meta: dict[str, Any]
    status: DocumentStatus | None
    language: str | None
    span_field: str = "spans"  # where ``spans`` came from, for messages: spans, label, entities, docs[2].ents
    in_docbin: bool = False  # a binary file has no lines: messages name the document in the field

    def problem(self, source: str, reason: str, field: str) -> Problem:
        """A problem with one field of this record, located the way its file can be looked at."""
        return Problem(source, reason, line=None if self.in_docbin else self.line, field=field)


def read_jsonl(path: Path, source: str) -> tuple[list[JsonlRecord], list[Problem]]:
    records: list[JsonlRecord] = []
    problems: list[Problem] = []
    named = file_name_problem(f"{source}:{10**9}")  # documents without meta.source are named file:line
    if named is not None:
        return [], [Problem(source, f"cannot be imported: {named}")]
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
    except ValueError:  # the only other ValueError: an integer of over 4,300 digits (int_max_str_digits)
        bad("is not valid JSON for import (a number has more than 4,300 digits)")
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
    # From here on every field is checked, so one pass over the file reports everything wrong with it.
    found = len(problems)
    problem = string_problem(text)
    if problem is not None:
        bad(problem, "text")
    doccano = "spans" not in obj and ("label" in obj or "entities" in obj)
    top_level_meta = doccano and "meta" not in obj  # doccano keeps metadata keys at the top level
    meta_path = "" if top_level_meta else "meta"
    meta = {k: v for k, v in obj.items() if k not in _DOCCANO_KEYS} if top_level_meta else obj.get("meta", {})
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
        elif (problem := language_problem(language)) is not None:
            bad(problem, language_field)
    spans = None
    span_key = next((k for k in ("spans", "label", "entities") if k in obj), None)
    if span_key is not None:
        convert = {"spans": lambda v: v, "label": _from_doccano_label, "entities": _from_doccano_entities}[span_key]
        spans = _parse_spans(convert(obj[span_key]), text, bad, span_key)
    if len(problems) > found:
        return None
    return JsonlRecord(line, text, spans, meta, status, language, span_field=span_key or "spans")


def _status(obj: dict[str, Any], meta: dict[str, Any], bad: Callable[[str, str], None]) -> DocumentStatus | None:
    """``status`` (ours, or in ``meta``), else Prodigy's ``answer``, else None (the importer decides)."""
    status_field = "status" if "status" in obj else "meta.status" if "status" in meta else None
    if status_field is not None:
        value = str(obj.get("status", meta.get("status")))
        try:
            return DocumentStatus.parse(value)
        except ValueError:
            bad(f"unknown status {shown(value)} (expected one of: {', '.join(s.value for s in DocumentStatus)})",
                status_field)
            return None
    if "answer" in obj:  # Prodigy
        answer = obj["answer"]
        if not isinstance(answer, str) or answer not in _ANSWERS:
            bad(f"must be one of accept, reject, ignore, not {_brief(answer)}", "answer")
            return None
        return _ANSWERS[answer]
    return None


def _brief(value: Any) -> str:
    """A value from the file, as JSON, short enough for a one-line message (ASCII: safe anywhere)."""
    try:
        text = json.dumps(value, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        text = type(value).__name__
    return text if len(text) <= 60 else f"{text[:60]}… ({len(text):,} characters)"


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


def _label_field(name: str, fld: str) -> str:
    """Where a span's label is: ``spans[3].label``, ``entities[3].label``, doccano's ``label[3][2]``."""
    return f"{fld}[2]" if name == "label" else f"{fld}.label"


def _parse_spans(value: Any, text: str, bad: Callable[[str, str], None], name: str) -> list[SpanData] | None:
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
            bad("must be a non-empty string", _label_field(name, fld))
            ok = False
            continue
        problem = label_name_problem(label.strip())
        if problem is not None:
            bad(problem, _label_field(name, fld))
            ok = False
            continue
        if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
            bad(f"offsets must be integers, got start={_brief(start)}, end={_brief(end)}", fld)
            ok = False
            continue
        try:
            start, end = check_bounds(text, start, end)
        except SpanRefused as exc:
            reason = str(exc)  # quotes the span's text: keep the message one readable line
            bad(reason if len(reason) <= 200 else f"{reason[:200]}…", fld)
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

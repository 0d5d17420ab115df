"""Checks every reader applies to a span before it may reach the store: integer offsets inside the
text (end exclusive, not empty) and a label the scheme can hold. Nothing else: whitespace at an edge,
token boundaries and overlaps are judged by the importer (kept and marked, or refused with --strict)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from annotator.core.errors import AnnotatorError
from annotator.core.labels import label_name, label_name_problem
from annotator.core.span import SpanData
from annotator.core.users import check_user_name

Bad = Callable[[str, str], None]  # (reason, field)


def brief(value: Any) -> str:
    """A value from the file, as JSON, short enough for a one-line message (ASCII: safe anywhere)."""
    try:
        text = json.dumps(value, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        text = type(value).__name__
    return text if len(text) <= 60 else f"{text[:60]}… ({len(text):,} characters)"


def offsets_problem(text: str, start: Any, end: Any) -> str | None:
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        return f"offsets must be integers, got start={brief(start)}, end={brief(end)}"
    if start < 0 or end > len(text):
        return f"span {start}-{end} is outside the text (length {len(text)})"
    if start >= end:
        return f"span {start}-{end} is empty or reversed"
    return None


def label_problem(label: Any) -> str | None:
    if not isinstance(label, str) or not label.strip():
        return "must be a non-empty string"
    return _name_problem(label)


@functools.lru_cache(maxsize=4096)  # a corpus has few labels and states each many times
def _name_problem(label: str) -> str | None:
    return label_name_problem(label.strip())


def author_problem(name: Any) -> str | None:
    """Why ``name`` (an annotator named by the file) cannot name a layer, or None."""
    if not isinstance(name, str | int) or isinstance(name, bool):
        return f"must be a string, not {type(name).__name__}"
    try:
        check_user_name(str(name))
    except AnnotatorError as exc:
        return str(exc)
    return None


def span(text: str, start: Any, end: Any, label: Any, bad: Bad, fld: str, label_fld: str) -> SpanData | None:
    """The span, or None after reporting why it cannot be one."""
    problem = label_problem(label)
    if problem is not None:
        bad(problem, label_fld)
        return None
    problem = offsets_problem(text, start, end)
    if problem is not None:
        bad(problem, fld)
        return None
    return SpanData(start, end, label_name(label))


Parsed = list[tuple[int, SpanData, dict[str, Any]]]


def span_list(value: Any, text: str, bad: Bad, name: str,
              label_field: Callable[[str], str] = lambda fld: f"{fld}.label") -> Parsed | None:
    """``[{"start", "end", "label", ...}]`` -> ``(index, span, the object)``; None if anything is wrong."""
    if not isinstance(value, list):
        bad(f"must be a list, not {type(value).__name__}", name)
        return None
    out = []
    ok = True
    for i, item in enumerate(value):
        fld = f"{name}[{i}]"
        if not isinstance(item, dict):
            bad("must be an object with start, end and label", fld)
            ok = False
            continue
        found = span(text, item.get("start"), item.get("end"), item.get("label"), bad, fld, label_field(fld))
        if found is None:
            ok = False
        else:
            out.append((i, found, item))
    return out if ok else None

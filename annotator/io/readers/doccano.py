"""doccano exports (a JSONL line each), in their three shapes:

- ``{"text", "label": [[start, end, label], ...]}`` (sequence labelling);
- ``{"text", "entities": [{"start_offset", "end_offset", "label"}], "relations": [...]}`` (with relations);
- doccano 1.x: ``{"data": ..., "label": [...]}`` (``data`` instead of ``text``).

Every other top-level key (``Comments``, a source id, ...) is kept in the document's meta, next to
whatever ``meta`` the line has. A text-classification ``label`` (a list of names) is kept in meta as
``categories``: it has no spans.
"""

from __future__ import annotations

from typing import Any

_SHAPE_KEYS = ("label", "entities", "data")
_NOT_META = {"text", "data", "label", "entities", "relations", "id", "status", "language", "meta"}


def is_line(obj: dict[str, Any]) -> bool:
    return "spans" not in obj and any(key in obj for key in _SHAPE_KEYS)


def text_field(obj: dict[str, Any]) -> str:
    return "data" if "text" not in obj and "data" in obj else "text"


def spans(obj: dict[str, Any]) -> tuple[str, Any] | None:
    """``(field, span objects)`` in our ``{"start", "end", "label"}`` shape (anything malformed is
    passed on as is, to be reported), or None when the line has no spans."""
    if "entities" in obj:
        value = obj["entities"]
        if isinstance(value, list):
            value = [{"start": v.get("start_offset"), "end": v.get("end_offset"), "label": v.get("label")}
                     if isinstance(v, dict) else v for v in value]
        return "entities", value
    if "label" in obj:
        value = obj["label"]
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return None  # categories (text classification): kept in meta
        if isinstance(value, list):
            value = [{"start": v[0], "end": v[1], "label": v[2]} if isinstance(v, list) and len(v) == 3 else v
                     for v in value]
        return "label", value
    return None


def label_field(fld: str) -> str:
    """Where a span's label is: doccano's ``label[3][2]``, ``entities[3].label``."""
    return f"{fld}[2]" if fld.startswith("label[") else f"{fld}.label"


def meta(obj: dict[str, Any]) -> dict[str, Any]:
    """The line's ``meta`` (when an object) with the other top-level keys added."""
    given = obj.get("meta")
    out = dict(given) if isinstance(given, dict) else {}
    for key, value in obj.items():
        if key not in _NOT_META:
            out.setdefault(key, value)
    label = obj.get("label")
    if isinstance(label, list) and label and all(isinstance(v, str) for v in label):
        out.setdefault("categories", label)
    return out

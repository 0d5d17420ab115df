"""What a value from a file must be before it may reach the store, checked where the file is read
so every refusal can name the file, the line and the field.

The sizes mirror the database columns (``annotator.store.schema``; a test checks they agree): a
longer value would be a raw ``DataError`` on PostgreSQL, or silently kept by SQLite only to break a
team's PostgreSQL later. PostgreSQL text cannot hold U+0000, and no UTF-8 encoder can write a lone
surrogate (what an unpaired JSON ``\\ud800`` escape decodes to), so both are refused in every string.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from annotator.core.language import spacy_language, unknown_language_reason

SOURCE_MAX = 1024  # documents.source
LANGUAGE_MAX = 16  # documents.language (spaCy codes are 2-3 letters; the column leaves room)
LABEL_MAX = 64  # spans.label and labels.name
META_DEPTH_MAX = 64  # nesting of a document's metadata (deeper JSON cannot even be written back)

_SURROGATE = re.compile("[\ud800-\udfff]")


def shown(value: str, limit: int = 40) -> str:
    """``value`` quoted for a message: control characters, NUL and surrogates escaped (``repr``), and
    cut to ``limit`` characters with the full length said, so a 10,000-character value stays one line."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}… ({len(value):,} characters)"


def string_problem(value: str) -> str | None:
    """Why the store cannot keep ``value`` as text (a NUL character or a lone surrogate), or None."""
    nul = value.find("\x00")
    bad = _SURROGATE.search(value)
    if nul >= 0 and (bad is None or nul < bad.start()):
        return f"contains a NUL character (U+0000) at offset {nul}, which the store cannot keep"
    if bad is not None:
        return (f"contains a lone surrogate ({bad.group()!r}) at offset {bad.start()}: not a character, "
                "usually an unpaired \\uXXXX escape")
    return None


def source_problem(source: str) -> str | None:
    """Why ``source`` (a document's file name or ``meta.source``) cannot be stored, or None."""
    if len(source) > SOURCE_MAX:
        return f"is {len(source):,} characters long; a document source is at most {SOURCE_MAX:,}"
    return string_problem(source)


def file_name_problem(name: str) -> str | None:
    """Why documents read from the file recorded as ``name`` could not be stored under it, or None.
    ``name`` is what the store keeps (``file.txt``, ``folder/file.txt``; JSONL adds ``:line``)."""
    if len(name) > SOURCE_MAX:
        return (f"its name as recorded in the store would be {len(name):,} characters long, at most "
                f"{SOURCE_MAX:,} fit: import it from a shorter path")
    if _SURROGATE.search(name):
        return "its name is not valid UTF-8: rename the file and import it again"
    return None


def language_problem(code: str) -> str | None:
    """Why ``code`` is not a language, or None. Any code, tag or name spaCy's language is known by is
    accepted ("en", "it-IT", "fra", "Italian"; ``core.language.spacy_language`` gives its spaCy code)."""
    if len(code) <= 64 and spacy_language(code) is not None:
        return None
    return unknown_language_reason(code)


def _child(where: str, key: str) -> str:
    """``meta.source``, ``meta["deux mots"]``, or the bare key at the top level (doccano's metadata).
    Characters that do not print (line breaks, bidi controls) are escaped, so the field name is shown as is."""
    if key.isidentifier() and key.isprintable():
        return f"{where}.{key}" if where else key
    cut = key if len(key) <= 40 else key[:40] + "…"
    inner = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in cut.replace('"', '\\"'))
    return f'{where}["{inner}"]'


def json_problems(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """``(field, reason)`` for every part of ``value`` (a document's metadata) the store could not keep
    as JSON: NUL or lone surrogates in keys or strings, NaN/Infinity, non-JSON types, deep nesting.
    Walks without recursion, so hostile nesting cannot overflow the stack."""
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > META_DEPTH_MAX:
            yield where, f"is nested more than {META_DEPTH_MAX} levels deep"
            continue
        if isinstance(item, str):
            problem = string_problem(item)
            if problem is not None:
                yield where, problem
        elif isinstance(item, bool) or item is None or isinstance(item, int):
            continue
        elif isinstance(item, float):
            if not math.isfinite(item):
                yield where, f"is {json.dumps(item)}, which is not a JSON number (use null or a string)"
        elif isinstance(item, dict):
            children = []
            for key, child in item.items():
                if not isinstance(key, str):
                    yield where, f"has a key of type {type(key).__name__} ({shown(str(key))}); keys must be strings"
                    continue
                problem = string_problem(key)
                if problem is not None:
                    yield where, f"has a key {shown(key)} that {problem}"
                    continue
                name = _child(where, key)
                children.append((child, name, depth + 1))
            stack.extend(reversed(children))
        elif isinstance(item, list | tuple):
            stack.extend(reversed([(child, f"{where}[{i}]", depth + 1) for i, child in enumerate(item)]))
        else:
            yield where, f"is of type {type(item).__name__}, which JSON metadata cannot hold"

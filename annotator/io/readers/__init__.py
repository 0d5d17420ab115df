"""Readers of every format ``annotator import`` takes, one module each, and how a file's format is
chosen: ``--format NAME``, else its suffix, else a look at its content (a ``.txt`` that is a CoNLL
table is CoNLL; a ``.txt`` with a ``.ann`` beside it is brat; a ``.json`` file is told by its first item).

Every reader yields ``(Record, bytes read so far)`` and reports to a ``ReadContext``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from annotator.io.readers import brat, conll, label_studio, spacy_json
from annotator.io.readers.base import ReadContext, Record, json_problem

FORMATS = ("text", "jsonl", "prodigy", "doccano", "conll", "brat", "label-studio", "spacy-json", "spacy")
TEXT_SUFFIXES = {".txt"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
JSON_SUFFIXES = {".json"}
DOCBIN_SUFFIXES = {".spacy"}
BRAT_SUFFIXES = {".ann"}
SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES | JSON_SUFFIXES | DOCBIN_SUFFIXES | BRAT_SUFFIXES | conll.SUFFIXES
SUFFIX_LIST = ".txt, .jsonl, .json, .spacy, .conll/.iob/.bio/.train/.testa/.testb, brat .txt+.ann"
SNIFF_BYTES = 8192


class FormatRefused(ValueError):
    """The file's content is not what its name says, and guessing would import it wrong."""


def format_of(path: Path, forced: str | None = None) -> str:
    """The format to read ``path`` as. Raises ``FormatRefused`` with a hint for a ``.txt`` that looks
    like a column table but not a CoNLL one."""
    if forced:
        return forced
    suffix = path.suffix.lower()
    if suffix in BRAT_SUFFIXES:
        return "brat"
    if suffix in conll.SUFFIXES:
        return "conll"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in JSON_SUFFIXES:
        return "json"
    if suffix in DOCBIN_SUFFIXES:
        return "spacy"
    if brat.annotation_file(path) is not None:
        return "brat"
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES).decode("utf-8-sig", errors="ignore")
    except OSError:
        return "text"  # the text reader says why it cannot be read
    kind = conll.looks_like_conll(head)
    if kind == "table":
        raise FormatRefused("looks like a column table (CoNLL?) but its last column is not IOB/BILUO tags; "
                            "import it with --format conll (token first, tag last) or --format text (as prose)")
    return "conll" if kind == "conll" else "text"


def json_records(path: Path, ctx: ReadContext, shape: str | None = None) -> Iterator[tuple[Record, int]]:
    """A ``.json`` file (read whole): Label Studio JSON or JSON-MIN, spaCy v2 or simple training JSON,
    or an array of our/doccano/Prodigy records, told apart by the first item."""
    from annotator.io.jsonl import DUPLICATE_KEY, DuplicateKey, parse_object, unique_keys

    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"), object_pairs_hook=unique_keys)
    except DuplicateKey as exc:
        ctx.bad(DUPLICATE_KEY, None, exc.key)
        return
    except OSError as exc:
        ctx.bad(f"cannot be read: {exc.strerror or exc}")
        return
    except UnicodeDecodeError as exc:
        ctx.bad(f"is not valid UTF-8 (byte offset {exc.start})")
        return
    except json.JSONDecodeError as exc:
        ctx.bad(f"is not valid JSON ({json_problem(exc)})", exc.lineno)
        return
    except (RecursionError, ValueError):
        ctx.bad("is not valid JSON for import (nested too deeply, or a number too long)")
        return
    items = data if isinstance(data, list) else [data]
    size = path.stat().st_size
    if not items:
        ctx.bad("holds no documents (an empty list)")
        return
    for n, item in enumerate(items, start=1):
        if label_studio.is_export(item) or label_studio.is_min(item):
            rec = label_studio.record(item, n, ctx)
            recs = [] if rec is None else [rec]
        elif spacy_json.is_v2(item):
            recs = spacy_json.v2_records(item, n, ctx)
        elif spacy_json.is_simple(item):
            rec = spacy_json.simple_record(item, n, ctx)
            recs = [] if rec is None else [rec]
        else:
            rec = parse_object(item, n, ctx, shape, where=f"[{n - 1}]", in_docbin=True)
            recs = [] if rec is None else [rec]
        for rec in recs:
            yield rec, size * n // len(items)

"""One record per document in each interchange shape: Prodigy NER tasks, doccano, CoNLL, our JSONL.

Pure functions of (ExportDocument, Doc); the exporter decides files, order and atomicity.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from typing import Any

from spacy.tokens import Doc

from annotator.core.document import DocumentStatus
from annotator.io.selection import ExportDocument

_ANSWER = {DocumentStatus.ACCEPTED: "accept", DocumentStatus.REJECTED: "reject"}


_PRODIGY_HASHES = ("_input_hash", "_task_hash")


def _meta(ex: ExportDocument) -> dict[str, Any]:
    kept = {k: v for k, v in ex.meta.items() if k not in _PRODIGY_HASHES}
    return {**kept, "source": ex.source, "status": ex.status.value, "language": ex.language,
            "annotator": ex.annotator, "document_id": ex.id}


def _stable_hash(*parts: str) -> int:
    """Prodigy's hashes are signed 32-bit integers; any stable hash of the same inputs will do."""
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:4], "big", signed=True)


def _kept_hash(ex: ExportDocument, key: str, made: int) -> int:
    """The hash a Prodigy import recorded in the document's meta (so Prodigy recognises its own tasks),
    else ``made``."""
    value = ex.meta.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else made


def prodigy_task(ex: ExportDocument, doc: Doc) -> dict[str, Any]:
    tokens = [{"text": t.text, "start": t.idx, "end": t.idx + len(t), "id": t.i, "ws": bool(t.whitespace_)}
              for t in doc]
    spans = []
    for s in ex.entities:
        span = doc.char_span(s.start, s.end, alignment_mode="expand")
        spans.append({"start": s.start, "end": s.end, "label": s.label,
                      "token_start": span.start if span is not None else None,
                      "token_end": span.end - 1 if span is not None else None})
    spans_key = json.dumps([[s.start, s.end, s.label] for s in ex.entities])
    return {
        "text": ex.text,
        "_input_hash": _kept_hash(ex, "_input_hash", _stable_hash(ex.text)),
        "_task_hash": _kept_hash(ex, "_task_hash", _stable_hash(ex.text, spans_key)),
        "tokens": tokens,
        "spans": spans,
        "meta": _meta(ex),
        "answer": _ANSWER.get(ex.status, "ignore"),
        "_view_id": "ner_manual",
    }


def doccano_record(ex: ExportDocument) -> dict[str, Any]:
    meta = _meta(ex)
    return {"id": ex.id, "text": ex.text, "label": [[s.start, s.end, s.label] for s in ex.entities],
            **{k: v for k, v in meta.items() if k not in ("text", "label", "id")}}


def annotator_record(ex: ExportDocument) -> dict[str, Any]:
    """Our own JSONL (what ``annotator import`` reads natively)."""
    return {"text": ex.text, "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in ex.entities],
            "status": ex.status.value, "language": ex.language, "meta": _meta(ex)}


DOCSTART = "-DOCSTART- -X- O O"

# Characters that would break a CoNLL line's columns (any whitespace) and the escape character itself
# are written as %XX (their UTF-8 bytes, as in URLs): "Job Title" -> "B-Job%20Title". Everything else a
# label may hold (core.labels: letters of any script, digits, _ . - ( ) / & + ' ’) is written unchanged.
# A final "-" or "_" is escaped too: a tag ending in one ("B-Org-") reads as a prefix with no type.
_CONLL_UNSAFE = re.compile(r"[\s%]|[-_]$")


def conll_label(label: str) -> str:
    """``label`` as one CoNLL column (``decode_conll_label`` gives it back)."""
    return _CONLL_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), label)


def decode_conll_label(column: str) -> str:
    """The label a CoNLL tag's type written by ``conll_label`` stands for (``%XX`` decoded)."""
    return urllib.parse.unquote(column, errors="strict") if "%" in column else column


def conll_lines(doc: Doc) -> list[str]:
    """CoNLL-2003 style: ``token TAG`` a line, a blank line between sentences (and paragraphs).
    Whitespace tokens are left out and whitespace inside a token (NBSP) becomes "_", so columns never
    break; so are labels (``conll_label``). Tokens a person has not reviewed are tagged "-" (missing),
    never "O"."""
    lines = [DOCSTART, ""]
    sents = doc.sents if doc.has_annotation("SENT_START") else [doc[:]]
    for sent in sents:
        wrote = False
        for tok in sent:
            if tok.is_space:
                if "\n" in tok.text and wrote:  # a paragraph break ends a sentence
                    lines.append("")
                    wrote = False
                continue
            if tok.ent_iob_ == "":
                tag = "-"
            elif tok.ent_iob_ == "O":
                tag = "O"
            else:
                tag = f"{tok.ent_iob_}-{conll_label(tok.ent_type_)}"
            lines.append(f"{'_'.join(tok.text.split())} {tag}")
            wrote = True
        if wrote:
            lines.append("")
    return lines

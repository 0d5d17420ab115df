"""Prodigy answers, with their meaning (a task is a JSONL line with ``answer``/``_input_hash``/``_view_id``).

- Each span's answer is its own ``answer`` if it has one, else the task's: ``accept`` -> an entity of
  the annotator's layer, ``reject`` -> a rejection of that suggestion (a rejected row: the span is
  wrong, the document is not), ``ignore`` -> nothing. A task answered ``ignore`` brings nothing.
- A manual task (``ner_manual``, ``spans_manual``, or no view and no per-span answers) answered
  ``accept`` is finished work: the document is accepted. Binary (``ner.teach``) answers leave it in
  progress: they are decisions on single suggestions, not a complete annotation.
- ``_annotator_id`` (else ``_session_id``) names the layer; without one, the importing user's.
- Tasks with the same text (the same ``_input_hash``) become one document (the store merges them);
  ``_input_hash``/``_task_hash`` are kept in the document's meta for an export back to Prodigy.
- ``tokens`` (``start``/``end`` per token) are kept as the document's tokenization when well-formed.
- A task annotator exported (its ``meta`` has our ``status``) keeps that status and its spans as
  entities whatever the answer (our export answers ``ignore`` for work still in progress).
"""

from __future__ import annotations

from typing import Any

from annotator.core.document import DocumentStatus
from annotator.core.imported import Annotation
from annotator.core.span import Layer, SpanData
from annotator.io.readers.base import Record
from annotator.io.readers.spans import Bad, author_problem, brief

KEYS = ("answer", "_input_hash", "_task_hash", "_view_id", "_annotator_id", "_session_id")
ANSWERS = ("accept", "reject", "ignore")
_BINARY_VIEWS = {"ner", "classification", "binary"}


def is_task(obj: dict[str, Any]) -> bool:
    return any(key in obj for key in KEYS)


def apply_answers(obj: dict[str, Any], rec: Record, parsed: list[tuple[int, SpanData, dict[str, Any]]],
                  bad: Bad) -> None:
    """Turn the task's spans (already checked) into layers and a status on ``rec``."""
    answer = obj.get("answer", "accept")
    if answer not in ANSWERS:
        bad(f"must be one of accept, reject, ignore, not {brief(answer)}", "answer")
        return
    author_field = "_annotator_id" if obj.get("_annotator_id") else "_session_id"
    author = obj.get(author_field) or None
    if author is not None and (problem := author_problem(author)) is not None:
        bad(problem, author_field)
        return
    per_span = any("answer" in item for _, _, item in parsed)
    view = obj.get("_view_id")
    binary = (isinstance(view, str) and view in _BINARY_VIEWS) or per_span
    layer = Annotation(Layer.HUMAN, None if author is None else str(author))
    ours = rec.status is not None  # exported by annotator: the status says what the spans are, not the answer
    if ours:
        layer.spans.extend(span for _, span, _ in parsed)
        layer.fields.extend(f"spans[{i}]" for i, _, _ in parsed)
    elif answer != "ignore":
        for i, span, item in parsed:
            own = item.get("answer", answer)
            if own not in ANSWERS:
                bad(f"must be one of accept, reject, ignore, not {brief(own)}", f"spans[{i}].answer")
                continue
            if own == "accept":
                layer.spans.append(span)
                layer.fields.append(f"spans[{i}]")
            elif own == "reject":
                layer.rejected.append(span)
    rec.spans = None
    rec.annotations.append(layer)
    if ours:
        pass
    elif answer == "accept" and not binary:
        rec.status = DocumentStatus.ACCEPTED
    elif layer:
        rec.status = DocumentStatus.IN_PROGRESS
    for key in ("_input_hash", "_task_hash"):
        if isinstance(obj.get(key), int | str) and not isinstance(obj.get(key), bool):
            rec.meta.setdefault(key, obj[key])
    rec.tokens = _tokens(obj.get("tokens"), len(rec.text))


def _tokens(value: Any, length: int) -> list[tuple[int, int]] | None:
    """Prodigy's tokens as ``(start, end)``, or None if they are missing or not a clean tokenization."""
    if not isinstance(value, list) or not value:
        return None
    out: list[tuple[int, int]] = []
    last = 0
    for token in value:
        if not isinstance(token, dict):
            return None
        start, end = token.get("start"), token.get("end")
        if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
            return None
        if not last <= start < end <= length:
            return None
        out.append((start, end))
        last = end
    return out

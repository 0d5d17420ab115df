"""Label Studio exports: JSON (``[{"data": {"text"}, "annotations": [...], "predictions": [...]}]``)
and JSON-MIN (``[{"text", "label": [{"start", "end", "labels"}], "annotator"}]``).

Each annotation's ``completed_by`` (a user id, or an object with an email) is that annotator's layer,
named ``label-studio:<email or id>``; a cancelled annotation (``was_cancelled``) brings nothing, and of
several by one annotator the latest (``updated_at``, else ``id``) is their version (the others said). Each
prediction is the model layer of its ``model_version``. A region with several labels is one span per
label. Other ``data`` fields are kept in the document's meta.

A region quotes the text it marks (``value.text``), and that quote decides what its offsets count:
characters, or UTF-16 code units as Label Studio's browser counts them (JavaScript strings), which
run ahead of characters after every emoji or flag. Offsets that fit the quote only as UTF-16 units are
converted (and said in a warning); a quote the text fits neither way refuses the file.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from annotator.core.errors import Problem
from annotator.core.imported import Annotation
from annotator.core.limits import shown
from annotator.core.plural import plural
from annotator.core.span import Layer
from annotator.io.readers.base import ReadContext, Record
from annotator.io.readers.spans import author_problem, span

PREFIX = "label-studio:"
# What a region that is not an entity is called in the import report.
_KINDS = {"relation": "relation", "choices": "document choice", "textarea": "text area", "rating": "rating",
          "taxonomy": "taxonomy choice", "pairwise": "pairwise choice", "number": "number", "datetime": "date"}


def is_export(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("data"), dict) and (
        "annotations" in item or "predictions" in item or "completions" in item)


def is_min(item: Any) -> bool:
    return (isinstance(item, dict) and isinstance(item.get("text"), str) and isinstance(item.get("label"), list)
            and all(isinstance(v, dict) and "labels" in v for v in item["label"]))


def record(item: dict[str, Any], n: int, ctx: ReadContext) -> Record | None:
    where = f"[{n - 1}]"
    found = len(ctx.problems)

    def bad(reason: str, fld: str) -> None:
        ctx.bad(reason, None, f"{where}.{fld}")

    if is_min(item):
        text, meta = item["text"], {k: v for k, v in item.items() if k not in ("text", "label", "annotator")}
        groups: list[tuple[Layer, Any, Any, str]] = [(Layer.HUMAN, item.get("annotator"), item["label"], "label")]
        text_field = "text"
    else:
        data = item["data"]
        text_field = "data.text" if "text" in data else next(
            (f"data.{k}" for k, v in data.items() if isinstance(v, str)), "data.text")
        text = data.get(text_field.removeprefix("data."))
        meta = {k: v for k, v in data.items() if f"data.{k}" != text_field}
        chosen: dict[str, tuple[tuple[str, int, int], Any, str, Any]] = {}  # annotator -> (order, who, field, result)
        for key in ("annotations", "completions"):
            for i, ann in enumerate(item.get(key) or []):
                if isinstance(ann, dict) and not ann.get("was_cancelled"):
                    who = _who(ann.get("completed_by"))
                    entry = (_order(ann, i), who, f"{key}[{i}]", ann.get("result"))
                    if (slot := repr(who)) in chosen:  # annotated again: the latest is the annotator's version
                        earlier, chosen[slot] = sorted((chosen[slot], entry), key=lambda e: e[0])
                        ctx.warnings.append(Problem(ctx.source, f"an earlier annotation by {_name(who)} left out: the "
                                                    f"latest ({chosen[slot][2]}) is their version",
                                                    field=f"{where}.{earlier[2]}"))
                    else:
                        chosen[slot] = entry
        groups = [(Layer.HUMAN, who, result, f"{fld}.result") for _, who, fld, result in chosen.values()]
        for i, pred in enumerate(item.get("predictions") or []):
            if isinstance(pred, dict):
                groups.append((Layer.MODEL, str(pred.get("model_version") or "label-studio-prediction"),
                               pred.get("result"), f"predictions[{i}].result"))
    if not isinstance(text, str):
        bad("is missing" if text is None else f"must be a string, not {type(text).__name__}", text_field)
        return None
    if not text.strip():
        ctx.skip("is empty or only whitespace", None, f"{where}.{text_field}")
        return None
    rec = Record(n, text, None, meta, None, None, span_field=where, in_docbin=True, text_field=f"{where}.{text_field}",
                 meta_field=f"{where}" if is_min(item) else f"{where}.data")
    offsets = _Offsets(text)
    for layer, who, result, fld in groups:
        author = None if who is None else (str(who) if layer is Layer.MODEL else f"{PREFIX}{who}")
        if author is not None and (problem := author_problem(author)) is not None:
            bad(problem, fld)
            continue
        annotation = Annotation(layer, author)
        for j, region in enumerate(result if isinstance(result, list) else []):
            value = region.get("value", region) if isinstance(region, dict) else None
            if not isinstance(value, dict) or "start" not in value:  # relations, choices, text areas...
                if layer is Layer.HUMAN and isinstance(region, dict):
                    ctx.leave_out(_KINDS.get(str(region.get("type")), f"{shown(str(region.get('type')))} result"))
                continue
            labels = value.get("labels") or value.get("hypertextlabels") or []
            if isinstance(value.get("start"), str) and "startOffset" in value:
                bad("is a region of an HTML page (HyperTextLabels): its start and end are XPaths into the "
                    "page, not offsets into a text; label the articles as Text (Labels) in Label Studio",
                    f"{fld}[{j}].value.start")
                continue
            start, end = offsets.of(value, functools.partial(_bad_at, bad, f"{fld}[{j}]"))
            if start is None:
                continue
            for label in labels if isinstance(labels, list) else [labels]:
                got = span(text, start, end, label, bad, f"{fld}[{j}]", f"{fld}[{j}].labels")
                if got is not None:
                    annotation.spans.append(got)
                    annotation.fields.append(f"{where}.{fld}[{j}]")
        if result is not None and not isinstance(result, list):
            bad(f"must be a list, not {type(result).__name__}", fld)
        rec.annotations.append(annotation)
    if offsets.converted:
        ctx.warnings.append(rec.problem(ctx.source, f"{plural(offsets.converted, 'span')} had offsets counted in "
                                        "UTF-16 code units (as Label Studio's browser counts them), converted to "
                                        "characters so that each marks the text it quotes", where))
    return rec if len(ctx.problems) == found else None


def _bad_at(bad: Callable[[str, str], None], fld: str, reason: str) -> None:
    bad(reason, fld)


class _Offsets:
    """A region's offsets in characters, checked against the text it quotes (``value.text``)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.converted = 0
        self._units: dict[int, int] | None = None

    def of(self, value: dict[str, Any], bad: Callable[[str], None]) -> tuple[Any, Any]:
        """``(start, end)`` in characters; ``(None, None)`` after reporting a quote that does not fit.
        Offsets that are not integers, or no quote, are passed on as they are (``span`` judges them)."""
        start, end, quoted = value.get("start"), value.get("end"), value.get("text")
        if not (isinstance(quoted, str) and type(start) is int and type(end) is int):
            return start, end
        if 0 <= start < end <= len(self.text) and self.text[start:end] == quoted:
            return start, end
        units = self.units()
        chars = (units.get(start), units.get(end))
        if chars[0] is not None and chars[1] is not None and self.text[chars[0]:chars[1]] == quoted:
            self.converted += 1
            return chars
        if not 0 <= start < end <= len(self.text):
            return start, end  # outside the text: said as such
        bad(f"quotes {shown(quoted)} but the text at {start}-{end} is {shown(self.text[start:end])} (counted in "
            "characters or in UTF-16 units): the region does not belong to this text")
        return None, None

    def units(self) -> dict[int, int]:
        """UTF-16 code-unit offset -> character offset (only where the two differ matters)."""
        if self._units is None:
            self._units, at = {}, 0
            for i, char in enumerate(self.text):
                self._units[at] = i
                at += 2 if ord(char) > 0xFFFF else 1
            self._units[at] = len(self.text)
        return self._units


def _order(annotation: dict[str, Any], index: int) -> tuple[str, int, int]:
    """Which of one annotator's annotations of a task is the latest: ``updated_at``, else ``id``, else
    the later in the file."""
    ident = annotation.get("id")
    return (str(annotation.get("updated_at") or ""), ident if type(ident) is int else -1, index)


def _name(who: Any) -> str:
    return "the importing user" if who is None else f"{PREFIX}{who}"


def _who(completed_by: Any) -> Any:
    if isinstance(completed_by, dict):
        return completed_by.get("email") or completed_by.get("id")
    return completed_by

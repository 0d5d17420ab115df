"""spaCy's JSON training formats: the v2 ``[{"id", "paragraphs": [{"raw"?, "sentences": [{"tokens":
[{"orth", "ner"}]}]}]}]`` (each paragraph a document, BILUO tags on the tokens; without ``raw`` the
text is the tokens joined by spaces) and the simple ``[[text, {"entities": [[start, end, label]]}]]``."""

from __future__ import annotations

from typing import Any

from annotator.core.span import SpanData
from annotator.io.readers import tags
from annotator.io.readers.base import ReadContext, Record
from annotator.io.readers.spans import span


def is_v2(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("paragraphs"), list)


def is_simple(item: Any) -> bool:
    return isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], dict)


def simple_record(item: list[Any], n: int, ctx: ReadContext) -> Record | None:
    where = f"[{n - 1}]"
    text, annotations = item
    found = len(ctx.problems)

    def bad(reason: str, fld: str) -> None:
        ctx.bad(reason, None, fld)

    if not text.strip():
        ctx.skip("is empty or only whitespace", None, f"{where}[0]", "example")
        return None
    entities = annotations.get("entities", [])
    spans: list[SpanData] = []
    if not isinstance(entities, list):
        bad(f"must be a list, not {type(entities).__name__}", f"{where}[1].entities")
    for i, ent in enumerate(entities if isinstance(entities, list) else []):
        fld = f"{where}[1].entities[{i}]"
        if not (isinstance(ent, list | tuple) and len(ent) == 3):
            bad("must be [start, end, label]", fld)
            continue
        got = span(text, ent[0], ent[1], ent[2], bad, fld, f"{fld}[2]")
        if got is not None:
            spans.append(got)
    meta = {k: v for k, v in annotations.items() if k != "entities"}
    if len(ctx.problems) > found:
        return None
    return Record(n, text, spans, meta, None, None, span_field=f"{where}[1].entities", in_docbin=True,
                  text_field=f"{where}[0]", meta_field=f"{where}[1]")


def v2_records(item: dict[str, Any], n: int, ctx: ReadContext) -> list[Record]:
    out = []
    for p, paragraph in enumerate(item["paragraphs"]):
        where = f"[{n - 1}].paragraphs[{p}]"
        tokens: list[tuple[str, str]] = []
        places: list[str] = []  # each token's field, for problems found in the paragraph's tags
        for s, sentence in enumerate(paragraph.get("sentences", []) if isinstance(paragraph, dict) else []):
            for t, token in enumerate(sentence.get("tokens", []) if isinstance(sentence, dict) else []):
                orth = token.get("orth") if isinstance(token, dict) else None
                if not isinstance(orth, str):
                    ctx.bad("must be a string", None, f"{where}.sentences[{s}].tokens[{t}].orth")
                    continue
                tokens.append((orth, str(token.get("ner") or "O")))
                places.append(f"{where}.sentences[{s}].tokens[{t}]")
        raw = paragraph.get("raw") if isinstance(paragraph, dict) else None
        text, bounds = _place(tokens, raw if isinstance(raw, str) else None)
        if bounds is None:
            ctx.bad("does not hold the paragraph's tokens in order", None, f"{where}.raw")
            continue
        if not text.strip():
            ctx.skip("has no text", None, where, "paragraph")
            continue
        try:
            found = tags.decode([tag for _, tag in tokens])
        except tags.TagError as exc:
            ctx.bad(str(exc), None, f"{places[exc.index]}.ner")
            continue
        spans = []
        for a, b, label in found:
            got = span(text, bounds[a][0], bounds[b - 1][1], label,
                       lambda reason, fld: ctx.bad(reason, None, fld), where, f"{where}.ner")
            if got is not None:
                spans.append(got)
        out.append(Record(n, text, spans, {}, None, None, span_field=f"{where}.ner", in_docbin=True,
                          tokens=bounds, text_field=f"{where}.raw"))
    return out


def _place(tokens: list[tuple[str, str]], raw: str | None) -> tuple[str, list[tuple[int, int]] | None]:
    """The text and each token's offsets: found in order in ``raw``, else joined by spaces."""
    bounds: list[tuple[int, int]] = []
    if raw is None:
        at = 0
        for orth, _ in tokens:
            bounds.append((at, at + len(orth)))
            at += len(orth) + 1
        return " ".join(orth for orth, _ in tokens), bounds
    at = 0
    for orth, _ in tokens:
        found = raw.find(orth, at)
        if found < 0 or raw[at:found].strip():
            return raw, None
        bounds.append((found, found + len(orth)))
        at = found + len(orth)
    return raw, bounds

"""CoNLL/IOB column files (``.conll``, ``.iob``, ``.bio``, CoNLL-2003's ``.train``/``.testa``/``.testb``,
or a ``.txt`` that is such a table): a token and its tag a line (the first and the last column,
separated by tabs or spaces; other columns are ignored, but every token line of a file has as many),
a blank line between sentences,
``-DOCSTART-`` between documents (a file without any is one document). Tags in any scheme
(``readers/tags.py``).

The text is rebuilt from the tokens (a space between tokens, a line break between sentences) and
the tokens are kept as the document's tokenization (``meta["tokens"]``, ``[start, end]`` pairs), so
every entity lies exactly on them. A document with every token tagged is finished work (accepted);
one with ``-`` tags (unreviewed, as our export writes them) is in progress.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from annotator.core.document import DocumentStatus
from annotator.core.labels import label_name
from annotator.core.span import SpanData
from annotator.io.readers import tags
from annotator.io.readers.base import ReadContext, Record
from annotator.io.readers.spans import label_problem

SUFFIXES = {".conll", ".conll03", ".iob", ".iob2", ".bio", ".bilou", ".biluo", ".train", ".testa", ".testb"}
DOCSTART = "-DOCSTART-"
SNIFF_LINES = 40


def columns(line: str) -> list[str]:
    """Tab-separated columns, else space-separated: only ASCII spaces separate, so a token may hold a
    no-break or ideographic space ("10\u00a0000")."""
    return line.split("\t") if "\t" in line else [c for c in line.split(" ") if c]


def looks_like_conll(head: str) -> str | None:
    """For a ``.txt`` file's first lines: "conll" if they are a CoNLL table, "table" if they are columns
    whose last one is not tags (refused with a hint), None for prose."""
    lines = [ln.strip() for ln in head.splitlines()[:SNIFF_LINES] if ln.strip()]
    if not lines:
        return None
    if lines[0].split()[0] == DOCSTART:
        return "conll"
    rows = [columns(ln) for ln in lines]
    if len(rows) < 3 or any(len(r) < 2 or len(r) > 12 or len(ln) > 200 for r, ln in zip(rows, lines, strict=True)):
        return None
    if any(len(r) != len(rows[0]) for r in rows):
        return None
    if all(tags.is_tag(r[-1].strip()) for r in rows):
        return "conll"
    return "table" if len(rows) >= 4 and len(rows[0]) <= 6 else None


def read(path: Path, ctx: ReadContext) -> Iterator[tuple[Record, int]]:
    """The documents of a CoNLL file, one at a time, with the bytes read so far."""
    doc = _Doc(1)
    offset = 0
    count = 0
    width: tuple[int, int] | None = None  # (columns, line) of the first token line
    try:
        with open(path, "rb") as handle:
            for line_no, raw in enumerate(handle, start=1):
                offset += len(raw)
                if line_no == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8):]
                try:
                    line = raw.decode("utf-8").rstrip("\r\n")
                except UnicodeDecodeError as exc:
                    ctx.bad(f"is not valid UTF-8 (byte offset {exc.start} in the line)", line_no)
                    continue
                cols = columns(line.strip())
                if not cols:
                    doc.end_sentence()
                    continue
                if cols[0] == DOCSTART:
                    record = doc.record(ctx)
                    if record is not None:
                        count += 1
                        yield record, offset
                    doc = _Doc(line_no)
                    continue
                if len(cols) < 2:
                    ctx.bad("has a token without a tag (expected 'token ... TAG' in columns)", line_no)
                    continue
                width = width or (len(cols), line_no)
                if len(cols) != width[0]:  # the tag is the last column: another count takes another column
                    ctx.bad(f"has {len(cols)} columns, but the first token line has {width[0]} (line {width[1]}): "
                            "a column is missing or extra, and the tag must be the last column", line_no)
                    continue
                doc.add(cols[0], cols[-1].strip(), line_no)
    except OSError as exc:
        ctx.bad(f"cannot be read: {exc.strerror or exc}")
        return
    record = doc.record(ctx)
    if record is not None:
        count += 1
        yield record, offset
    if not count and not ctx.problems:
        ctx.bad("holds no documents (no tokens)")


class _Doc:
    """One document being read: tokens, tags and the line of each, sentence by sentence."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.sentences: list[list[tuple[str, str, int]]] = [[]]

    def add(self, token: str, tag: str, line: int) -> None:
        self.sentences[-1].append((token, tag, line))

    def end_sentence(self) -> None:
        if self.sentences[-1]:
            self.sentences.append([])

    def record(self, ctx: ReadContext) -> Record | None:
        sentences = [s for s in self.sentences if s]
        if not sentences:
            return None
        parts: list[str] = []
        bounds: list[tuple[int, int]] = []
        all_tags: list[str] = []
        lines: list[int] = []
        at = 0
        for n, sentence in enumerate(sentences):
            if n:
                parts.append("\n")
                at += 1
            for i, (token, tag, line) in enumerate(sentence):
                if i:
                    parts.append(" ")
                    at += 1
                parts.append(token)
                bounds.append((at, at + len(token)))
                at += len(token)
                all_tags.append(tag)
                lines.append(line)
        spans = self._spans(sentences, bounds, all_tags, lines, ctx)
        if spans is None:
            return None
        complete = tags.MISSING not in all_tags
        status = DocumentStatus.ACCEPTED if complete else DocumentStatus.IN_PROGRESS
        return Record(self.line, "".join(parts), spans, {}, status, None, span_field="tags",
                      tokens=bounds)

    @staticmethod
    def _spans(sentences: list[list[tuple[str, str, int]]], bounds: list[tuple[int, int]], all_tags: list[str],
               lines: list[int], ctx: ReadContext) -> list[SpanData] | None:
        spans: list[SpanData] = []
        first = 0
        ok = True
        for sentence in sentences:  # an entity never runs across a sentence break
            chunk = all_tags[first:first + len(sentence)]
            try:
                found = tags.decode(chunk)
            except tags.TagError as exc:
                ctx.bad(str(exc), lines[first + exc.index], "tag")
                ok = False
                found = []
            for a, b, label in found:
                problem = label_problem(label)
                if problem is not None:
                    ctx.bad(f"{label!r} {problem}", lines[first + a], "tag")
                    ok = False
                    continue
                spans.append(SpanData(bounds[first + a][0], bounds[first + b - 1][1], label_name(label)))
            first += len(sentence)
        return spans if ok else None

"""brat standoff: ``name.txt`` (the text, exactly) with ``name.ann`` beside it. Text-bound annotations
(``T1<TAB>Label 0 5<TAB>text``) become entities; a discontinuous one (``Label 0 5;10 15``) is kept
as its pieces, each an entity with the label, and reported (the document needs attention).
Relations, events, attributes and notes (R, E, A/M, N, #) have no place in an NER corpus: their
count is said in the report. An annotation whose offsets are outside the text, or whose quoted text
is not the text at those offsets, refuses the import (the pair does not belong together).

brat reads a ``.txt`` with its byte order mark as a character (U+FEFF at offset 0), so its offsets run one
ahead of the text we store (the mark stripped); when the quotes fit only that way, they are moved back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from annotator.core.errors import Problem
from annotator.core.labels import label_name
from annotator.core.limits import shown
from annotator.core.plural import plural
from annotator.core.span import SpanData
from annotator.io.readers.base import ReadContext, Record
from annotator.io.readers.spans import label_problem, offsets_problem
from annotator.io.text_files import read_text

BOM = "\ufeff"


def annotation_file(text_path: Path) -> Path | None:
    """The ``.ann`` beside a ``.txt``, if there is one."""
    ann = text_path.with_suffix(".ann")
    return ann if ann.is_file() else None


def text_file(ann_path: Path) -> Path:
    return ann_path.with_suffix(".txt")


def read(path: Path, ctx: ReadContext) -> Iterator[tuple[Record, int]]:
    """One document: ``path`` is the ``.txt`` (or the ``.ann``) of the pair."""
    txt = text_file(path) if path.suffix.lower() == ".ann" else path
    ann = txt.with_suffix(".ann")
    result = read_text(txt, ctx.source if path == txt else str(txt.name))
    if not isinstance(result, tuple):
        ctx.problems.append(result)
        return
    text, had_bom = result
    ann_source = f"{ctx.source.removesuffix(txt.suffix)}.ann" if path == txt else ctx.source
    try:
        lines = ann.read_bytes().decode("utf-8-sig").splitlines()
    except OSError as exc:
        ctx.bad(f"cannot be read: {exc.strerror or exc}", fld=ann.name)
        return
    except UnicodeDecodeError as exc:
        ctx.problems.append(_problem(ann_source, f"is not valid UTF-8 (byte offset {exc.start})"))
        return
    spans: list[SpanData] = []
    pieces = other = bom_counted = 0
    ok = True
    ids: dict[str, int] = {}  # annotation id -> the line that gave it
    triggers = _event_triggers(lines)
    skipped_triggers = 0
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if not line.startswith("T"):
            other += 1
            continue
        parts = line.split("\t")
        head = parts[1].split(" ", 1) if len(parts) >= 2 else []
        if len(head) != 2:
            ctx.problems.append(_problem(ann_source, "is not a brat text-bound annotation "
                                         "('T1<TAB>Label start end<TAB>text')", line_no))
            ok = False
            continue
        first = ids.setdefault(parts[0], line_no)
        if first != line_no:  # brat's own tools refuse it; which of the two is meant cannot be told
            ctx.problems.append(_problem(ann_source, f"gives the id {parts[0]!r} again (line {first} has it)",
                                         line_no))
            ok = False
            continue
        if parts[0] in triggers:  # the words that name an event ("E1<TAB>Attack:T3 ..."), not an entity
            skipped_triggers += 1
            continue
        label, ranges = head
        quoted = parts[2] if len(parts) > 2 else None
        found = _located(ranges, text, label, quoted)
        if isinstance(found, str) and had_bom:
            shifted = _located(ranges, BOM + text, label, quoted)
            if not isinstance(shifted, str) and all(a > 0 for a, _, _ in shifted):
                found = [(a - 1, b - 1, lab) for a, b, lab in shifted]  # brat counted the byte order mark
                bom_counted += 1
        if isinstance(found, str):
            ctx.problems.append(_problem(ann_source, found, line_no))
            ok = False
            continue
        pieces += len(found) > 1
        spans.extend(SpanData(a, b, lab) for a, b, lab in found)
    if not ok:
        return
    if bom_counted:
        ctx.warnings.append(_problem(ann_source, f"{plural(bom_counted, 'annotation')} counted the .txt's byte order "
                                     "mark as a character (as brat does); their offsets were moved back by one"))
    if other:
        ctx.warnings.append(_problem(ann_source, f"{plural(other, 'relation/event/attribute/note line')} not imported "
                                     "(only entities are)"))
    if skipped_triggers:
        ctx.warnings.append(_problem(ann_source, f"{plural(skipped_triggers, 'event trigger')} (text-bound annotations "
                                     "an event line names as its trigger) not imported as entities"))
    rec = Record(1, text, spans, {}, None, None, span_field=ann.name, in_docbin=True, discontinuous=pieces)
    rec.had_bom = had_bom
    rec.name = ctx.source
    yield rec, _size(txt) + _size(ann)


def _event_triggers(lines: list[str]) -> set[str]:
    """The ids of the text-bound annotations that event lines (``E1<TAB>Type:T3 Role:T2``) name as
    their trigger: an event's type words, not entities."""
    out = set()
    for line in lines:
        parts = line.split("\t")
        if line.startswith("E") and len(parts) >= 2 and ":" in (parts[1].split() or [""])[0]:
            out.add(parts[1].split()[0].split(":", 1)[1])
    return out


def _located(ranges: str, text: str, label: str, quoted: str | None) -> list[tuple[int, int, str]] | str:
    """The pieces of a text-bound annotation, or why it does not fit ``text`` (its offsets, its quote)."""
    problem = label_problem(label)
    if problem is not None:
        return f"label {shown(label)} {problem}"
    out = []
    for piece in ranges.split(";"):
        bounds = piece.split()
        try:
            start, end = (int(v) for v in bounds)
        except ValueError:
            return f"offsets {shown(piece)} are not 'start end'{_spaced(label, piece)}"
        problem = offsets_problem(text, start, end)
        if problem is not None:
            return problem
        out.append((start, end, label_name(label)))
    joined = " ".join(text[a:b] for a, b, _ in out)
    if quoted is not None and quoted != joined and quoted != "".join(text[a:b] for a, b, _ in out):
        return (f"quotes {shown(quoted)} but the text at its offsets is {shown(joined)}: the .ann does not belong "
                "to this .txt")
    return out


def _spaced(label: str, ranges: str) -> str:
    """Why offsets start with a word: the type had a space ("Job Title 0 5"), which brat cannot hold."""
    word = ranges.split(maxsplit=1)[0] if ranges.strip() else ""
    if not word or word[0].isdigit():
        return ""
    return (f": the type {shown(label)} is followed by {shown(word)}, and a brat type cannot hold a space "
            f"(write it as {shown(label + '_' + word)} in brat, or import another format)")


def _problem(source: str, reason: str, line: int | None = None) -> Problem:
    return Problem(source, reason, line=line)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0

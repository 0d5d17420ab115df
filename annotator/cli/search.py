"""``annotator search QUERY``: full-text search of the corpus through the store's search indexes."""

from __future__ import annotations

import argparse
import json
import re
import sys

from annotator.cli.columns import printable
from annotator.cli.command import Command
from annotator.core.errors import AnnotatorError
from annotator.core.plural import plural
from annotator.store import Store
from annotator.store.search import hit_pattern, syntax_notes, words

CONTEXT = 40  # characters shown each side of the first hit


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("query", metavar="QUERY",
                        help="words every matching document holds (any case; the last may be the start of a word)")
    parser.add_argument("--titles", action="store_true", help="search titles and file names only, not the text")
    parser.add_argument("--limit", type=int, default=50, help="at most this many documents (default 50; 0: all)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line: id, title, status, context")


def _run(store: Store, args: argparse.Namespace, user: str) -> int:
    found = words(args.query)
    if not found:
        raise AnnotatorError(f"the query {args.query!r} has no word to search for (letters or digits)")
    if args.limit < 0:
        raise AnnotatorError("--limit must be 0 (all) or more")
    for note in syntax_notes(args.query):
        print(f"note: {printable(note)}", file=sys.stderr)
    if not args.titles and re.search(r"(?<!\w)(?:title|name|file|source):", args.query):
        print("note: --titles searches titles and file names only", file=sys.stderr)
    ids = store.search(args.query, in_text=not args.titles, limit=args.limit or None)
    texts = store.texts(ids)
    for row in store.summaries(ids):
        context = first_hit(texts.get(row.id, ("", ""))[0], found)
        if args.json:
            print(json.dumps({"id": row.id, "title": row.title or row.source, "source": row.source,
                              "status": row.status.value, "context": context}, ensure_ascii=False))
        else:
            print(f"{row.id}\t{row.status.value}\t{printable(row.title or row.source)}\t{printable(context)}")
    if not args.json:
        more = " (--limit reached)" if args.limit and len(ids) == args.limit else ""
        print(f"{plural(len(ids), 'document')}{more}")
    return 0


def first_hit(text: str, found: list[str]) -> str:
    """The text around the first place a searched word starts ('' when only the title matched)."""
    pattern = hit_pattern(found)
    hit = pattern.search(text) if pattern is not None else None
    if hit is None:
        return ""
    start, end = max(0, hit.start() - CONTEXT), min(len(text), hit.end() + CONTEXT)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


COMMANDS = (Command("search", _run, _arguments),)

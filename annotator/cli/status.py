"""``set-status``: move documents in the workflow without the app (e.g. mark an imported gold corpus
accepted so it can be trained on)."""

from __future__ import annotations

import argparse
import fnmatch
import sys

from annotator.cli.command import Command, document_id
from annotator.cli.progress import TerminalProgress
from annotator.core.document import DocumentStatus
from annotator.core.errors import AnnotatorError, NotFound
from annotator.core.plural import plural
from annotator.store import Store


def _parse(value: str) -> DocumentStatus:
    try:
        return DocumentStatus.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("status", type=_parse, metavar="STATUS",
                        help=f"one of: {', '.join(s.value for s in DocumentStatus)}")
    parser.add_argument("ids", nargs="*", type=document_id, metavar="DOCUMENT_ID")
    parser.add_argument("--all", action="store_true", help="every document")
    parser.add_argument("--from", dest="from_status", type=_parse, metavar="STATUS",
                        help="the documents that have this status now")
    parser.add_argument("--source", metavar="PATTERN", help="the documents whose source matches (e.g. 'gold/*')")
    parser.add_argument("--unreviewed", choices=("confirm", "dismiss"), default="confirm",
                        help="accepting: confirm (default) or dismiss the model suggestions still unreviewed")


def _run(store: Store, args: argparse.Namespace, user: str) -> int:
    if not (args.ids or args.all or args.from_status or args.source):
        raise AnnotatorError("say which documents: their ids, --all, --from STATUS or --source PATTERN")
    rows = store.document_keys()
    known = {doc_id for doc_id, _status, _source in rows}
    missing = [i for i in args.ids if i not in known]
    if missing:
        raise NotFound(f"no document with id {', '.join(map(str, missing))}; nothing was changed")
    wanted = set(args.ids)
    chosen = [(doc_id, status) for doc_id, status, source in rows
              if (args.all or not wanted or doc_id in wanted)
              and (args.from_status is None or status is args.from_status)
              and (args.source is None or fnmatch.fnmatchcase(source, args.source))]
    todo = [doc_id for doc_id, status in chosen if status is not args.status]
    terminal = TerminalProgress()
    saved = [0]  # documents in batches committed so far

    def progress(done: int, total: int, message: str) -> None:
        saved[0] = done
        terminal(done, total, message)

    try:
        report = store.set_statuses(todo, args.status, user, unreviewed=args.unreviewed, progress=progress)
    except KeyboardInterrupt:
        print(f"annotator: interrupted: set '{args.status.value}' on {saved[0]} of {plural(len(todo), 'document')}"
              " (the others are as they were; run the command again to finish)", file=sys.stderr)
        return 130
    print(f"set '{args.status.value}' on {plural(report.changed, 'document')} "
          f"({len(chosen) - report.changed} had it already)"
          + _unreviewed(args.status, report.confirmed, report.dismissed))
    return 0


def _unreviewed(status: DocumentStatus, confirmed: int, dismissed: int) -> str:
    """What accepting did with the model suggestions nobody had reviewed (the app asks; this says)."""
    if status is not DocumentStatus.ACCEPTED:
        return ""
    if confirmed:
        return (f"; {plural(confirmed, 'unreviewed suggestion')} confirmed as entities "
                "(--unreviewed dismiss to dismiss them)")
    if dismissed:
        return f"; {plural(dismissed, 'unreviewed suggestion')} dismissed"
    return "; no unreviewed suggestions"


COMMANDS = (Command("set-status", _run, _arguments),)

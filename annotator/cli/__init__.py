"""Label named entities in news articles: a spaCy model suggests, people correct.

commands (no command opens the desktop app):
  import        import files and folders: text, JSONL, Prodigy, doccano, CoNLL, brat, Label Studio, spaCy
  preannotate   suggest entities with the spaCy pipeline of each document's language
  stats         documents by status and language, spans by label and layer
  set-language  override the detected language of documents
  search        find documents by the words of their title or text (full-text index)
  set-status    mark documents accepted, rejected, in progress... (by id, by status, or all)
  export        write corrections as training data (spaCy, Prodigy/doccano JSONL, CoNLL)
  train         fine-tune NER on the accepted corrections of one language
  evaluate      precision/recall/F per label: base model before, trained model after
  models        trained models and the suggestion model of each language
  use-model     choose the model that suggests entities for a language
  agreement     pairwise span F and Cohen's kappa between annotators
  review        make one annotator's version of a document the gold (final) version
  check         check the database: every page (SQLite quick_check), schema revision, row counts
  gui           open the desktop app (the default)

Every command takes --db and --user; 'annotator COMMAND --help' tells the rest. Long work shows
progress on stderr; a failure exits non-zero with a one-line message, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import DBAPIError

from annotator import __version__
from annotator.cli import app, corpus, export, maintenance, model, search, status, team
from annotator.cli.columns import InertStream
from annotator.cli.command import Command
from annotator.core.errors import AnnotatorError
from annotator.core.users import ENV_USER, check_user_name, login_name

# Thin wrappers over the functions the GUI calls; one module per family of commands.
COMMANDS: dict[str, Command] = {c.name: c for c in (*corpus.COMMANDS, *search.COMMANDS, *status.COMMANDS,
                                                    *export.COMMANDS, *model.COMMANDS, *team.COMMANDS,
                                                    *maintenance.COMMANDS)}
GUI = "gui"  # opens no store itself: the app does, after asking for a name if --user does not give one

__all__ = ["COMMANDS", "GUI", "build_parser", "main"]


def _summaries() -> dict[str, str]:
    """Each command's line in the docstring above: the --help overview and the command's own description."""
    summaries = {}
    for line in (__doc__ or "").split("\n\n")[1].splitlines()[1:]:
        name, summary = line.split(maxsplit=1)
        summaries[name] = summary
    return summaries


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--db", default=default,
                        help="SQLAlchemy URL or SQLite file (default: $ANNOTATOR_DB, else the per-user data folder)")
    parser.add_argument("--user", default=default, help=f"annotator name (default: ${ENV_USER} or the login name)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="annotator", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    _common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", help="one of the commands above")
    summaries = _summaries()
    for name in (*COMMANDS, GUI):
        if name not in summaries:
            raise RuntimeError(f"the annotator.cli docstring does not list the {name!r} command")
        p = sub.add_parser(name, description=summaries[name])
        _common(p, suppress=True)
        if name in COMMANDS:
            COMMANDS[name].add_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = InertStream(sys.stdout), InertStream(sys.stderr)
    try:  # argparse's messages too: they quote what was typed
        args = build_parser().parse_args(argv)
        command = args.command or GUI
        if command == GUI:  # the app's own streams
            sys.stdout, sys.stderr = streams
        return _main(args, command)
    finally:
        sys.stdout, sys.stderr = streams


def _main(args: argparse.Namespace, command: str) -> int:
    try:
        if command == GUI:  # the app asks for a name at first start unless --user says it
            return app.run(args.db, check_user_name(args.user) if args.user else None)
        user = check_user_name(args.user or login_name())
        from annotator.store import Store
        from annotator.store.engine import ENV_DB, discard_new_file, missing_file
        from annotator.store.integrity import require_intact

        missing = missing_file(args.db)
        if missing is not None and not COMMANDS[command].creates_store:
            raise AnnotatorError(f"cannot open the database {missing}: there is no such file; '{command}' works on "
                                 f"a store that exists: 'annotator import' (or the app) makes one. Check --db "
                                 f"or ${ENV_DB}")
        store = Store.open(args.db)
        done = 1
        try:
            if COMMANDS[command].checks_store:
                require_intact(store.engine)
            done = COMMANDS[command].run(store, args, user)
            return done
        finally:
            # This command made the file and then failed: it goes, unless it holds documents after all
            # (an interruption once the import was published: those are the person's).
            discard = missing is not None and done != 0 and _holds_nothing(store)
            store.close()
            if discard and missing is not None:
                discard_new_file(missing)
    except AnnotatorError as exc:
        print(f"annotator: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader of our output went away (e.g. `annotator stats | head -1`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141
    except OSError as exc:  # a file the command had to read or write; the message names it
        where = f"{os.fsdecode(exc.filename)}: " if exc.filename else ""
        print(f"annotator: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except DBAPIError as exc:  # a database error no layer below knew how to explain
        print(f"annotator: error: database error: {_first_line(exc.orig)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("annotator: interrupted", file=sys.stderr)
        return 130


def _holds_nothing(store: Any) -> bool:
    """Whether ``store`` shows no document (False when that cannot be read: the file is kept)."""
    try:
        return bool(store.document_count() == 0)
    except (AnnotatorError, DBAPIError):
        return False


def _first_line(exc: object) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

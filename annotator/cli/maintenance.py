"""``check``: is the database whole (every page on SQLite), at the current schema, with its tables?"""

from __future__ import annotations

import argparse

from annotator.cli.command import Command
from annotator.core.errors import AnnotatorError
from annotator.core.plural import plural
from annotator.store import Store, migrate
from annotator.store.integrity import check, damaged, sqlite_path


def _check(store: Store, args: argparse.Namespace, user: str) -> int:
    """Prints what was checked; problems go to stdout one per line, then one error line (exit 1)."""
    report = check(store.engine, migrate.current_revision(store.engine), migrate.head_revision())
    print(f"checked {report.database}")
    for line in report.checked:
        print(f"  {line}")
    if report.ok:
        print("ok")
        return 0
    print("problems:")
    for problem in report.problems:
        print(f"  {problem}")
    path = sqlite_path(store.engine.url)
    if path is not None:
        raise damaged(path, f"{plural(len(report.problems), 'problem')}, listed above")
    raise AnnotatorError(f"the database {report.database} has {plural(len(report.problems), 'problem')}, listed above")


COMMANDS = (Command("check", _check, checks_store=False),)

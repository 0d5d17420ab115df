"""What each command module registers: a name, its own arguments, and what it runs on the open store."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from annotator.store import Store

Run = Callable[[Store, argparse.Namespace, str], int]  # (store, parsed arguments, user) -> exit code
MAX_ID = 2**63 - 1  # the largest integer SQLite and PostgreSQL (bigint) hold


def document_id(value: str) -> int:
    """A ``DOCUMENT_ID`` argument: refused by argparse (one usage line, exit 2) unless a whole number
    the database can hold -- a larger one reached the driver as an OverflowError traceback."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_ID:
        raise argparse.ArgumentTypeError(f"{value!r} is not a document id (a whole number from 1)")
    return number


def no_arguments(parser: argparse.ArgumentParser) -> None:
    """For a command that takes only the common --db and --user."""


@dataclass(frozen=True)
class Command:
    name: str
    run: Run
    add_arguments: Callable[[argparse.ArgumentParser], None] = no_arguments
    # Run SQLite's quick_check before the command (a damaged file is refused, never read as if whole).
    # False for commands that check by themselves (export, check).
    checks_store: bool = True
    # May make a new store (an SQLite file that does not exist yet); the others refuse such a path.
    creates_store: bool = False

"""What each command module registers: a name, its own arguments, and what it runs on the open store."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from annotator.store import Store

Run = Callable[[Store, argparse.Namespace, str], int]  # (store, parsed arguments, user) -> exit code


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

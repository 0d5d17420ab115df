"""A file that changes while it is imported (adversary pass): one still being written by another
tool, truncated, or replaced. Before, the import read whatever the file held when it got there and
said "imported N documents", exit 0: a 60,000-line file cut to 20,000 lines mid-read gave a
complete-looking import of 20,000. Now a file whose size, time or identity changed between the
start and the end of its reading refuses the import (nothing imported), naming the file."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from annotator.core.errors import InputRefused
from annotator.io.importer import BatchLimits, import_paths
from annotator.store import Store

LINES = 3_000


def big(path: Path) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(LINES):
            fh.write(json.dumps({"text": f"Dispatch {i}: Bourita met Blinken in Rabat about trade."}) + "\n")
    return path


def truncate_to_a_line_boundary(path: Path) -> None:
    data = path.read_bytes()
    os.truncate(path, data.index(b"\n", len(data) // 3) + 1)


def append_lines(path: Path) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"text": "A late dispatch from Tanger."}) + "\n")


def replace_by_rename(path: Path) -> None:
    other = path.with_name("other.jsonl")
    other.write_text(json.dumps({"text": "Something else entirely."}) + "\n", encoding="utf-8")
    other.replace(path)


@pytest.mark.parametrize("change", [truncate_to_a_line_boundary, append_lines, replace_by_rename],
                         ids=["truncated", "still growing", "replaced"])
def test_a_file_changed_while_it_is_read_refuses_the_import(store: Store, tmp_path: Path,
                                                            change: Callable[[Path], None]) -> None:
    path = big(tmp_path / "news.jsonl")
    changed: list[bool] = []

    def progress(done: int, total: int, message: str) -> None:
        if message.startswith("importing") and not changed:  # the first batch is written: reading is under way
            change(path)
            changed.append(True)

    with pytest.raises(InputRefused) as err:
        import_paths(store, [path], progress=progress, limits=BatchLimits(documents=50))
    assert changed
    assert "news.jsonl: changed while it was being read" in str(err.value)
    assert store.document_count() == 0


def test_an_unchanged_file_imports_whole(store: Store, tmp_path: Path) -> None:
    report = import_paths(store, [big(tmp_path / "news.jsonl")], limits=BatchLimits(documents=50))
    assert len(report.added) == LINES

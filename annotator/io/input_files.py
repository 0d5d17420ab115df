"""Which files an import reads, from the paths it was given: folders are walked (sorted, hidden
entries skipped), and everything that would otherwise be skipped without a word is a problem: a
missing path, an explicit file of an unknown type, a pipe/socket/device, a subfolder or file that
cannot be listed or read. A brat pair (``x.txt`` + ``x.ann``) is one input, its ``.txt``."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

from annotator.core.errors import Problem
from annotator.io.readers import BRAT_SUFFIXES, SUFFIX_LIST, SUFFIXES

InputFile = tuple[Path, str]  # the file, and the name its documents are recorded under


def collect_files(paths: Sequence[str | os.PathLike[str]],
                  forced: str | None = None) -> tuple[list[InputFile], list[Problem]]:
    """Files to import with the name each is recorded under, and the problems that refuse the import.
    With ``forced`` (``--format``), an explicit file of any suffix is taken."""
    files: list[InputFile] = []
    problems: list[Problem] = []
    for given in paths:
        path = Path(given)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            problems.append(Problem(str(path), "does not exist"))
            continue
        except OSError as exc:
            problems.append(Problem(str(path), f"cannot be read: {exc.strerror or exc}"))
            continue
        if stat.S_ISDIR(mode):
            before = len(problems)
            found = _walk(path, problems)
            if not found and len(problems) == before:
                problems.append(Problem(str(path), f"folder holds no files to import ({SUFFIX_LIST})"))
            files.extend((p, str(Path(path.name) / p.relative_to(path))) for p in found)
        elif not stat.S_ISREG(mode):
            problems.append(Problem(str(path), "is not a regular file (a pipe, socket or device); give files of "
                                               f"these types, or folders of them: {SUFFIX_LIST}"))
        elif forced is None and path.suffix.lower() not in SUFFIXES:
            suffix = path.suffix or "(none)"
            problems.append(Problem(str(path), f"unsupported file type '{suffix}' (use {SUFFIX_LIST}, "
                                               "or say which with --format)"))
        elif path.suffix.lower() in BRAT_SUFFIXES and not path.with_suffix(".txt").is_file():
            problems.append(Problem(str(path), "is a brat annotation file without its text (the .txt beside it)"))
        else:
            files.append((path, path.name))
    return _one_per_pair(files), problems


def _walk(folder: Path, problems: list[Problem]) -> list[Path]:
    found: list[Path] = []

    def refused(exc: OSError) -> None:
        where = os.fsdecode(exc.filename) if exc.filename else str(folder)
        problems.append(Problem(where, f"cannot be read: {exc.strerror or exc} (its files would be skipped)"))

    for root, dirs, names in os.walk(folder, onerror=refused):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or Path(name).suffix.lower() not in SUFFIXES:
                continue
            path = Path(root) / name
            try:
                mode = path.stat().st_mode
            except OSError as exc:
                problems.append(Problem(str(path), f"cannot be read: {exc.strerror or exc}"))
                continue
            if not stat.S_ISREG(mode):
                problems.append(Problem(str(path), "is not a regular file (a pipe, socket or device)"))
            elif not os.access(path, os.R_OK):
                problems.append(Problem(str(path), "cannot be read: Permission denied"))
            elif path.suffix.lower() in BRAT_SUFFIXES and not path.with_suffix(".txt").is_file():
                problems.append(Problem(str(path), "is a brat annotation file without its text (the .txt beside it)"))
            else:
                found.append(path)
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def _one_per_pair(files: list[InputFile]) -> list[InputFile]:
    """A brat pair given (or found) as both files is read once, as its ``.txt``."""
    texts = {p.with_suffix("") for p, _ in files if p.suffix.lower() == ".txt"}
    return [(p, name) for p, name in files if not (p.suffix.lower() in BRAT_SUFFIXES and p.with_suffix("") in texts)]

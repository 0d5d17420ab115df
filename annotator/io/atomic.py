"""Atomic output: a file is written beside its target and renamed over it; a folder is built whole beside
its target and swapped in.

A crash, a full disk or a cancelled export leaves either the old output or the new one, never half of
one, and never a partial file under a final name. Temporary names carry the writer's process id
(``.<name>.tmp-<pid>-…``, ``.<name>.old-<pid>-…``): the next write to the same target removes what a
killed writer left (only when that process is gone, so two writers never clean up each other), and
puts back a previous folder a kill left set aside.

Files get the permissions the user's umask gives (0666 less the umask), not ``mkstemp``'s 0600.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import IO, Any

# An export's data, each a file or a folder of shards (docbin_shards): never kept from an older export.
DATA_FILES = frozenset({"train.spacy", "dev.spacy"})
MARKER = ".annotator-export"  # written in every export folder: a folder with it may be replaced whole
PRODUCT_FILES = DATA_FILES | {"config.cfg", MARKER}  # what an export may write, replaced when written again


# -- permissions ----------------------------------------------------------------------------------


def current_umask() -> int:
    """This process's umask, read without changing it (``os.umask`` would race other threads)."""
    with suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # no /proc: the only portable way, set back at once
    os.umask(mask)
    return mask


def file_mode() -> int:
    return 0o666 & ~current_umask()


def folder_mode() -> int:
    return 0o777 & ~current_umask()


# -- files ----------------------------------------------------------------------------------------


def _tmp_prefix(path: Path) -> str:
    return f".{path.name}.tmp-"


@contextmanager
def atomic_write(path: Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO[Any]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(path)
    fd, tmp = tempfile.mkstemp(prefix=f"{_tmp_prefix(path)}{os.getpid()}-", dir=path.parent)
    try:
        os.fchmod(fd, file_mode())
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding, newline=None if "b" in mode else "") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_folder(path.parent)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_write(path, "wb") as fh:
        fh.write(data)


def fsync_folder(folder: Path) -> None:
    """Make renames in ``folder`` durable (where the platform allows opening a folder)."""
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _writer_pid(name: str, marker: str) -> int | None:
    """The pid in ``.<target>.<marker>-<pid>-…``, or None when the name is not one of ours."""
    rest = name.split(marker, 1)[1] if marker in name else ""
    pid = rest.split("-", 1)[0]
    return int(pid) if pid.isdigit() else None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _dead_leftovers(target: Path, kind: str) -> list[Path]:
    prefix = f".{target.name}.{kind}-"
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        if entry.name.startswith(prefix):
            pid = _writer_pid(entry.name, f".{kind}-")
            if pid is not None and not _alive(pid):
                found.append(entry)
    return sorted(found)


def remove_leftovers(target: Path) -> list[Path]:
    """Remove what killed writers of ``target`` left: temporary files and folders (never complete), and
    put back or merge a previous export folder set aside by a swap. Returns what was removed."""
    removed = []
    for leftover in _dead_leftovers(target, "tmp"):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            with suppress(OSError):
                leftover.unlink()
        removed.append(leftover)
    for aside in _dead_leftovers(target, "old"):
        if not os.path.lexists(target):
            os.rename(aside, target)  # killed between the two renames of a swap: the old export comes back
        else:
            _finish_swap(aside, target)
        removed.append(aside)
    return removed


# -- folders --------------------------------------------------------------------------------------


@contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """An empty temporary folder beside ``path``; when the block ends without an error it becomes
    ``path`` in one swap, otherwise it is removed and ``path`` is untouched.

    What ``path`` held that the new folder does not replace (a trained ``model/`` folder, notes, a
    hand-written config.cfg) is moved into the new folder after the swap; an older export's
    ``train.spacy``/``dev.spacy`` (files or shard folders) never are, so new and old data are never mixed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(path)
    staging = Path(tempfile.mkdtemp(prefix=f"{_tmp_prefix(path)}{os.getpid()}-", dir=path.parent))
    try:
        os.chmod(staging, folder_mode())
        yield staging
        for folder, _, _ in os.walk(staging):
            fsync_folder(Path(folder))
        swap_in(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def swap_in(new: Path, path: Path) -> Path | None:
    """Make the complete folder ``new`` be ``path``. Returns where a previous folder's contents were
    kept when some of it could not be carried over (None normally)."""
    if not os.path.lexists(path):
        os.rename(new, path)
        fsync_folder(path.parent)
        return None
    aside = Path(tempfile.mkdtemp(prefix=f".{path.name}.old-{os.getpid()}-", dir=path.parent))
    os.rename(path, aside)  # replaces the empty folder mkdtemp made
    try:
        os.rename(new, path)
    except BaseException:
        os.rename(aside, path)
        raise
    fsync_folder(path.parent)
    return _finish_swap(aside, path)


def _finish_swap(aside: Path, path: Path) -> Path | None:
    """Carry what the previous folder held besides export data into ``path``, then delete it; when
    something could not be carried (a name clash), keep it as ``<name>.previous-<time>`` instead."""
    try:
        clash = _carry(aside, path, depth=0)
    except OSError:
        clash = True
    if not clash:
        shutil.rmtree(aside, ignore_errors=True)
        return None
    kept = path.with_name(f"{path.name}.previous-{datetime.now():%Y%m%d-%H%M%S}")
    n = 1
    while os.path.lexists(kept):
        n += 1
        kept = kept.with_name(f"{kept.name}-{n}")
    os.rename(aside, kept)
    return kept


def _replaced(entry: Path, target: Path, depth: int) -> bool:
    if entry.name.startswith(".") and (_writer_pid(entry.name, ".tmp-") or _writer_pid(entry.name, ".old-")):
        return True  # a temporary file of ours
    if depth <= 1 and entry.name in DATA_FILES:
        return True  # a file, or a folder of shards
    if entry.is_dir() and not entry.is_symlink():
        return False
    return depth <= 1 and entry.name in PRODUCT_FILES and os.path.lexists(target)


def _is_export_folder(folder: Path) -> bool:
    return any((folder / name).exists() for name in DATA_FILES)


def foreign_entries(path: Path) -> list[str]:
    """What in an existing folder shows it is not an export folder: empty when ``path`` is missing,
    empty, marked by an earlier export (``MARKER``: whatever a person added to it is carried over by
    ``swap_in``), or holds only export files (train/dev/config, per language). Otherwise the names
    that are someone else's -- a folder that must not be replaced whole."""
    if not path.is_dir() or (path / MARKER).is_file():
        return []
    foreign = []
    for entry in sorted(path.iterdir()):
        if _replaced(entry, entry, 0) or entry.name in PRODUCT_FILES:
            continue
        if entry.is_dir() and not entry.is_symlink() and _is_export_folder(entry) and all(
                _replaced(sub, sub, 1) or sub.name in PRODUCT_FILES for sub in entry.iterdir()):
            continue
        foreign.append(entry.name + ("/" if entry.is_dir() else ""))
    return foreign


def _carry(old: Path, new: Path, depth: int) -> bool:
    """Move ``old``'s entries that the new export does not replace into ``new``; True on a clash."""
    clash = False
    for entry in sorted(old.iterdir()):
        target = new / entry.name
        if _replaced(entry, target, depth):
            continue
        is_dir = entry.is_dir() and not entry.is_symlink()
        if is_dir and depth == 0 and (target.is_dir() or (not os.path.lexists(target) and _is_export_folder(entry))):
            target.mkdir(exist_ok=True)  # a language folder of an export: merge it one level down
            os.chmod(target, folder_mode())
            clash |= _carry(entry, target, depth + 1)
        elif os.path.lexists(target):
            clash = True
        else:
            os.rename(entry, target)
    return clash
